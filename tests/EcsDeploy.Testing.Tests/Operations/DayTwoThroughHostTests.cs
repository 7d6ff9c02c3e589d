using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Hosting;
using EcsDeploy.Images.Registry;
using EcsDeploy.Testing.Hosting;
using EcsDeploy.Testing.Tests.Hosting;

namespace EcsDeploy.Testing.Tests.Operations;

/// <summary>Day-2 commands through EcsDeploy's wire clients against the local AWS host; the AWS CLI confirms the state.</summary>
public sealed class DayTwoThroughHostTests
{
    private sealed class WireTarget(LocalAwsHost host) : IDeploymentTarget
    {
        public async Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken)
            => await AwsWireEnvironment.CreateAsync(new AwsWireOptions
            {
                Region = host.Region,
                TimeProvider = new ScaledTimeProvider(host.Speed),
                Credentials = new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey),
                Environment = name => host.EnvironmentVariables.GetValueOrDefault(name),
                OpenRegistry = (authorization, _) => Task.FromResult<IImageRegistry>(EcrRegistry.CreateClient(authorization)),
                RequestTimeout = TimeSpan.FromSeconds(20),
            }, cancellationToken);
    }

    [Fact]
    public async Task Deregister_ThroughTheWireClients_LeavesTheRevisionsTheAwsCliListsAsInactive()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        day2.Register("v3");
        var v4 = day2.Register("v4");
        await day2.DeployAsync(v2);
        await day2.DeployAsync(v4);
        await using var host = await LocalAwsHost.StartAsync(day2.Aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None);
        var pipelineHost = new PipelineHost();
        pipelineHost.Targets.Add("wire", new WireTarget(host));
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await pipelineHost.RunAsync(DayTwo.Pipeline(), ["deregister", "--keep", "1", "--target", "wire"], stdout, stderr, _ => null);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        var inactive = (await AwsCli.RunAsync(host, "ecs", "list-task-definitions", "--family-prefix", DayTwo.Family, "--status", "INACTIVE")).Json()
            .GetProperty("taskDefinitionArns").EnumerateArray().Select(a => a.GetString()![(a.GetString()!.LastIndexOf('/') + 1)..]).Order(StringComparer.Ordinal);
        // 4 is kept (the newest, and the service's); 2 is the rollback target.
        Assert.Equal(["truecaller-backend:1", "truecaller-backend:3"], inactive);
    }
}
