using EcsDeploy.Aws;
using EcsDeploy.Reporting;
using EcsDeploy.Rules;

namespace EcsDeploy.Deployments;

/// <summary>
/// Follows a blue/green, linear or canary deployment by its service deployment ARN (DescribeServiceDeployments) to its
/// end: reports the lifecycle stage, traffic shares and bake left; at the test-traffic pause runs the checks against the
/// test listener and continues, or rolls back with the failing check as the reason; at the wait budget, or when the run is
/// cancelled, stops the deployment with rollback (StopServiceDeployment) rather than leaving it paused.
/// </summary>
internal sealed class ServiceDeploymentFollower(PipelineContext context, RolloutSettings settings, StrategySettings strategy, RolloutTimings? timings = null)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    /// <summary>The read interval while nothing can end for a while (a bake, the clean-up's deregistration delay): the waiter's.</summary>
    private static readonly TimeSpan Sparse = TimeSpan.FromSeconds(15);
    private readonly RolloutTimings _timings = timings ?? RolloutTimings.Defaults;
    private static readonly TimeSpan RollbackBudget = TimeSpan.FromMinutes(15);
    private string? _ourFailure;
    private readonly HashSet<string> _handledHooks = new(StringComparer.Ordinal);

    public async Task<RolloutResult> FollowAsync(string serviceName, string arn, string deploymentId, string previousTaskDefinition, string? targetTaskDefinition, CancellationToken cancellationToken)
    {
        try
        {
            return await FollowCoreAsync(serviceName, arn, deploymentId, previousTaskDefinition, targetTaskDefinition, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Never leave a deployment paused or half-shifted behind a cancelled run: roll it back.
            await StopAsync(arn, "the run was cancelled", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Follows a service deployment whose rollback has been asked for (StopServiceDeployment with ROLLBACK) to its end, on the
    /// same schedule, within the rollback budget (15 min): ROLLBACK_SUCCESSFUL gives a rolled-back result, SUCCESSFUL (it
    /// finished before the rollback took hold) a succeeded one, anything else one that needs attention. Nothing is answered
    /// or stopped again, cancelled or not.
    /// </summary>
    public Task<RolloutResult> FollowRollbackAsync(string serviceName, string arn, string previousTaskDefinition, string? targetTaskDefinition, CancellationToken cancellationToken)
        => FollowCoreAsync(serviceName, arn, Short(arn), previousTaskDefinition, targetTaskDefinition, cancellationToken, rollbackAsked: true);

    private async Task<RolloutResult> FollowCoreAsync(string serviceName, string arn, string deploymentId, string previousTaskDefinition, string? targetTaskDefinition, CancellationToken cancellationToken, bool rollbackAsked = false)
    {
        var label = strategy.Strategy.Label;
        var deadline = context.Time.GetUtcNow() + (rollbackAsked ? RollbackBudget : settings.WaitTimeout);
        string? lastProgress = null;
        string? lastStage = null;
        var stageSince = context.Time.GetUtcNow();
        var stopped = rollbackAsked;
        var next = Poll;
        double? lastProduction = null;
        while (true)
        {
            // Through the shared budget: on a virtual clock a rolling follower beside this one keeps its moments.
            await ServiceWatch.For(context.Aws).SleepAsync(next, cancellationToken).ConfigureAwait(false);
            var deployment = await DescribeAsync(arn, cancellationToken).ConfigureAwait(false);
            var production = deployment.TargetServiceRevision?.RequestedProductionTrafficWeight ?? 0;
            var test = deployment.TargetServiceRevision?.RequestedTestTrafficWeight ?? 0;
            if (deployment.LifecycleStage != lastStage || production != lastProduction)
            {
                // A new stage (or a linear step) began when ECS last updated the deployment, if that is since the last read.
                var now = context.Time.GetUtcNow();
                stageSince = deployment.UpdatedAt is { } updated && updated <= now && updated > stageSince ? updated : now;
                lastStage = deployment.LifecycleStage;
                lastProduction = production;
            }
            var bakeLeft = BakeLeft(deployment, stageSince);
            next = NextRead(deployment, stageSince, bakeLeft);
            var progress = $"{deployment.Status}/{deployment.LifecycleStage}/{production}/{test}";
            if (progress != lastProgress)
            {
                lastProgress = progress;
                context.Report(new ServiceDeploymentProgress(context.Time.GetUtcNow(), serviceName, arn, deployment.Status, deployment.LifecycleStage, production, test, bakeLeft));
                var rollingBack = deployment.Status is ServiceDeploymentStatuses.RollbackRequested or ServiceDeploymentStatuses.RollbackInProgress;
                context.Info($"{serviceName}: {label} deployment {deployment.Status} at {deployment.LifecycleStage}: production {production:0.#} %, test {test:0.#} % on the new revision{(bakeLeft is { } left && !rollingBack ? $", bake {DeployRules.Describe(left)} left" : "")}{(rollingBack && deployment.StatusReason is { } reason ? $" ({reason})" : "")}");
            }

            switch (deployment.Status)
            {
                case ServiceDeploymentStatuses.Successful:
                    return new RolloutResult(true, false, $"{label} deployment {Short(arn)} succeeded: all traffic on {RolloutTracker.ShortTaskDefinition(targetTaskDefinition)}",
                        deploymentId, RolloutStates.Completed, deployment.StatusReason, targetTaskDefinition, null);
                case ServiceDeploymentStatuses.RollbackSuccessful:
                    var why = _ourFailure ?? deployment.Rollback?.Reason ?? deployment.StatusReason ?? "rolled back by ECS";
                    return new RolloutResult(false, true, $"{label} deployment {Short(arn)} was rolled back ({why}); the service is on {RolloutTracker.ShortTaskDefinition(previousTaskDefinition)} again",
                        deploymentId, RolloutStates.Failed, why, previousTaskDefinition, FailureKind.Failed);
                case ServiceDeploymentStatuses.RollbackFailed:
                    return new RolloutResult(false, false, $"{label} deployment {Short(arn)} failed and its rollback failed too ({deployment.StatusReason}): the service needs attention",
                        deploymentId, RolloutStates.Failed, deployment.StatusReason, null, FailureKind.NeedsAttention);
                case ServiceDeploymentStatuses.Stopped:
                    return new RolloutResult(false, false, $"{label} deployment {Short(arn)} was stopped ({deployment.StatusReason}), not by this run: check who else deploys '{serviceName}'",
                        deploymentId, RolloutStates.Failed, deployment.StatusReason, null, FailureKind.NeedsAttention);
            }

            if (deployment.Status == ServiceDeploymentStatuses.InProgress && !stopped)
            {
                // Our own gate is answered first: a run that stops following at POST_TEST_TRAFFIC_SHIFT still decides it.
                foreach (var hook in (deployment.LifecycleHookDetails ?? []).Where(h => h.Status == LifecycleHookStatuses.AwaitingAction && h.HookId is not null && _handledHooks.Add(h.HookId)))
                {
                    // A pause this run does not answer is somebody else's decision: the wait budget does not run out on it.
                    deadline += await OnPausedAsync(serviceName, arn, deployment, hook, cancellationToken).ConfigureAwait(false);
                }
                if (_ourFailure is not null)
                {
                    // Our gate asked ECS to roll back: read again at once, which shows ROLLBACK_REQUESTED as ECS takes it.
                    stopped = true;
                    deadline = context.Time.GetUtcNow() + RollbackBudget;
                    next = TimeSpan.Zero;
                    continue;
                }
                if (strategy.WaitUntilStage is { } until && ReachedStage(deployment.LifecycleStage, until) && _ourFailure is null)
                {
                    return new RolloutResult(true, false, $"{label} deployment {Short(arn)} reached {deployment.LifecycleStage} (--wait-until {until}), production {production:0.#} % on the new revision; ECS goes on with it without this run",
                        deploymentId, RolloutStates.InProgress, deployment.StatusReason, targetTaskDefinition, null) { StoppedFollowingAt = deployment.LifecycleStage };
                }
                if (context.Time.GetUtcNow() >= deadline)
                {
                    _ourFailure = $"the deployment did not finish within the wait budget of {settings.WaitTimeout.TotalMinutes:0.#} min (at {deployment.LifecycleStage})";
                    await StopAsync(arn, _ourFailure, cancellationToken).ConfigureAwait(false);
                    stopped = true;
                    deadline = context.Time.GetUtcNow() + RollbackBudget;
                    next = TimeSpan.Zero;
                }
            }
            else if (!stopped && deployment.Status is ServiceDeploymentStatuses.RollbackRequested or ServiceDeploymentStatuses.RollbackInProgress)
            {
                // ECS rolls back by itself (an alarm, a hook, somebody's StopServiceDeployment): the rollback gets its own budget.
                stopped = true;
                deadline = context.Time.GetUtcNow() + RollbackBudget;
            }
            else if (context.Time.GetUtcNow() >= deadline)
            {
                return new RolloutResult(false, false, $"{label} deployment {Short(arn)} is still {deployment.Status} after its rollback was asked for: the service needs attention",
                    deploymentId, RolloutStates.Failed, deployment.StatusReason, null, FailureKind.NeedsAttention);
            }
        }
    }

    /// <summary>
    /// A hook paused the deployment: ours (the test-traffic gate) runs its checks; another waits for its owner, and the
    /// time until it expires is returned, by which the wait budget grows.
    /// </summary>
    private async Task<TimeSpan> OnPausedAsync(string serviceName, string arn, ServiceDeployment deployment, DeploymentLifecycleHookDetail hook, CancellationToken cancellationToken)
    {
        if (deployment.LifecycleStage != LifecycleHookStages.PostTestTrafficShift || strategy.TestTraffic is not { } checks)
        {
            context.Warn($"{serviceName}: the deployment is paused at hook {hook.HookId} ({deployment.LifecycleStage}), which this run does not answer; it waits for ContinueServiceDeployment until {hook.ExpiresAt:u}, then {hook.TimeoutAction}; the run waits as long");
            var left = (hook.ExpiresAt ?? context.Time.GetUtcNow()) - context.Time.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
        context.Info($"{serviceName}: test traffic is on the new revision; checking it before production traffic moves");
        var failure = await TestTrafficChecks.RunAsync(context, checks, serviceName, cancellationToken).ConfigureAwait(false);
        if (failure is null)
        {
            context.Info($"{serviceName}: test traffic checks passed; continuing to production traffic");
            await context.Aws.Ecs.ContinueServiceDeploymentAsync(new ContinueServiceDeploymentRequest(arn, hook.HookId, LifecycleHookActions.Continue), cancellationToken).ConfigureAwait(false);
            return TimeSpan.Zero;
        }
        _ourFailure = $"test traffic check failed: {failure}";
        context.Warn($"{serviceName}: {_ourFailure}; rolling back (production traffic never moved)");
        await context.Aws.Ecs.ContinueServiceDeploymentAsync(new ContinueServiceDeploymentRequest(arn, hook.HookId, LifecycleHookActions.Rollback), cancellationToken).ConfigureAwait(false);
        return TimeSpan.Zero;
    }

    private async Task StopAsync(string arn, string why, CancellationToken cancellationToken)
    {
        try
        {
            context.Warn($"{why}: stopping service deployment {Short(arn)} with rollback");
            await context.Aws.Ecs.StopServiceDeploymentAsync(new StopServiceDeploymentRequest(arn, StopTypes.Rollback), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is "ConflictException" or "ClientException")
        {
            // It ended meanwhile (finished, or already rolling back): what follows shows how.
            context.Verbose($"StopServiceDeployment: {ex.Message}");
        }
    }

    private async Task<ServiceDeployment> DescribeAsync(string arn, CancellationToken cancellationToken)
    {
        var answer = await context.Aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([arn]), cancellationToken).ConfigureAwait(false);
        return answer.ServiceDeployments.FirstOrDefault(d => d.ServiceDeploymentArn == arn)
            ?? throw new PipelineStageException($"Service deployment {arn} is missing ({string.Join(", ", answer.Failures.Select(f => f.Reason))}).", FailureKind.NeedsAttention);
    }

    private TimeSpan? BakeLeft(ServiceDeployment deployment, DateTimeOffset stageSince)
    {
        var bake = deployment.LifecycleStage switch
        {
            "BAKE_TIME" => strategy.Strategy.Bake,
            LifecycleHookStages.ProductionTrafficShift when strategy.Strategy.PhaseBake > TimeSpan.Zero => strategy.Strategy.PhaseBake,
            _ => (TimeSpan?)null,
        };
        if (bake is not { } total)
        {
            return null;
        }
        var left = total - (context.Time.GetUtcNow() - stageSince);
        return left > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds)) : TimeSpan.Zero;
    }

    /// <summary>
    /// When to read next: every 15 s while the deployment cannot end for a while (a bake with more than 20 s left, the
    /// clean-up before the old tasks' deregistration delay is over), closing in to 5 s before the predicted end; every
    /// 5 s otherwise (scaling up, traffic shifts, our own gate). A rollback in progress is read likewise until the new
    /// revision's tasks may have drained. An alarm's rollback during a bake is seen within 15 s; the end of a deployment
    /// or of its rollback within 5 s of ECS deciding it.
    /// </summary>
    private TimeSpan NextRead(ServiceDeployment deployment, DateTimeOffset stageSince, TimeSpan? bakeLeft)
    {
        if (deployment.Status == ServiceDeploymentStatuses.RollbackInProgress && deployment.Rollback?.StartedAt is { } started)
        {
            // Production traffic is back on the old revision at once; the rollback ends once the new revision's tasks drained.
            var draining = started + _timings.DeregistrationDelay + _timings.StopAtMost - context.Time.GetUtcNow();
            return draining > TimeSpan.FromSeconds(20) ? TimeSpan.FromSeconds(Math.Min(Sparse.TotalSeconds, (draining - TimeSpan.FromSeconds(10)).TotalSeconds)) : Poll;
        }
        if (deployment.Status != ServiceDeploymentStatuses.InProgress)
        {
            return Poll;
        }
        var left = deployment.LifecycleStage == "CLEAN_UP"
            ? stageSince + _timings.DeregistrationDelay + _timings.StopAtMost - context.Time.GetUtcNow()
            : bakeLeft;
        return left is { } l && l > TimeSpan.FromSeconds(20) ? TimeSpan.FromSeconds(Math.Min(Sparse.TotalSeconds, (l - TimeSpan.FromSeconds(10)).TotalSeconds)) : Poll;
    }

    /// <summary>Lifecycle order of the stages a service deployment reports.</summary>
    internal static readonly IReadOnlyList<string> StageOrder =
    [
        LifecycleHookStages.ReconcileService, LifecycleHookStages.PreScaleUp, "SCALE_UP", LifecycleHookStages.PostScaleUp,
        LifecycleHookStages.TestTrafficShift, LifecycleHookStages.PostTestTrafficShift, LifecycleHookStages.ProductionTrafficShift,
        LifecycleHookStages.PostProductionTrafficShift, "BAKE_TIME", "CLEAN_UP",
    ];

    private static bool ReachedStage(string? current, string until)
    {
        var at = current is null ? -1 : StageOrder.ToList().IndexOf(current);
        var target = StageOrder.ToList().IndexOf(until);
        return target >= 0 && at >= target;
    }

    private static string Short(string arn) => arn[(arn.LastIndexOf('/') + 1)..];
}
