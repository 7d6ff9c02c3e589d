using System.Net;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests;

/// <summary>
/// Lifecycle hooks, linear rollbacks and the listeners of blue/green, linear and canary deployments on the simulated AWS:
/// PAUSE hooks that time out with each action ECS offers (CONTINUE, ROLLBACK; default 1440 minutes and ROLLBACK), Lambda
/// hooks passed through and answered, production traffic answered as the listener rule's weights say.
/// </summary>
public sealed class StrategyHookTests
{
    private const string Cluster = DayTwo.Cluster;
    private const string Service = DayTwo.Service;

    /// <summary>A canary without the run's own test-traffic gate, so that the service's (Terraform's) hooks stay as they are.</summary>
    private static PipelineBuilder CanaryWithoutGate(TrafficShifting traffic, Action<DeployOptions>? more = null) => DayTwo.Pipeline(d =>
    {
        d.Environment("RELEASE", "2")
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
            .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule)
                .TestListenerRule(traffic.TestListenerRule).Role(traffic.RoleArn));
        more?.Invoke(d);
    });

    /// <summary>The service's own PAUSE hook at POST_SCALE_UP, as Terraform would configure it.</summary>
    private static void PauseHook(SimulatedAws aws, DeploymentLifecycleHookTimeoutConfiguration? timeout)
    {
        var configuration = aws.Ecs.Service(Cluster, Service).DeploymentConfiguration!;
        aws.Ecs.SetDeploymentConfiguration(Cluster, Service, configuration with
        {
            LifecycleHooks = [new DeploymentLifecycleHook { TargetType = LifecycleHookTargetTypes.Pause, LifecycleStages = [LifecycleHookStages.PostScaleUp], TimeoutConfiguration = timeout }],
        });
    }

    [Fact]
    public async Task PauseHook_TimingOutWithRollback_IsRolledBackByEcs_ProductionNeverMoved_Exit1()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        PauseHook(aws, new DeploymentLifecycleHookTimeoutConfiguration(5, LifecycleHookActions.Rollback));

        var (code, stdout, stderr) = await day2.RunAsync(CanaryWithoutGate(traffic));

        Assert.True(code == 1, stderr + stdout);
        Assert.Contains("which this run does not answer; it waits for ContinueServiceDeployment until", stdout, StringComparison.Ordinal);
        Assert.Contains("then ROLLBACK", stdout, StringComparison.Ordinal);
        Assert.Contains("timed out; its timeout action is ROLLBACK", stdout, StringComparison.Ordinal);
        var deployment = StrategyCommandLineTests.Current(aws);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, deployment.Status);
        var hook = Assert.Single(deployment.LifecycleHookDetails!);
        Assert.Equal(LifecycleHookStatuses.TimedOut, hook.Status);
        Assert.StartsWith("ecs-pause-", hook.HookId, StringComparison.Ordinal);
        Assert.All(aws.Ecs.TrafficHistory(Service), h => Assert.Equal(0.0, h.ProductionPercent));
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
        Assert.Empty(aws.CallsTo("ContinueServiceDeployment"));
    }

    [Fact]
    public async Task PauseHook_TimingOutWithContinue_GoesOnAfterItsTimeout_AndSucceeds()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        PauseHook(aws, new DeploymentLifecycleHookTimeoutConfiguration(5, LifecycleHookActions.Continue));
        var start = aws.Clock.GetUtcNow();

        var (code, stdout, stderr) = await day2.RunAsync(CanaryWithoutGate(traffic));

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("then CONTINUE", stdout, StringComparison.Ordinal);
        Assert.Equal(ServiceDeploymentStatuses.Successful, StrategyCommandLineTests.Current(aws).Status);
        // Traffic moved only once the hook had timed out, five minutes after it paused (the scale-up before it took time too).
        var firstShift = aws.Ecs.TrafficHistory(Service)[0];
        Assert.True(firstShift.At - start >= TimeSpan.FromMinutes(5), $"{firstShift.At - start}");
        Assert.Equal([0.0, 10.0, 100.0], aws.Ecs.TrafficHistory(Service).Select(h => h.ProductionPercent));
        Assert.Empty(aws.CallsTo("ContinueServiceDeployment"));
    }

    [Fact]
    public async Task PauseHook_WithoutTimeoutConfiguration_ExpiresAfter1440Minutes_WithRollback_AsEcsDefaults()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        PauseHook(aws, timeout: null);
        var (code, _, stderr) = await day2.RunAsync(CanaryWithoutGate(traffic), "--no-wait");
        Assert.True(code == 0, stderr);

        for (var i = 0; i < 60 && StrategyCommandLineTests.Current(aws).LifecycleHookDetails is not [{ Status: LifecycleHookStatuses.AwaitingAction }]; i++)
        {
            aws.Clock.Advance(TimeSpan.FromSeconds(30));
        }
        var paused = StrategyCommandLineTests.Current(aws);
        var hook = Assert.Single(paused.LifecycleHookDetails!);
        Assert.Equal(LifecycleHookActions.Rollback, hook.TimeoutAction);
        Assert.Equal(LifecycleHookTargetTypes.Pause, hook.TargetType);
        Assert.Null(hook.TargetArn);
        Assert.InRange(hook.ExpiresAt!.Value - aws.Clock.GetUtcNow(), TimeSpan.FromMinutes(1439), TimeSpan.FromMinutes(1440));

        aws.Clock.Advance(TimeSpan.FromMinutes(1439));
        Assert.Equal(ServiceDeploymentStatuses.InProgress, StrategyCommandLineTests.Current(aws).Status);
        aws.Clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, StrategyCommandLineTests.Current(aws).Status);
    }

    [Fact]
    public async Task LambdaHooks_ArePassedThrough_AndEcsInvokesThemAtTheirStages_UntilTheyAnswerSucceeded()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        const string Function = "arn:aws:lambda:eu-central-1:123456789012:function:smoke";
        const string Role = "arn:aws:iam::123456789012:role/ecs-hooks";
        var asked = new List<string>();
        aws.Ecs.LambdaHookAnswer = (arn, stage) =>
        {
            asked.Add($"{arn[(arn.LastIndexOf(':') + 1)..]}@{stage}");
            return asked.Count(a => a.EndsWith(stage, StringComparison.Ordinal)) < 3 ? LifecycleHookStatuses.InProgress : LifecycleHookStatuses.Succeeded;
        };

        var (code, stdout, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic, more: d => d.LambdaHook(Function, Role, LifecycleHookStages.PostScaleUp, LifecycleHookStages.PostProductionTrafficShift)));

        Assert.True(code == 0, stderr + stdout);
        var hooks = aws.Ecs.Service(Cluster, Service).DeploymentConfiguration!.LifecycleHooks!;
        var lambda = Assert.Single(hooks, h => h.TargetType == LifecycleHookTargetTypes.AwsLambda);
        Assert.Equal((Function, Role), (lambda.HookTargetArn, lambda.RoleArn));
        Assert.Equal([LifecycleHookStages.PostScaleUp, LifecycleHookStages.PostProductionTrafficShift], lambda.LifecycleStages);
        Assert.Single(hooks, h => h.TargetType == LifecycleHookTargetTypes.Pause && h.LifecycleStages!.SequenceEqual([LifecycleHookStages.PostTestTrafficShift]));
        // Asked again while it answered IN_PROGRESS, then no more once it answered SUCCEEDED.
        Assert.Equal(["smoke@POST_SCALE_UP", "smoke@POST_SCALE_UP", "smoke@POST_SCALE_UP", "smoke@POST_PRODUCTION_TRAFFIC_SHIFT", "smoke@POST_PRODUCTION_TRAFFIC_SHIFT", "smoke@POST_PRODUCTION_TRAFFIC_SHIFT"], asked);
        Assert.Equal(ServiceDeploymentStatuses.Successful, StrategyCommandLineTests.Current(aws).Status);
    }

    [Fact]
    public async Task LambdaHook_AnsweringFailed_RollsTheDeploymentBack_BeforeAnyTrafficMoved_Exit1()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        const string Function = "arn:aws:lambda:eu-central-1:123456789012:function:smoke";
        aws.Ecs.LambdaHookAnswer = (_, stage) => stage == LifecycleHookStages.PostScaleUp ? LifecycleHookStatuses.Failed : LifecycleHookStatuses.Succeeded;

        var (code, stdout, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic, more: d => d.LambdaHook(Function, "arn:aws:iam::123456789012:role/ecs-hooks", LifecycleHookStages.PostScaleUp)));

        Assert.True(code == 1, stderr + stdout);
        Assert.Contains($"Lifecycle hook {Function} failed at POST_SCALE_UP", stdout, StringComparison.Ordinal);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, StrategyCommandLineTests.Current(aws).Status);
        Assert.DoesNotContain(aws.Ecs.TrafficHistory(Service), h => h.ProductionPercent > 0 || h.TestPercent > 0);
    }

    [Fact]
    public async Task Linear_WhenAnAlarmFiresHalfway_IsRolledBackFromHalfOfProductionTraffic_Exit1()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        aws.Clock.Advanced += _ =>
        {
            if (aws.Ecs.TrafficHistory(Service) is { Count: > 0 } history && history[^1].ProductionPercent == 50)
            {
                aws.Ecs.SetAlarm("truecaller-backend-5xx", true);
            }
        };
        var linear = StrategyCommandLineTests.Canary(traffic, more: d => d.Strategy(DeploymentStrategy.Linear(25, TimeSpan.FromMinutes(1))));

        var (code, stdout, stderr) = await day2.RunAsync(linear);

        Assert.True(code == 1, stderr + stdout);
        Assert.Contains("CloudWatch alarm(s) truecaller-backend-5xx in ALARM state", stdout, StringComparison.Ordinal);
        Assert.Equal([0.0, 25.0, 50.0, 0.0], aws.Ecs.TrafficHistory(Service).Select(h => h.ProductionPercent));
        var deployment = StrategyCommandLineTests.Current(aws);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, deployment.Status);
        Assert.Equal(["truecaller-backend-5xx"], deployment.Alarms!.TriggeredAlarmNames);
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
    }

    [Fact]
    public async Task ProductionListener_AnswersAsTheRuleWeightsSay_TestListener_OnlyTheNewRevision()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        var (code, _, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic), "--wait-until", "PRODUCTION_TRAFFIC_SHIFT");
        Assert.True(code == 0, stderr);
        using var http = new HttpClient(new SimulatedHttpHandler(aws));
        var dns = (await aws.Terraform.ReadAsync(CancellationToken.None))!["alb_dns_name"].Value.GetString();

        var production = await AnswersAsync(http, $"http://{dns}/health", 100);
        var test = await AnswersAsync(http, $"http://{dns}:{traffic.TestPort}/health", 20);

        // The canary's 10 %: one request in ten reaches the new revision, spread evenly.
        Assert.Equal(10, production.Count(r => r == "truecaller-backend:2"));
        Assert.Equal(90, production.Count(r => r == "truecaller-backend:1"));
        Assert.Equal("truecaller-backend:2", production[9]);
        Assert.All(test, r => Assert.Equal("truecaller-backend:2", r));

        aws.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.All(await AnswersAsync(http, $"http://{dns}/health", 20), r => Assert.Equal("truecaller-backend:2", r));
    }

    [Fact]
    public async Task Canary_SmokeTestFailing_ProductionListenerKeepsAnsweringFromTheOldRevision_AndEventsShowTheRollbackNotAFailure()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        aws.Application.AnswerOnRevision("truecaller-backend:2", "/health", HttpStatusCode.InternalServerError);
        using var http = new HttpClient(new SimulatedHttpHandler(aws));
        var dns = (await aws.Terraform.ReadAsync(CancellationToken.None))!["alb_dns_name"].Value.GetString();
        var during = new List<string>();
        aws.Clock.Advanced += _ =>
        {
            if (StrategyCommandLineTests.Current(aws).LifecycleStage == LifecycleHookStages.PostTestTrafficShift && during.Count < 50)
            {
                during.AddRange(AnswersAsync(http, $"http://{dns}/health", 10).GetAwaiter().GetResult());
            }
        };

        var (code, stdout, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic));

        Assert.True(code == 1, stderr + stdout);
        Assert.NotEmpty(during);
        Assert.All(during, r => Assert.Equal("truecaller-backend:1", r));
        Assert.All(aws.Ecs.TrafficHistory(Service), h => Assert.Equal(0.0, h.ProductionPercent));
        var messages = aws.Ecs.Service(Cluster, Service).Events.Select(e => e.Message).ToList();
        Assert.Contains(messages, m => m.StartsWith($"(service {Service}) rolling back to deployment ecs-svc/", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("deployment failed", StringComparison.Ordinal));
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, StrategyCommandLineTests.Current(aws).Status);
    }

    private static async Task<List<string>> AnswersAsync(HttpClient http, string url, int count)
    {
        var revisions = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var response = await http.GetAsync(new Uri(url));
            revisions.Add(response.Headers.TryGetValues(SimulatedHttpHandler.RevisionHeader, out var values) ? values.Single() : $"(none: HTTP {(int)response.StatusCode})");
        }
        return revisions;
    }
}
