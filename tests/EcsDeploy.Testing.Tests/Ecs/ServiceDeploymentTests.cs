using System.Text.RegularExpressions;
using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>
/// ECS-BEHAVIOUR.md §3 and §5b: every rollout is a service deployment (DescribeServiceDeployments,
/// ListServiceDeployments) with its status, source and target revisions, rollback and circuit breaker.
/// </summary>
public sealed partial class ServiceDeploymentTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [GeneratedRegex(@"^arn:aws:ecs:eu-central-1:123456789012:service-deployment/truecaller-backend-cluster/truecaller-backend-service/[A-Z0-9]{8}-[A-Za-z0-9]{12}$")]
    private static partial Regex ServiceDeploymentArn();

    [Fact]
    public async Task Update_IsAServiceDeployment_InProgressThenSuccessful_FromTheSourceRevisionToTheTarget()
    {
        var world = new SimWorld();
        var seeded = Assert.Single(world.Aws.Ecs.ServiceDeployments(SimWorld.Cluster, SimWorld.Service));
        Assert.Equal(ServiceDeploymentStatuses.Successful, seeded.Status);
        var good = world.Describe().Deployments.Single().Id;

        var started = world.Aws.Clock.GetUtcNow();
        var id = await world.DeployChangeAsync();
        var current = world.Describe().CurrentServiceDeployment;
        Assert.NotNull(current);
        Assert.Matches(ServiceDeploymentArn(), current);
        var inProgress = await DescribeAsync(world, current);
        Assert.Equal(ServiceDeploymentStatuses.InProgress, inProgress.Status);
        Assert.Equal((started, started), (inProgress.CreatedAt, inProgress.StartedAt));
        Assert.Null(inProgress.FinishedAt);
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:service/truecaller-backend-cluster/truecaller-backend-service", inProgress.ServiceArn);
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:cluster/truecaller-backend-cluster", inProgress.ClusterArn);
        Assert.Equal(Revision(id), inProgress.TargetServiceRevision!.Arn);
        Assert.Equal(2, inProgress.TargetServiceRevision.RequestedTaskCount);
        var source = Assert.Single(inProgress.SourceServiceRevisions);
        Assert.Equal((Revision(good), 2, 2), (source.Arn, source.RequestedTaskCount, source.RunningTaskCount));
        Assert.Equal(new ServiceDeploymentCircuitBreaker { Status = RollbackMonitorStatuses.Monitoring, FailureCount = 0, Threshold = 3 }, inProgress.DeploymentCircuitBreaker);
        Assert.Equal(RollbackMonitorStatuses.Disabled, inProgress.Alarms!.Status);
        Assert.Null(inProgress.Rollback);

        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);
        var done = await DescribeAsync(world, current);
        Assert.Equal(ServiceDeploymentStatuses.Successful, done.Status);
        Assert.Equal(world.Aws.Clock.GetUtcNow(), done.FinishedAt);
        Assert.Null(done.StoppedAt);
        Assert.Equal((2, 0), (done.TargetServiceRevision!.RunningTaskCount, done.TargetServiceRevision.PendingTaskCount));
        Assert.Equal(0, done.SourceServiceRevisions.Single().RunningTaskCount);
        Assert.Equal(RollbackMonitorStatuses.MonitoringComplete, done.DeploymentCircuitBreaker!.Status);
    }

    [Fact]
    public async Task BreakerTrip_WithRollback_IsRollbackInProgressThenRollbackSuccessful_WithTheRollbacksReasonAndRevision()
    {
        var world = new SimWorld();
        var good = world.Describe().Deployments.Single().Id;
        world.Aws.Faults.UnhealthyTasks();
        var id = await world.DeployChangeAsync();
        var arn = world.Describe().CurrentServiceDeployment!;
        world.WaitUntil(() => world.Describe().Deployments.Any(d => d.Id == id && d.RolloutState == RolloutStates.Failed));
        var tripped = world.Aws.Clock.GetUtcNow();

        var rollingBack = await DescribeAsync(world, arn);
        Assert.Equal(ServiceDeploymentStatuses.RollbackInProgress, rollingBack.Status);
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", rollingBack.StatusReason);
        Assert.Equal(new ServiceDeploymentRollback { Reason = "ECS deployment circuit breaker: tasks failed to start.", StartedAt = tripped, ServiceRevisionArn = Revision(good) }, rollingBack.Rollback);
        Assert.Equal(new ServiceDeploymentCircuitBreaker { Status = RollbackMonitorStatuses.Triggered, FailureCount = 3, Threshold = 3 }, rollingBack.DeploymentCircuitBreaker);
        Assert.Null(rollingBack.FinishedAt);

        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);
        var rolledBack = await DescribeAsync(world, arn);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, rolledBack.Status);
        Assert.Equal(world.Aws.Clock.GetUtcNow(), rolledBack.FinishedAt);
        Assert.Equal(Revision(id), rolledBack.TargetServiceRevision!.Arn);
        Assert.Equal(0, rolledBack.TargetServiceRevision.RunningTaskCount);
        Assert.Equal(RollbackMonitorStatuses.Triggered, rolledBack.DeploymentCircuitBreaker!.Status);
        // The rollback is no new service deployment: the failed one carries it.
        Assert.Equal(arn, world.Describe().CurrentServiceDeployment);
    }

    [Fact]
    public async Task BreakerTrip_WithoutRollback_IsStopped()
    {
        var world = new SimWorld();
        world.Aws.Faults.UnhealthyTasks();
        var id = await world.DeployChangeAsync(rollback: false);
        var arn = world.Describe().CurrentServiceDeployment!;
        world.WaitUntil(() => world.Describe().Deployments.Any(d => d.Id == id && d.RolloutState == RolloutStates.Failed));

        var stopped = await DescribeAsync(world, arn);
        Assert.Equal((ServiceDeploymentStatuses.Stopped, "ECS deployment circuit breaker: tasks failed to start."), (stopped.Status, stopped.StatusReason));
        Assert.Equal(world.Aws.Clock.GetUtcNow(), stopped.StoppedAt);
        Assert.Null(stopped.Rollback);
        Assert.Equal(RollbackMonitorStatuses.Triggered, stopped.DeploymentCircuitBreaker!.Status);
    }

    [Fact]
    public async Task Breaker_Off_IsDisabled_AndANewerDeploymentStopsAnUnfinishedOne()
    {
        var world = new SimWorld();
        var seeded = world.Describe().Deployments.Single().Id;
        var first = await world.DeployChangeAsync(breaker: false, rollback: false);
        var firstArn = world.Describe().CurrentServiceDeployment!;
        Assert.Equal(RollbackMonitorStatuses.Disabled, (await DescribeAsync(world, firstArn)).DeploymentCircuitBreaker!.Status);
        world.Wait(TimeSpan.FromSeconds(5));

        var second = await world.DeployChangeAsync(d => d with { Cpu = "512" }, breaker: false, rollback: false);
        var secondArn = world.Describe().CurrentServiceDeployment!;
        Assert.NotEqual(firstArn, secondArn);
        var stopped = await DescribeAsync(world, firstArn);
        Assert.Equal(ServiceDeploymentStatuses.Stopped, stopped.Status);
        Assert.Equal(world.Aws.Clock.GetUtcNow(), stopped.StoppedAt);
        var newer = await DescribeAsync(world, secondArn);
        // Both earlier deployments still run tasks: both are sources.
        Assert.Equal(new[] { Revision(first), Revision(seeded) }.Order(StringComparer.Ordinal), newer.SourceServiceRevisions.Select(r => r.Arn!).Order(StringComparer.Ordinal));
        Assert.Equal(Revision(second), newer.TargetServiceRevision!.Arn);
    }

    [Fact]
    public async Task Describe_UnknownArn_IsAMissingFailure_AndMoreThan20ArnsAreRefused()
    {
        var world = new SimWorld();
        var known = world.Describe().CurrentServiceDeployment!;
        var unknown = known[..known.LastIndexOf('/')] + "/AAAAAAAA-aaaaaaaaaaaa";

        var response = await world.Aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([known, unknown]), None);

        Assert.Equal(known, Assert.Single(response.ServiceDeployments).ServiceDeploymentArn);
        Assert.Equal(new EcsFailure(unknown, "MISSING", null), Assert.Single(response.Failures));
        var tooMany = await Assert.ThrowsAsync<AwsServiceException>(() => world.Aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([.. Enumerable.Repeat(known, 21)]), None));
        Assert.Equal(("InvalidParameterException", "serviceDeploymentArns must hold between 1 and 20 ARNs."), (tooMany.ErrorCode, tooMany.ErrorMessage));
        await Assert.ThrowsAsync<AwsServiceException>(() => world.Aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([]), None));
    }

    [Fact]
    public async Task List_IsNewestFirst_FiltersByStatusAndCreationTime_AndPages()
    {
        var world = new SimWorld();
        var seededAt = world.Aws.Clock.GetUtcNow();
        var times = new List<DateTimeOffset>();
        for (var cpu = 512; cpu <= 2048; cpu *= 2)
        {
            world.Wait(TimeSpan.FromMinutes(1));
            times.Add(world.Aws.Clock.GetUtcNow());
            var size = cpu;
            await world.DeployChangeAsync(d => d with { Cpu = size.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);
        }
        var ecs = world.Aws.Ecs;
        var request = new ListServiceDeploymentsRequest { Cluster = SimWorld.Cluster, Service = SimWorld.Service };

        var all = await ecs.ListServiceDeploymentsAsync(request, None);
        Assert.Equal(4, all.ServiceDeployments.Count);
        Assert.Null(all.NextToken);
        Assert.Equal([times[2], times[1], times[0], seededAt], all.ServiceDeployments.Select(d => d.CreatedAt!.Value));
        Assert.All(all.ServiceDeployments, d => Assert.Equal(ServiceDeploymentStatuses.Successful, d.Status));
        Assert.Equal(all.ServiceDeployments[0].ServiceDeploymentArn, world.Describe().CurrentServiceDeployment);

        var window = await ecs.ListServiceDeploymentsAsync(request with { CreatedAt = new CreatedAtFilter { After = times[0], Before = times[2] } }, None);
        Assert.Equal([times[1]], window.ServiceDeployments.Select(d => d.CreatedAt!.Value));
        Assert.Empty((await ecs.ListServiceDeploymentsAsync(request with { Status = [ServiceDeploymentStatuses.RollbackSuccessful] }, None)).ServiceDeployments);

        var first = await ecs.ListServiceDeploymentsAsync(request with { MaxResults = 3 }, None);
        Assert.Equal(3, first.ServiceDeployments.Count);
        Assert.NotNull(first.NextToken);
        var second = await ecs.ListServiceDeploymentsAsync(request with { MaxResults = 3, NextToken = first.NextToken }, None);
        Assert.Equal([all.ServiceDeployments[3].ServiceDeploymentArn], second.ServiceDeployments.Select(d => d.ServiceDeploymentArn));
        Assert.Null(second.NextToken);
    }

    [Theory]
    [InlineData(0, null, null, "maxResults must be between 1 and 100.")]
    [InlineData(101, null, null, "maxResults must be between 1 and 100.")]
    [InlineData(null, "FAILED", null, "'FAILED' is not a service deployment status: use one of PENDING, SUCCESSFUL, STOPPED, STOP_REQUESTED, IN_PROGRESS, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED.")]
    [InlineData(null, null, "not-a-token", "The nextToken is not valid: pass the nextToken of the previous ListServiceDeployments answer unchanged.")]
    public async Task List_WithInvalidParameters_IsInvalidParameterException(int? maxResults, string? status, string? token, string message)
    {
        var world = new SimWorld();
        var request = new ListServiceDeploymentsRequest
        {
            Cluster = SimWorld.Cluster, Service = SimWorld.Service, MaxResults = maxResults, Status = status is null ? null : [status], NextToken = token,
        };

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => world.Aws.Ecs.ListServiceDeploymentsAsync(request, None));

        Assert.Equal(("InvalidParameterException", message), (error.ErrorCode, error.ErrorMessage));
    }

    [Fact]
    public async Task List_UnknownService_IsServiceNotFoundException()
    {
        var world = new SimWorld();
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => world.Aws.Ecs.ListServiceDeploymentsAsync(new ListServiceDeploymentsRequest { Cluster = SimWorld.Cluster, Service = "no-such-service" }, None));
        Assert.Equal("ServiceNotFoundException", error.ErrorCode);
    }

    private static string Revision(string deploymentId)
        => $"arn:aws:ecs:eu-central-1:123456789012:service-revision/{SimWorld.Cluster}/{SimWorld.Service}/{deploymentId["ecs-svc/".Length..]}";

    private static async Task<ServiceDeployment> DescribeAsync(SimWorld world, string arn)
    {
        var response = await world.Aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([arn]), None);
        Assert.Empty(response.Failures);
        return Assert.Single(response.ServiceDeployments);
    }
}
