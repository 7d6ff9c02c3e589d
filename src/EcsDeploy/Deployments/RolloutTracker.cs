using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Deployments;

/// <summary>How a rollout is followed.</summary>
/// <param name="WaitTimeout">How long to wait for the deployment to complete before rolling back.</param>
/// <param name="WhenAnotherInProgress">What to do when the service has a deployment this run did not start.</param>
/// <param name="CircuitBreaker">Turn the ECS deployment circuit breaker on for this deployment.</param>
/// <param name="Rollback">Roll back to the previous revision when the deployment fails.</param>
public sealed record RolloutSettings(TimeSpan WaitTimeout, AnotherDeployment WhenAnotherInProgress = AnotherDeployment.Wait, bool CircuitBreaker = true, bool Rollback = true)
{
    /// <summary>
    /// The deployment configuration the run declares and owns: a blue/green, linear or canary strategy, or a rolling one
    /// (which switches a service on another strategy back to ROLLING). Null keeps the service's own strategy and settings
    /// (only the circuit breaker is set), as for a dependency or a stage that does not declare one.
    /// </summary>
    public StrategySettings? Strategy { get; init; }
}

/// <summary>How one service deployment ended, as the follower saw it.</summary>
/// <param name="Succeeded">Our deployment completed with every task running.</param>
/// <param name="RolledBack">The service is back on the previous revision.</param>
/// <param name="Summary">One line for people.</param>
/// <param name="DeploymentId">Our deployment's id.</param>
/// <param name="RolloutState">Its last rolloutState.</param>
/// <param name="RolloutStateReason">Its last rolloutStateReason.</param>
/// <param name="FinalTaskDefinition">The task definition the service runs at the end.</param>
/// <param name="Failure">What the failure means; null when it succeeded.</param>
public sealed record RolloutResult(
    bool Succeeded, bool RolledBack, string Summary, string DeploymentId, string? RolloutState, string? RolloutStateReason,
    string? FinalTaskDefinition, FailureKind? Failure)
{
    /// <summary>
    /// The lifecycle stage at which the run stopped following a blue/green, linear or canary deployment that goes on in ECS
    /// (<c>--wait-until STAGE</c>); null when the run followed it to its end.
    /// </summary>
    public string? StoppedFollowingAt { get; init; }
}

/// <summary>
/// Updates a service and follows its deployment by id until it is COMPLETED with running equal to desired,
/// or until it FAILED, was rolled back, was replaced, or the wait timed out (then we roll back ourselves).
/// Never reports success for a rollback: the check is on our deployment, not on "one deployment, all running"
/// as the AWS CLI's services-stable waiter does.
/// </summary>
internal sealed class RolloutTracker(PipelineContext context, RolloutSettings settings)
{
    private readonly HashSet<string> _seenEvents = new(StringComparer.Ordinal);
    private readonly ServiceWatch _watch = ServiceWatch.For(context.Aws);
    private RolloutTimings _timings = RolloutTimings.Defaults;
    private readonly Dictionary<string, string> _failureEvents = new(StringComparer.Ordinal);

    private string Cluster => context.Definition.Cluster;

