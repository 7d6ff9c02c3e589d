using EcsDeploy.Aws;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests;

/// <summary>
/// The pipeline owns the deployment configuration it declares: a Deploy without <c>.Strategy(...)</c> is rolling and
/// switches a service on another strategy back; a run of the same revision whose owned settings differ from the service's
/// deploys to apply them; the plan and <c>diff</c> show what would change; the wait budget counts ECS's clean-up.
/// </summary>
public sealed class DeploymentConfigurationOwnershipTests
{
    private const string Cluster = DayTwo.Cluster;
    private const string Service = DayTwo.Service;
    private const string LambdaArn = "arn:aws:lambda:eu-central-1:123456789012:function:pre-scale-check";
    private const string LambdaRole = "arn:aws:iam::123456789012:role/ecs-hook-invoker";

    private static EcsService Current(SimulatedAws aws) => aws.Ecs.Service(Cluster, Service);

    [Fact]
    public async Task Deploy_WithoutStrategy_AfterACanary_SwitchesTheServiceBackToRolling_AndFollowsItAsRolling()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        var (canary, canaryOut, canaryErr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic));
        Assert.True(canary == 0, canaryErr + canaryOut);
        Assert.Equal(DeploymentStrategies.Canary, Current(aws).DeploymentConfiguration!.Strategy);
        var shifts = aws.Ecs.TrafficHistory(Service).Count;
        var serviceDeployment = Current(aws).CurrentServiceDeployment;

        // The next release's pipeline has no .Strategy(...): rolling, the default.
        var (code, stdout, stderr) = await day2.RunAsync(DayTwo.Pipeline(d => d.Environment("RELEASE", "3")));

        Assert.True(code == 0, stderr + stdout);
        var configuration = Current(aws).DeploymentConfiguration!;
        Assert.Equal(DeploymentStrategies.Rolling, configuration.Strategy);
        Assert.Null(configuration.BakeTimeInMinutes);
        Assert.Null(configuration.CanaryConfiguration);
        Assert.Null(configuration.LinearConfiguration);
        Assert.Empty(configuration.LifecycleHooks ?? []);
        Assert.Equal(new DeploymentCircuitBreaker(true, true), configuration.DeploymentCircuitBreaker);
        // Alarms guard rolling deployments too: the pipeline declares none, so the service keeps its own.
        Assert.Equal(["truecaller-backend-5xx"], configuration.Alarms!.AlarmNames);
        // Followed as the rolling deployment ECS ran: by deployment id, no traffic shift, no hook answered.
        Assert.Contains("completed: 2/2 tasks running truecaller-backend:", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("canary deployment", stdout + stderr, StringComparison.Ordinal);
        Assert.Equal(shifts, aws.Ecs.TrafficHistory(Service).Count);
        Assert.Single(aws.CallsTo("ContinueServiceDeployment"));
        Assert.NotEqual(serviceDeployment, Current(aws).CurrentServiceDeployment);
        Assert.Single(Current(aws).Deployments);
    }

    [Fact]
    public async Task DryRunAndDiff_WithoutStrategy_OnACanaryService_ShowTheSwitchToRolling_AndChangeNothing()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        Assert.Equal(0, (await day2.RunAsync(StrategyCommandLineTests.Canary(traffic))).ExitCode);
        PipelineBuilder Rolling() => DayTwo.Pipeline(d => d.Environment("RELEASE", "2"));
        var updates = aws.CallsTo("UpdateService").Count;

        var (planCode, planOut, planErr) = await day2.RunAsync(Rolling(), "--dry-run");
        var (diffCode, diffOut, diffErr) = await day2.RunAsync(Rolling(), "diff", "--exit-code");

        Assert.True(planCode == 0, planErr + planOut);
        Assert.Contains("switches the service's deployment strategy CANARY -> ROLLING", planOut + planErr, StringComparison.Ordinal);
        Assert.True(diffCode == 1, diffErr + diffOut);
        Assert.Contains("~ deploymentConfiguration.strategy: CANARY -> ROLLING", diffOut, StringComparison.Ordinal);
        Assert.Contains("~ deploymentConfiguration.canaryConfiguration: canaryPercent 10, canaryBakeTimeInMinutes 5 -> (unset)", diffOut, StringComparison.Ordinal);
        Assert.Contains("~ deploymentConfiguration.lifecycleHooks: [PAUSE at POST_TEST_TRAFFIC_SHIFT, timeout 15 min then ROLLBACK] -> (none)", diffOut, StringComparison.Ordinal);
        Assert.Equal(DeploymentStrategies.Canary, Current(aws).DeploymentConfiguration!.Strategy);
        Assert.Equal(updates, aws.CallsTo("UpdateService").Count);
    }

    public static TheoryData<string> OwnedSettings() => ["alarms", "lambda hook", "test-traffic timeout", "final bake", "canary percent", "strategy"];

    [Theory]
    [MemberData(nameof(OwnedSettings))]
    public async Task Deploy_OfTheSameRevision_WhenAnOwnedSettingDiffers_DeploysToApplyIt_ThenHasNothingToDeploy(string setting)
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        aws.CloudWatch.PutMetricAlarm(new MetricAlarm { AlarmName = "truecaller-backend-latency" });
        Assert.Equal(0, (await day2.RunAsync(StrategyCommandLineTests.Canary(traffic))).ExitCode);
        var revision = Current(aws).TaskDefinition;
        var first = Current(aws).CurrentServiceDeployment;
        Action<DeployOptions> change = setting switch
        {
            "alarms" => d => d.RollbackOnAlarms("truecaller-backend-latency"),
            "lambda hook" => d => d.LambdaHook(LambdaArn, LambdaRole, LifecycleHookStages.PreScaleUp),
            "test-traffic timeout" => d => d.TestTraffic(t => t.Timeout(TimeSpan.FromMinutes(30))),
            "final bake" => d => d.Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(3))),
            "canary percent" => d => d.Strategy(DeploymentStrategy.Canary(20, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2))),
            _ => d => d.Strategy(DeploymentStrategy.Linear(25, TimeSpan.FromMinutes(1))),
        };
        PipelineBuilder Changed() => StrategyCommandLineTests.Canary(traffic, more: change);

        var (code, stdout, stderr) = await day2.RunAsync(Changed());

        Assert.True(code == 0, stderr + stdout);
        Assert.DoesNotContain("nothing to deploy", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("but its deployment configuration differs from the pipeline's", stdout + stderr, StringComparison.Ordinal);
        Assert.Equal(revision, Current(aws).TaskDefinition);
        Assert.NotEqual(first, Current(aws).CurrentServiceDeployment);
        Assert.Equal(ServiceDeploymentStatuses.Successful, StrategyCommandLineTests.Current(aws).Status);
        Assert.Equal(setting switch
        {
            "alarms" => ["truecaller-backend-5xx", "truecaller-backend-latency"],
            _ => ["truecaller-backend-5xx"],
        }, Current(aws).DeploymentConfiguration!.Alarms!.AlarmNames);

        // Applied: the same pipeline again finds nothing to change.
        var (again, againOut, againErr) = await day2.RunAsync(Changed());
        Assert.True(again == 0, againErr + againOut);
        Assert.Contains("nothing to deploy", againOut + againErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("circuit breaker")]
    [InlineData("alarms")]
    public async Task RollingDeploy_OfTheSameRevision_WhenAnOwnedSettingDiffers_DeploysToApplyIt(string setting)
    {
        var day2 = new DayTwo();
        var aws = day2.Aws;
        Assert.Equal(0, (await day2.RunAsync(DayTwo.Pipeline())).ExitCode);
        var revision = Current(aws).TaskDefinition;
        var deployment = Current(aws).Deployments.Single().Id;
        PipelineBuilder Changed() => DayTwo.Pipeline(d =>
        {
            if (setting == "alarms")
            {
                d.RollbackOnAlarms("truecaller-backend-5xx");
            }
            else
            {
                d.CircuitBreaker(false);
            }
        });

        var (code, stdout, stderr) = await day2.RunAsync(Changed());

        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(revision, Current(aws).TaskDefinition);
        Assert.NotEqual(deployment, Current(aws).Deployments.Single().Id);
        var configuration = Current(aws).DeploymentConfiguration!;
        if (setting == "alarms")
        {
            Assert.Equal(new DeploymentAlarms(configuration.Alarms!.AlarmNames, true, true), configuration.Alarms);
            Assert.Equal(["truecaller-backend-5xx"], configuration.Alarms.AlarmNames);
        }
        else
        {
            Assert.Equal(new DeploymentCircuitBreaker(false, false), configuration.DeploymentCircuitBreaker);
        }
        var (again, againOut, againErr) = await day2.RunAsync(Changed());
        Assert.Equal(0, again);
        Assert.Contains("nothing to deploy", againOut + againErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_OfACanary_CountsTheCleanUp_FromTheTargetGroupsDeregistrationDelay()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        var drains = TargetGroupHealth.AlbDefaults with { DeregistrationDelay = TimeSpan.FromSeconds(120) };
        aws.Elbv2.SetTargetGroupHealth(Current(aws).LoadBalancers.Single().TargetGroupArn!, drains);
        aws.Elbv2.SetTargetGroupHealth(traffic.AlternateTargetGroupArn, drains);

        var (code, stdout, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic), "--dry-run");

        Assert.True(code == 0, stderr + stdout);
        // Canary 5 min + final bake 2 min, then 2 min of clean-up; 10 min to start + 7 + 2 + the 15 min test-traffic pause.
        Assert.Contains("with a canary 10 % for 5 min, then all, bake 2 min deployment: at least 9 min (bakes, then the clean-up), waiting up to 34 min", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("the clean-up while the old revision's targets drain (120 s, the target groups' deregistration delay)", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_OfACanary_WhoseTargetGroupsDrainLongerThanTheDefaultBudgetLeaves_WaitsForTheCleanUp_AndSucceeds()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        // 15 min of draining: beyond the 10 min the default budget has besides the bakes (and no test-traffic pause here).
        var drains = TargetGroupHealth.AlbDefaults with { DeregistrationDelay = TimeSpan.FromMinutes(15) };
        aws.Elbv2.SetTargetGroupHealth(Current(aws).LoadBalancers.Single().TargetGroupArn!, drains);
        aws.Elbv2.SetTargetGroupHealth(traffic.AlternateTargetGroupArn, drains);
        var pipeline = DayTwo.Pipeline(d => d.Environment("RELEASE", "2")
            .Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(1)))
            .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule)
                .TestListenerRule(traffic.TestListenerRule).Role(traffic.RoleArn)));

        var (code, stdout, stderr) = await day2.RunAsync(pipeline);

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("waiting up to 26 min", stdout + stderr, StringComparison.Ordinal);
        Assert.Equal(ServiceDeploymentStatuses.Successful, StrategyCommandLineTests.Current(aws).Status);
        Assert.Empty(aws.CallsTo("StopServiceDeployment"));
    }
}
