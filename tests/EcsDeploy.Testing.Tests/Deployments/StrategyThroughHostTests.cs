using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Hosting;
using EcsDeploy.Images.Registry;
using EcsDeploy.Testing.Hosting;
using EcsDeploy.Testing.Tests.Hosting;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests;

/// <summary>A canary and its rollback through EcsDeploy's wire clients against the local AWS host; the AWS CLI confirms the service deployment.</summary>
public sealed class StrategyThroughHostTests
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

    private static async Task<(int Code, string Output)> RunAsync(LocalAwsHost host, PipelineBuilder pipeline, params string[] args)
    {
        var pipelineHost = new PipelineHost();
        pipelineHost.Targets.Add("wire", new WireTarget(host));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await pipelineHost.RunAsync(pipeline, [.. args, "--target", "wire"], stdout, stderr, _ => null);
        return (code, $"exit {code}\n{stdout}\n{stderr}");
    }

    [Fact]
    public async Task Rollback_DuringTheCanaryBake_ThroughTheWireClients_EndsRollbackSuccessful_AsTheAwsCliDescribesIt()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        // An hour of canary: the rollback comes well within it, even on a slow machine (the host runs 60 times faster).
        // No test-traffic gate: the load balancers' names resolve only through the host's proxy (HTTP_PROXY), which an
        // in-process run does not set; deploy-canary.cs's samples test runs the gate through it.
        PipelineBuilder Pipeline() => DayTwo.Pipeline(d => d.Environment("RELEASE", "2")
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(60)))
            .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule).Role(traffic.RoleArn)));
        await using var host = await LocalAwsHost.StartAsync(day2.Aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None);

        var deployed = await RunAsync(host, Pipeline(), "--wait-until", "PRODUCTION_TRAFFIC_SHIFT");
        Assert.True(deployed.Code == 0, deployed.Output);
        var arn = day2.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).CurrentServiceDeployment!;
        var baking = (await AwsCli.RunAsync(host, "ecs", "describe-service-deployments", "--service-deployment-arns", arn)).Json().GetProperty("serviceDeployments")[0];
        Assert.Equal("IN_PROGRESS", baking.GetProperty("status").GetString());
        Assert.Equal("PRODUCTION_TRAFFIC_SHIFT", baking.GetProperty("lifecycleStage").GetString());

        var rollback = await RunAsync(host, Pipeline(), "rollback");

        Assert.True(rollback.Code == 0, rollback.Output);
        Assert.Single(day2.Aws.CallsTo("StopServiceDeployment"));
        var after = (await AwsCli.RunAsync(host, "ecs", "describe-service-deployments", "--service-deployment-arns", arn)).Json().GetProperty("serviceDeployments")[0];
        Assert.Equal("ROLLBACK_SUCCESSFUL", after.GetProperty("status").GetString());
        Assert.Contains("StopServiceDeployment", after.GetProperty("rollback").GetProperty("reason").GetString(), StringComparison.Ordinal);
        var service = (await AwsCli.RunAsync(host, "ecs", "describe-services", "--cluster", DayTwo.Cluster, "--services", DayTwo.Service)).Json().GetProperty("services")[0];
        Assert.EndsWith("truecaller-backend:1", service.GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
    }
}