    /// <summary>Deploys <paramref name="taskDefinitionArn"/> to the service (or forces a new deployment when null) and follows it.</summary>
    public async Task<RolloutResult> DeployAsync(string serviceName, string? taskDefinitionArn, CancellationToken cancellationToken)
    {
        // Active from the first read: on a virtual clock, time waits for this rollout's reads until it is decided.
        using var lease = _watch.Follow();
        var service = await DescribeAsync(serviceName, context.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        MarkEventsSeen(service);
        if (taskDefinitionArn is not null && service.Deployments.FirstOrDefault(d => d.TaskDefinition == taskDefinitionArn && d.RolloutState == RolloutStates.InProgress) is { } earlier)
        {
            context.NoteLeftByEarlierRun($"{serviceName}: deployment {earlier.Id} of {ShortTaskDefinition(taskDefinitionArn)} from an earlier run was still in progress: waited for it");
        }
        service = await WaitForOtherDeploymentsAsync(service, cancellationToken).ConfigureAwait(false);
        var previous = service.TaskDefinition ?? throw new PipelineStageException($"Service '{serviceName}' has no task definition.", FailureKind.NeedsAttention);
        var changes = DeploymentConfigurationChanges.Lines(service, settings);
        if (taskDefinitionArn == previous && service.Deployments is [{ RolloutState: RolloutStates.Completed } settled] && settled.RunningCount == settled.DesiredCount
            && changes.Count == 0)
        {
            // A re-run after a crash (or a run with nothing new): the service already runs exactly this revision.
            context.Info($"{serviceName} already runs {ShortTaskDefinition(previous)} (deployment {settled.Id}, COMPLETED): nothing to deploy");
            return new RolloutResult(true, false, $"deployment {settled.Id} already completed: {settled.RunningCount}/{settled.DesiredCount} tasks running {ShortTaskDefinition(previous)}",
                settled.Id, settled.RolloutState, settled.RolloutStateReason, previous, null);
        }

        // The settings that time the rollout (the follower predicts from them), read beside UpdateService: they do not
        // hold the change back.
        var timingsRead = RolloutTimings.ReadAsync(context, service, taskDefinitionArn ?? previous, cancellationToken);
        if (taskDefinitionArn == previous && changes.Count > 0)
        {
            // The same revision with another deployment configuration: a deployment applies it (a strategy that would
            // otherwise not apply, alarms or hooks that would not guard the next release, a breaker left as it was).
            context.Info($"{serviceName} already runs {ShortTaskDefinition(previous)}, but its deployment configuration differs from the pipeline's ({string.Join("; ", changes.Select(c => c.TrimStart('~', ' ')))}): deploying it again to apply it");
        }
        var (ours, updated) = await UpdateAsync(service, taskDefinitionArn, force: taskDefinitionArn is null || taskDefinitionArn == previous, cancellationToken).ConfigureAwait(false);
        _timings = await timingsRead.ConfigureAwait(false);
        context.Verbose($"{serviceName}: rollout timings from {_timings.Source}");
        context.Info($"{serviceName}: deployment {ours.Id} started ({ShortTaskDefinition(ours.TaskDefinition)}); waiting up to {settings.WaitTimeout.TotalMinutes:0.#} min for it to complete");
        // Followed as ECS runs it, which UpdateService's answer says: a pipeline's rolling strategy has switched the service
        // back to ROLLING; a run that declares none (a dependency, a user's stage) leaves the service on its own strategy.
        if (FollowedAs(updated.DeploymentConfiguration) is { } native
            && (await DescribeAsync(serviceName, context.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false)).CurrentServiceDeployment is { } arn)
        {
            // Blue/green, linear, canary: followed by service deployment ARN (Deployments/ServiceDeploymentFollower.cs).
            var follow = ReferenceEquals(native, settings.Strategy) ? settings
                : settings with { WaitTimeout = settings.WaitTimeout + native.Strategy.MinimumDuration + _timings.DeregistrationDelay };
            return await new ServiceDeploymentFollower(context, follow, native, _timings).FollowAsync(serviceName, arn, ours.Id, previous, ours.TaskDefinition, cancellationToken).ConfigureAwait(false);
        }
        return await FollowAsync(serviceName, ours.Id, previous, ours.CreatedAt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The blue/green, linear or canary strategy the deployment runs with, as the service's configuration after UpdateService
    /// says: the run's own when it declared that one, else one read from the configuration (its budget then grows by the
    /// bakes and the clean-up, which the caller did not count); null for a rolling deployment.
    /// </summary>
    private StrategySettings? FollowedAs(DeploymentConfiguration? configuration)
    {
        var running = StrategySettings.Of(configuration);
        if (running is null)
        {
            return null;
        }
        if (settings.Strategy is { Strategy.ShiftsTraffic: true } declared && declared.Strategy.Name == running.Strategy.Name)
        {
            return declared;
        }
        context.Warn($"the service deploys with its own {running.Strategy} strategy, which this run did not declare: following it as such");
        return running;
    }

    /// <summary>Updates the service without waiting (--no-wait).</summary>
    public async Task<string> StartWithoutWaitingAsync(string serviceName, string taskDefinitionArn, CancellationToken cancellationToken)
    {
        var service = await DescribeAsync(serviceName, context.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return (await UpdateAsync(service, taskDefinitionArn, force: false, cancellationToken).ConfigureAwait(false)).Deployment.Id;
    }

    /// <summary>
    /// UpdateService with the deployment configuration the run owns (<see cref="DeploymentConfigurationChanges.Wanted"/>);
    /// returns the new PRIMARY deployment and the service as ECS answered.
    /// </summary>
    private async Task<(Deployment Deployment, EcsService Service)> UpdateAsync(EcsService service, string? taskDefinitionArn, bool force, CancellationToken cancellationToken)
    {
        var (configuration, loadBalancers) = DeploymentConfigurationChanges.Wanted(service, settings);
        var updated = await context.Aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest
        {
            Cluster = Cluster,
            Service = service.ServiceName,
            TaskDefinition = taskDefinitionArn,
            DeploymentConfiguration = configuration,
            LoadBalancers = loadBalancers,
            ForceNewDeployment = force,
        }, cancellationToken).ConfigureAwait(false);
        var primary = updated.Service.Deployments.FirstOrDefault(d => d.Status == DeploymentStatuses.Primary)
            ?? throw new PipelineStageException($"UpdateService on '{service.ServiceName}' returned no PRIMARY deployment.", FailureKind.NeedsAttention);
        return (primary, updated.Service);
    }

    private async Task<RolloutResult> FollowAsync(string serviceName, string deploymentId, string previousTaskDefinition, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        var (result, rollBackBecause) = await FollowUntilDecidedAsync(serviceName, deploymentId, previousTaskDefinition, createdAt, cancellationToken).ConfigureAwait(false);
        return rollBackBecause is null
            ? result!
            : await RollBackOurselvesAsync(serviceName, deploymentId, previousTaskDefinition, rollBackBecause, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the service when the schedule says until the deployment is decided; returns the result, or why to roll back ourselves.</summary>
    private async Task<(RolloutResult? Result, string? RollBackBecause)> FollowUntilDecidedAsync(string serviceName, string deploymentId, string previousTaskDefinition, DateTimeOffset createdAt, CancellationToken cancellationToken)
    {
        using var lease = _watch.Follow();
        var schedule = new RolloutSchedule(_timings, settings.CircuitBreaker);
        var deadline = context.Time.GetUtcNow() + settings.WaitTimeout;
        // ECS stamps events with its own clock: the schedule works on it, and the deployment's creation, just before
        // UpdateService answered, ties it to ours; it runs at the environment's ECS clock speed (1 on AWS, a local host's
        // speed). A clock that does not tick as said (an event from what would be ECS's future) makes predictions
        // worthless: then read every 1 to 5 s instead.
        var clock = createdAt == default ? null : new EcsClock(context.Time.GetUtcNow(), createdAt, context.Aws.EcsClockSpeed);
        var interval = Adaptive.Fast;
        var next = clock is not null ? clock.ToOurs(schedule.Next(clock.ToEcs(context.Time.GetUtcNow()))) : context.Time.GetUtcNow() + interval;
        string? lastProgress = null;
        var failureReported = false;
        Deployment? lastSeen = null;

        while (true)
        {
            var service = await DescribeAsync(serviceName, next < deadline ? next : deadline, cancellationToken).ConfigureAwait(false);
            var fresh = ReportNewEvents(service);
            if (clock is not null && fresh.Any(e => e.CreatedAt > clock.ToEcs(context.Time.GetUtcNow()) + Adaptive.Fast * 2))
            {
                context.Verbose($"{serviceName}: ECS's clock runs ahead of this machine's (more than {clock.Speed:0.##} times as fast); reading every 1 to 5 s instead of predicting");
                clock = null;
            }
            schedule.Observe(service, fresh, clock?.ToEcs(context.Time.GetUtcNow()) ?? context.Time.GetUtcNow());
            var ours = service.Deployments.FirstOrDefault(d => d.Id == deploymentId);
            var progressed = false;
            lastSeen = ours ?? lastSeen;
            if (ours is null && lastSeen is not null && _failureEvents.TryGetValue(deploymentId, out var failure))
            {
                lastSeen = lastSeen with { RolloutState = RolloutStates.Failed, RolloutStateReason = failure };
            }
            var primary = service.Deployments.FirstOrDefault(d => d.Status == DeploymentStatuses.Primary);

            if (ours is not null)
            {
                var progress = $"{ours.RolloutState}/{ours.DesiredCount}/{ours.RunningCount}/{ours.PendingCount}/{ours.FailedTasks}";
                if (progress != lastProgress)
                {
                    progressed = true;
                    lastProgress = progress;
                    context.Report(new DeploymentProgress(context.Time.GetUtcNow(), serviceName, ours.Id, ours.RolloutState, ours.DesiredCount, ours.RunningCount, ours.PendingCount, ours.FailedTasks));
                }
            }

            // Success: our deployment is the PRIMARY, COMPLETED, and fully running.
            if (ours is { Status: DeploymentStatuses.Primary, RolloutState: RolloutStates.Completed } && ours.RunningCount == ours.DesiredCount)
            {
                return (new RolloutResult(true, false, $"deployment {ours.Id} completed: {ours.RunningCount}/{ours.DesiredCount} tasks running {ShortTaskDefinition(ours.TaskDefinition)}",
                    ours.Id, ours.RolloutState, ours.RolloutStateReason, ours.TaskDefinition, null), null);
            }

            var ourFailed = ours?.RolloutState == RolloutStates.Failed;
            var replaced = primary is not null && primary.Id != deploymentId && primary.TaskDefinition != previousTaskDefinition;
            var rollingBack = primary is not null && (primary.Id != deploymentId || ourFailed) && primary.TaskDefinition == previousTaskDefinition;

            if (ourFailed && !failureReported)
            {
                failureReported = true;
                context.Warn($"{serviceName}: deployment {deploymentId} FAILED: {ours!.RolloutStateReason}");
                await ReportStoppedTasksAsync(serviceName, deploymentId, cancellationToken).ConfigureAwait(false);
            }

            if (replaced)
            {
                return (new RolloutResult(false, false,
                    $"deployment {deploymentId} was replaced by deployment {primary!.Id} ({ShortTaskDefinition(primary.TaskDefinition)}), which this run did not start: check who else deploys '{serviceName}'",
                    deploymentId, ours?.RolloutState, ours?.RolloutStateReason, primary.TaskDefinition, FailureKind.NeedsAttention), null);
            }

            if (rollingBack && primary!.Id != deploymentId)
            {
                // ECS is rolling back (circuit breaker): success of that rollback is what remains to see.
                if (primary.RolloutState == RolloutStates.Completed && primary.RunningCount == primary.DesiredCount && service.Deployments.Count == 1)
                {
                    return (new RolloutResult(false, true,
                        $"deployment {deploymentId} failed ({lastSeen?.RolloutStateReason ?? "rolled back by ECS"}); the service is back on {ShortTaskDefinition(primary.TaskDefinition)}",
                        deploymentId, lastSeen?.RolloutState ?? RolloutStates.Failed, lastSeen?.RolloutStateReason, primary.TaskDefinition, FailureKind.Failed), null);
                }
                if (primary.RolloutState == RolloutStates.Failed)
                {
                    return (new RolloutResult(false, true,
                        $"deployment {deploymentId} failed and ECS's rollback to {ShortTaskDefinition(primary.TaskDefinition)} failed too: the service needs attention",
                        deploymentId, RolloutStates.Failed, ours?.RolloutStateReason, primary.TaskDefinition, FailureKind.NeedsAttention), null);
                }
            }
            else if (ourFailed && ours!.Status == DeploymentStatuses.Primary)
            {
                // Failed with no automatic rollback (breaker without rollback): roll back ourselves.
                return (null, $"deployment {deploymentId} failed: {ours.RolloutStateReason}");
            }

            if (context.Time.GetUtcNow() >= deadline)
            {
                if (ours is not null)
                {
                    await ReportStoppedTasksAsync(serviceName, deploymentId, cancellationToken).ConfigureAwait(false);
                }
                return (null, $"deployment {deploymentId} did not complete within {settings.WaitTimeout.TotalMinutes:0.#} min");
            }

            // Read again when the schedule says: rarely while nothing can end the rollout, closely where it can.
            interval = fresh.Count > 0 || progressed ? Adaptive.Fast : Adaptive.Next(interval);
            next = clock is not null ? clock.ToOurs(schedule.Next(clock.ToEcs(context.Time.GetUtcNow()))) : context.Time.GetUtcNow() + interval;
        }
    }

    private async Task<RolloutResult> RollBackOurselvesAsync(string serviceName, string deploymentId, string previousTaskDefinition, string why, CancellationToken cancellationToken)
    {
        if (!settings.Rollback)
        {
            return new RolloutResult(false, false, $"{why}; rollback is off, so the service stays as it is", deploymentId, null, null, null, FailureKind.NeedsAttention);
        }
        context.Warn($"{why}; rolling back {serviceName} to {ShortTaskDefinition(previousTaskDefinition)}");
        var rollback = new RolloutTracker(context, settings with { Rollback = false, WhenAnotherInProgress = AnotherDeployment.Wait }) { _timings = _timings };
        var service = await DescribeAsync(serviceName, context.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        rollback.MarkEventsSeen(service);
        var updated = await context.Aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest
        {
            Cluster = Cluster,
            Service = serviceName,
            TaskDefinition = previousTaskDefinition,
        }, cancellationToken).ConfigureAwait(false);
        var rollbackDeployment = updated.Service.Deployments.First(d => d.Status == DeploymentStatuses.Primary);
        var result = await rollback.FollowAsync(serviceName, rollbackDeployment.Id, previousTaskDefinition, rollbackDeployment.CreatedAt, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? new RolloutResult(false, true, $"{why}; rolled back: the service is on {ShortTaskDefinition(previousTaskDefinition)} again", deploymentId, RolloutStates.Failed, why, previousTaskDefinition, FailureKind.Failed)
            : new RolloutResult(false, false, $"{why}; the rollback to {ShortTaskDefinition(previousTaskDefinition)} did not complete either: {result.Summary}", deploymentId, RolloutStates.Failed, why, result.FinalTaskDefinition, FailureKind.NeedsAttention);
    }

    private async Task<EcsService> WaitForOtherDeploymentsAsync(EcsService service, CancellationToken cancellationToken)
    {
        bool Busy(EcsService s) => s.Deployments.Count > 1 || s.Deployments.Any(d => d.RolloutState == RolloutStates.InProgress);
        if (!Busy(service))
        {
            return service;
        }
        var inProgress = string.Join(", ", service.Deployments.Select(d => $"{d.Id} {d.Status} {d.RolloutState}"));
        if (settings.WhenAnotherInProgress == AnotherDeployment.Refuse)
        {
            throw new PipelineStageException($"Service '{service.ServiceName}' has a deployment in progress that this run did not start ({inProgress}); nothing was changed. Wait for it, or set d.WhenAnotherDeploymentInProgress(AnotherDeployment.Wait).", FailureKind.Failed);
        }
        context.Info($"{service.ServiceName}: waiting for the deployment in progress to finish first ({inProgress})");
        var deadline = context.Time.GetUtcNow() + settings.WaitTimeout;
        using var lease = _watch.Follow();
        var schedule = new RolloutSchedule(await RolloutTimings.ReadAsync(context, service, null, cancellationToken).ConfigureAwait(false), circuitBreaker: true);
        while (Busy(service))
        {
            if (context.Time.GetUtcNow() >= deadline)
            {
                throw new PipelineStageException($"Service '{service.ServiceName}' still had another deployment in progress after {settings.WaitTimeout.TotalMinutes:0.#} min; nothing was changed.", FailureKind.Failed);
            }
            service = await DescribeAsync(service.ServiceName, schedule.Next(context.Time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            schedule.Observe(service, ReportNewEvents(service), context.Time.GetUtcNow());
        }
        return service;
    }

    /// <summary>Reads the service at <paramref name="at"/> through the process's shared Describe budget.</summary>
    private async Task<EcsService> DescribeAsync(string serviceName, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var service = await _watch.DescribeAsync(Cluster, serviceName, at, cancellationToken).ConfigureAwait(false);
        if (service is null || service.Status is ResourceStatuses.Inactive or ResourceStatuses.Draining)
        {
            throw new PipelineStageException($"Service '{serviceName}' is {(service is null ? "MISSING" : service.Status)} in cluster '{Cluster}'.", FailureKind.NeedsAttention);
        }
        return service;
    }

    private void MarkEventsSeen(EcsService service)
    {
        foreach (var serviceEvent in service.Events)
        {
            _seenEvents.Add(serviceEvent.Id);
        }
    }

    private List<ServiceEvent> ReportNewEvents(EcsService service)
    {
        // Events come newest first; reverse before the stable sort so that equal timestamps keep their real order.
        var fresh = service.Events.Where(e => _seenEvents.Add(e.Id)).Reverse().OrderBy(e => e.CreatedAt).ToList();
        foreach (var serviceEvent in fresh)
        {
            // "(service S) (deployment ecs-svc/N) deployment failed: tasks failed to start." names the cause even
            // when the failed deployment has already left the list.
            var marker = serviceEvent.Message.IndexOf(") deployment failed: ", StringComparison.Ordinal);
            var idStart = serviceEvent.Message.IndexOf("(deployment ", StringComparison.Ordinal);
            if (marker > 0 && idStart >= 0 && idStart < marker)
            {
                _failureEvents[serviceEvent.Message[(idStart + 12)..marker]] = "ECS deployment circuit breaker: " + serviceEvent.Message[(marker + 21)..];
            }
            context.Report(new ServiceEventObserved(context.Time.GetUtcNow(), service.ServiceName, serviceEvent.CreatedAt, serviceEvent.Message));
        }
        return fresh;
    }

    /// <summary>Shows why the deployment's tasks stopped: reason, exit codes, and the tail of their logs.</summary>
    private async Task ReportStoppedTasksAsync(string serviceName, string deploymentId, CancellationToken cancellationToken)
    {
        try
        {
            var arns = await context.Aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = Cluster, ServiceName = serviceName, DesiredStatus = TaskStatuses.Stopped }, cancellationToken).ConfigureAwait(false);
            if (arns.TaskArns.Count == 0)
            {
                return;
            }
            var tasks = await context.Aws.Ecs.DescribeTasksAsync(new DescribeTasksRequest(Cluster, [.. arns.TaskArns.Take(100)]), cancellationToken).ConfigureAwait(false);
            foreach (var task in tasks.Tasks.Where(t => t.StartedBy == deploymentId).OrderByDescending(t => t.StoppedAt).Take(3))
            {
                var containers = string.Join("; ", task.Containers.Select(c => $"{c.Name} exit code {(c.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (never started)")}{(c.Reason is null ? "" : ": " + c.Reason)}"));
                context.Warn($"stopped task {task.TaskArn.Split('/')[^1]}: {task.StopCode}: {task.StoppedReason} [{containers}]");
                foreach (var line in await TaskLogs.TailAsync(context, task, 10, cancellationToken).ConfigureAwait(false))
                {
                    context.Warn($"  | {line}");
                }
            }
        }
        catch (AwsServiceException ex)
        {
            context.Warn($"could not read the stopped tasks: {ex.Message}");
        }
    }

    internal static string ShortTaskDefinition(string? arn) => arn is null ? "(none)" : arn[(arn.LastIndexOf('/') + 1)..];

    /// <summary>The fallback pace when ECS's clock cannot be tied to ours: every second after a change, backing off to 5 s.</summary>
    private static class Adaptive
    {
        public static readonly TimeSpan Fast = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan Slow = TimeSpan.FromSeconds(5);

        public static TimeSpan Next(TimeSpan interval) => TimeSpan.FromTicks(Math.Min(Slow.Ticks, (long)(interval.Ticks * 1.5)));
    }
}
