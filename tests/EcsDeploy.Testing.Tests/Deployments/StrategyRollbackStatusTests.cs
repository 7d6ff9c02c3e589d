using System.Net;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests;

/// <summary>
/// How a blue/green, linear or canary deployment is rolled back on the simulated ECS: ROLLBACK_REQUESTED first (as the ECS
/// guide describes a stop), ROLLBACK_IN_PROGRESS once ECS's controller takes it up, then ROLLBACK_SUCCESSFUL; the run's
/// follower reports each; and the circuit breaker, which ECS applies to rolling deployments only, never rolls one back.
/// </summary>
public sealed class StrategyRollbackStatusTests
{
    private const string Cluster = DayTwo.Cluster;
    private const string Service = DayTwo.Service;

    [Fact]
    public async Task StopServiceDeployment_IsRollbackRequested_UntilEcsTakesItUp_ThenRollbackInProgress_ThenRollbackSuccessful()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        // The run's own PAUSE hook waits at POST_SCALE_UP for somebody else; the run stops following there.
        var (code, stdout, stderr) = await day2.RunAsync(
            StrategyCommandLineTests.Canary(traffic, more: d => d.PauseHook(LifecycleHookStages.PostScaleUp, TimeSpan.FromHours(1))),
            "--wait-until", LifecycleHookStages.PostScaleUp);
        Assert.True(code == 0, stderr + stdout);
        var paused = StrategyCommandLineTests.Current(aws);
        Assert.Equal((ServiceDeploymentStatuses.InProgress, LifecycleHookStages.PostScaleUp), (paused.Status, paused.LifecycleStage));
        var hook = Assert.Single(paused.LifecycleHookDetails!);
        Assert.Equal((LifecycleHookTargetTypes.Pause, LifecycleHookStatuses.AwaitingAction), (hook.TargetType, hook.Status));
        var arn = paused.ServiceDeploymentArn!;

        await aws.Ecs.StopServiceDeploymentAsync(new StopServiceDeploymentRequest(arn, StopTypes.Rollback), CancellationToken.None);

        var requested = StrategyCommandLineTests.Current(aws);
        Assert.Equal(ServiceDeploymentStatuses.RollbackRequested, requested.Status);
        Assert.Equal("Stopped by StopServiceDeployment: rolling back to the previous service revision.", requested.StatusReason);
        Assert.Null(requested.Rollback);
        Assert.Equal(LifecycleHookStages.PostScaleUp, requested.LifecycleStage);
        // Nothing moved yet: the new revision is still the service's primary deployment.
        Assert.NotEqual(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
        // A requested rollback cannot be continued; a second stop lets it go on, as ECS does.
        var refused = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Ecs.ContinueServiceDeploymentAsync(
            new ContinueServiceDeploymentRequest(arn, hook.HookId, LifecycleHookActions.Continue), CancellationToken.None));
        Assert.Contains("ROLLBACK_REQUESTED", refused.Message, StringComparison.Ordinal);
        await aws.Ecs.StopServiceDeploymentAsync(new StopServiceDeploymentRequest(arn, StopTypes.Rollback), CancellationToken.None);
        Assert.Equal(ServiceDeploymentStatuses.RollbackRequested, StrategyCommandLineTests.Current(aws).Status);

