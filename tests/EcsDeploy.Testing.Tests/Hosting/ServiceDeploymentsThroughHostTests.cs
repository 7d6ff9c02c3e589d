using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>The library's ECS wire client reads the service deployments the local AWS host serves, member for member.</summary>
public sealed class ServiceDeploymentsThroughHostTests
{
    [Fact]
    public async Task WireClient_ThroughTheHost_ReadsWhatTheSimulationHolds_FiltersAndFailures()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var transport = new AwsWireTransport(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey), host.Region,
            name => host.EnvironmentVariables.GetValueOrDefault(name));
        var ecs = new EcsWireClient(transport);
        const string Cluster = "truecaller-backend-cluster", Service = "truecaller-backend-service";
        await ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, ForceNewDeployment = true }, CancellationToken.None);

        var list = await ecs.ListServiceDeploymentsAsync(new ListServiceDeploymentsRequest { Cluster = Cluster, Service = Service, Status = [ServiceDeploymentStatuses.InProgress] }, CancellationToken.None);
        var brief = Assert.Single(list.ServiceDeployments);
        var missing = brief.ServiceDeploymentArn[..brief.ServiceDeploymentArn.LastIndexOf('/')] + "/AAAAAAAA-aaaaaaaaaaaa";
        var described = await ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([brief.ServiceDeploymentArn, missing]), CancellationToken.None);

        var expected = aws.Ecs.ServiceDeployments(Cluster, Service)[0];
        var read = Assert.Single(described.ServiceDeployments);
        Assert.Equal(expected with { SourceServiceRevisions = [], DeploymentConfiguration = null, Alarms = null }, read with { SourceServiceRevisions = [], DeploymentConfiguration = null, Alarms = null });
        Assert.Equal(expected.SourceServiceRevisions, read.SourceServiceRevisions);
        Assert.Equal(expected.DeploymentConfiguration, read.DeploymentConfiguration);
        Assert.Equal(new EcsFailure(missing, "MISSING", null), Assert.Single(described.Failures));
        Assert.Equal(brief.TargetServiceRevisionArn, read.TargetServiceRevision!.Arn);
        Assert.Equal(expected.ServiceDeploymentArn, (await ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None)).Services[0].CurrentServiceDeployment);
    }
}
