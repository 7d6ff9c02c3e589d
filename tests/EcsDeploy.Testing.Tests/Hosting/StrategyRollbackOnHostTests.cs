using EcsDeploy.Aws;
using EcsDeploy.Testing.Hosting;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// The AWS CLI v1 watches a canary's rollback on the local AWS host: stop-service-deployment, then
/// describe-service-deployments shows ROLLBACK_REQUESTED until ECS's controller takes it up, then ROLLBACK_IN_PROGRESS.
/// The host's clock stands still (speed 0): the test moves it.
/// </summary>
public sealed class StrategyRollbackOnHostTests : IAsyncLifetime
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    private readonly SimulatedAws _aws = Seed.Truecaller();
    private LocalAwsHost _host = null!;

    public async Task InitializeAsync() => _host = await LocalAwsHost.StartAsync(_aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AwsCli_StopServiceDeployment_ThenDescribe_ShowsRollbackRequested_ThenRollbackInProgress()
    {
        _aws.Ecs.AddTrafficShifting(Cluster, Service);
        var configuration = _aws.Ecs.Service(Cluster, Service).DeploymentConfiguration!;
        _aws.Ecs.SetDeploymentConfiguration(Cluster, Service, configuration with
        {
            Strategy = DeploymentStrategies.Canary,
            CanaryConfiguration = new CanaryConfiguration(10, 5),
            LifecycleHooks = [new DeploymentLifecycleHook { TargetType = LifecycleHookTargetTypes.Pause, LifecycleStages = [LifecycleHookStages.PostScaleUp] }],
        });
        Assert.Equal(0, (await AwsCli.RunAsync(_host, "ecs", "update-service", "--cluster", Cluster, "--service", Service, "--force-new-deployment")).ExitCode);
        _aws.Clock.Advance(TimeSpan.FromMinutes(5));
        var list = (await AwsCli.RunAsync(_host, "ecs", "list-service-deployments", "--cluster", Cluster, "--service", Service)).Json();
        var arn = list.GetProperty("serviceDeployments")[0].GetProperty("serviceDeploymentArn").GetString()!;
        var paused = Describe(await AwsCli.RunAsync(_host, "ecs", "describe-service-deployments", "--service-deployment-arns", arn));
        Assert.Equal(("IN_PROGRESS", "POST_SCALE_UP"), (paused.GetProperty("status").GetString(), paused.GetProperty("lifecycleStage").GetString()));

        var stop = await AwsCli.RunAsync(_host, "ecs", "stop-service-deployment", "--service-deployment-arn", arn, "--stop-type", "ROLLBACK");
        Assert.True(stop.ExitCode == 0, stop.Stderr);
        var requested = Describe(await AwsCli.RunAsync(_host, "ecs", "describe-service-deployments", "--service-deployment-arns", arn));
        _aws.Clock.Advance(TimeSpan.FromSeconds(5));
        var started = Describe(await AwsCli.RunAsync(_host, "ecs", "describe-service-deployments", "--service-deployment-arns", arn));

        Assert.Equal("ROLLBACK_REQUESTED", requested.GetProperty("status").GetString());
        Assert.Equal("Stopped by StopServiceDeployment: rolling back to the previous service revision.", requested.GetProperty("statusReason").GetString());
        Assert.False(requested.TryGetProperty("rollback", out _));
        Assert.Equal("ROLLBACK_IN_PROGRESS", started.GetProperty("status").GetString());
        Assert.Equal(requested.GetProperty("statusReason").GetString(), started.GetProperty("rollback").GetProperty("reason").GetString());
    }

    private static System.Text.Json.JsonElement Describe(AwsCliResult result)
    {
        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = result.Json();
        Assert.Empty(json.GetProperty("failures").EnumerateArray());
        return Assert.Single(json.GetProperty("serviceDeployments").EnumerateArray());
    }
}