        // ECS's deployment controller takes it up at its next step (every 5 s here).
        aws.Clock.Advance(TimeSpan.FromSeconds(5));
        var started = StrategyCommandLineTests.Current(aws);
        Assert.Equal(ServiceDeploymentStatuses.RollbackInProgress, started.Status);
        Assert.Equal(requested.StatusReason, started.Rollback!.Reason);
        Assert.InRange(started.Rollback.StartedAt!.Value, requested.UpdatedAt!.Value, requested.UpdatedAt.Value + TimeSpan.FromSeconds(5));
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);

        aws.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, StrategyCommandLineTests.Current(aws).Status);
    }

    [Fact]
    public async Task Canary_WhenTheSmokeTestFails_TheRunReportsRollbackRequested_WithTheReason_ThenTheRollbackToItsEnd()
    {
        var aws = Seed.Truecaller();
        var traffic = aws.Ecs.AddTrafficShifting("truecaller-backend-cluster", "truecaller-backend-service");
        aws.Application.AnswerOnRevision("truecaller-backend:2", "/health", HttpStatusCode.InternalServerError);
        var definition = TestPipelines.Seed(TestPipelines.CreateContext(), d => d
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
            .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule)
                .TestListenerRule(traffic.TestListenerRule).Role(traffic.RoleArn))
            .TestTraffic(t => t.Http("/health").Port(traffic.TestPort).Deadline(TimeSpan.FromMinutes(1)))).Build();

        var (result, events) = await TestPipelines.RunAsync(aws, definition);

        var text = TestPipelines.AllText(result, events);
        Assert.True(result.ExitCode == ExitCodes.Failed, text);
        var statuses = events.Events.OfType<ServiceDeploymentProgress>().Select(p => p.Status).Distinct().ToList();
        Assert.Equal(
            [ServiceDeploymentStatuses.InProgress, ServiceDeploymentStatuses.RollbackRequested, ServiceDeploymentStatuses.RollbackInProgress, ServiceDeploymentStatuses.RollbackSuccessful],
            statuses);
        // Read right after the run asked for the rollback: test traffic is still on the new revision, production never moved.
        var requested = events.Events.OfType<ServiceDeploymentProgress>().First(p => p.Status == ServiceDeploymentStatuses.RollbackRequested);
        Assert.Equal((LifecycleHookStages.PostTestTrafficShift, 0.0, 100.0), (requested.LifecycleStage, requested.ProductionPercent, requested.TestPercent));
        Assert.Contains("canary deployment ROLLBACK_REQUESTED at POST_TEST_TRAFFIC_SHIFT: production 0 %, test 100 % on the new revision (Rolled back by ContinueServiceDeployment at lifecycle hook ecs-pause-", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canary_WhenTheNewRevisionsTasksCrash_TheCircuitBreakerDoesNotTrip_OnlyAnAlarmRollsItBack()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        // The service keeps the circuit breaker (with rollback) it had for rolling deployments: ECS ignores it under a canary.
        Assert.Equal(new DeploymentCircuitBreaker(true, true), aws.Ecs.Service(Cluster, Service).DeploymentConfiguration!.DeploymentCircuitBreaker);
        aws.Faults.Arm("crash-on-start");

        var (code, stdout, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic), "--no-wait");
        Assert.True(code == 0, stderr + stdout);
        // Far more crashes than the breaker's threshold (3 for this service): each new task exits 1 before RUNNING.
        aws.Clock.Advance(TimeSpan.FromMinutes(10));

        var service = aws.Ecs.Service(Cluster, Service);
        var deployment = StrategyCommandLineTests.Current(aws);
        Assert.Equal((ServiceDeploymentStatuses.InProgress, "SCALE_UP"), (deployment.Status, deployment.LifecycleStage));
        var primary = service.Deployments.Single(d => d.Status == DeploymentStatuses.Primary);
        Assert.NotEqual(before, primary.TaskDefinition);
        Assert.True(primary.FailedTasks > 3, $"failedTasks {primary.FailedTasks}");
        Assert.NotEqual(RolloutStates.Failed, primary.RolloutState);
        Assert.DoesNotContain(service.Events, e => e.Message.Contains("deployment failed", StringComparison.Ordinal) || e.Message.Contains("rolling back", StringComparison.Ordinal));
        Assert.All(aws.Ecs.TrafficHistory(Service), h => Assert.Equal(0.0, h.ProductionPercent));

        // Only the alarms (or a hook, or a stop) roll a canary back.
        aws.Ecs.SetAlarm("truecaller-backend-5xx", true);
        aws.Clock.Advance(TimeSpan.FromMinutes(10));
        var rolledBack = StrategyCommandLineTests.Current(aws);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, rolledBack.Status);
        Assert.Equal("CloudWatch alarm(s) truecaller-backend-5xx in ALARM state.", rolledBack.Rollback!.Reason);
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
    }
}
