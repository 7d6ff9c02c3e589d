using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// The simulated ECS service scheduler: walks tasks through their states on the virtual clock (see
/// <see cref="TaskLifecycle"/>), starts and drains tasks toward the PRIMARY deployment within minimumHealthyPercent
/// and maximumPercent, counts failed tasks toward the circuit breaker and rolls back.
/// </summary>
internal sealed class EcsScheduler
{
    private static readonly TimeSpan PlacementRetry = TimeSpan.FromMinutes(1);
    // How long the scheduler waits before it tries again to launch tasks it could not launch (a role ECS cannot assume).
    private static readonly TimeSpan LaunchRetry = TimeSpan.FromSeconds(30);
    private readonly EcsWorld _world;

    public EcsScheduler(EcsWorld world)
    {
        _world = world;
        Lifecycle = new TaskLifecycle(world, this);
    }

    public TaskLifecycle Lifecycle { get; }

    private DateTimeOffset Now => _world.Now;

    /// <summary>
    /// A task of <paramref name="service"/> failed (never launched, never RUNNING, exited before healthy, or stopped for
    /// a failed health check): counts toward the breaker; at the threshold the deployment FAILS and rolls back.
    /// </summary>
    public void OnTaskFailed(SimService service, SimTask task)
    {
        var deployment = service.Deployments.FirstOrDefault(d => d.Id == task.StartedBy);
        if (deployment is null)
        {
            return;
        }
        CountFailure(service, deployment);
        Reconcile(service);
    }

    /// <summary>One failed task (or failed launch) of <paramref name="deployment"/> toward the breaker; true when it tripped it.</summary>
    private bool CountFailure(SimService service, SimDeployment deployment)
    {
        deployment.FailedTasks++;
        deployment.UpdatedAt = Now;
        var breaker = service.Configuration.DeploymentCircuitBreaker;
        // ECS applies the breaker to rolling deployments only: under BLUE_GREEN, LINEAR and CANARY alarms and hooks roll back.
        if (deployment.Status == DeploymentStatuses.Primary && deployment.RolloutState == RolloutStates.InProgress && breaker?.Enable == true
            && !StrategyEngine.IsNative(service.Configuration) && deployment.FailedTasks >= BreakerThreshold(service.DesiredCount))
        {
            // One wording for every trip, health-check failures included (aws/containers-roadmap#1488).
            deployment.RolloutState = RolloutStates.Failed;
            deployment.RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
            _world.AddEvent(service, $"(service {service.Name}) (deployment {deployment.Id}) deployment failed: tasks failed to start.");
            var rollsBack = breaker.Rollback && service.LastCompleted is not null;
            if (rollsBack)
            {
                RollBack(service, deployment, service.LastCompleted!.Value);
            }
            _world.ServiceDeployments.OnBreakerTripped(service, deployment, rollsBack ? service.Deployments[0] : null);
            return true;
        }
        return false;
    }

    /// <summary>A task of the deployment reached RUNNING: the first one ends stage 1 of the breaker and resets its count.</summary>
    public void OnTaskRunning(SimService service, SimTask task)
    {
        if (service.Deployments.FirstOrDefault(d => d.Id == task.StartedBy) is { ReachedRunning: false } deployment)
        {
            deployment.ReachedRunning = true;
            deployment.FailedTasks = 0;
        }
    }

    /// <summary>ceil(desired / 2), clamped to 3..200 (the default BOUNDED_PERCENT 50).</summary>
    public static int BreakerThreshold(int desiredCount) => Math.Clamp((int)Math.Ceiling(0.5 * desiredCount), 3, 200);

    private void RollBack(SimService service, SimDeployment failed, (string Id, string TaskDefinition) good)
    {
        // The failed deployment stays in the list as ACTIVE/FAILED while its tasks drain.
        failed.Status = DeploymentStatuses.Active;
        var target = service.Deployments.FirstOrDefault(d => d.Id == good.Id);
        if (target is null)
        {
            // The good deployment has drained away: a new one with its id and task definition (ECS reuses the id).
            target = new SimDeployment(good.Id, good.TaskDefinition, Now) { DesiredCount = service.DesiredCount };
            service.Deployments.Add(target);
        }
        service.Deployments.Remove(target);
        service.Deployments.Insert(0, target);
        target.Status = DeploymentStatuses.Primary;
        target.RolloutState = RolloutStates.InProgress;
        target.RolloutStateReason = $"ECS deployment circuit breaker: rolling back to deploymentId {good.Id}.";
        target.DesiredCount = service.DesiredCount;
        target.UpdatedAt = Now;
        _world.AddEvent(service, $"(service {service.Name}) rolling back to deployment {good.Id}.");
    }

    /// <summary>The service scheduler: drain old tasks within minimumHealthyPercent, start new ones within maximumPercent.</summary>
    public void Reconcile(SimService service)
    {
        var primary = service.Deployments[0];
        var desired = service.DesiredCount;
        // A blue/green, linear or canary deployment runs the new revision in full beside the old one until clean-up.
        var held = _world.Strategies.HoldsOldTasks(service);
        var maxTotal = held ? int.MaxValue : (int)Math.Floor(desired * (service.Configuration.MaximumPercent ?? 200) / 100.0);
        var minHealthy = (int)Math.Ceiling(desired * (service.Configuration.MinimumHealthyPercent ?? 100) / 100.0);
        var live = LiveTasks(service);

        // Drain old tasks while the healthy count stays at or above the minimum; unhealthy old tasks go first. With
        // maximumPercent 100 this is what makes room for the new tasks (ECS stops old tasks first).
        var healthy = live.Count(t => t.Healthy);
        var draining = new List<SimTask>();
        foreach (var old in live.Where(t => t.StartedBy != primary.Id).OrderBy(t => t.Healthy).ToList())
        {
            if (old.Healthy && healthy - 1 < minHealthy)
            {
                continue;
            }
            if (old.Healthy)
            {
                healthy--;
            }
            draining.Add(old);
        }
        // Scale in: the PRIMARY's tasks beyond the desired count go, those not yet running first.
        var excess = live.Where(t => t.StartedBy == primary.Id).OrderBy(t => t.Healthy).ThenByDescending(t => t.LastStatus != TaskStatuses.Running).ToList();
        draining.AddRange(excess.Take(Math.Max(0, excess.Count - desired)));
        if (draining.Count > 0 && !held)
        {
            Lifecycle.Drain(service, draining, $"Scaling activity initiated by (deployment {primary.Id})");
            live = LiveTasks(service);
        }

        // A FAILED primary (circuit breaker without rollback) launches nothing more.
        var primaryLive = live.Count(t => t.StartedBy == primary.Id);
        var canStart = Math.Min(desired - primaryLive, maxTotal - live.Count);
        if (canStart > 0 && !(primary.RolloutState == RolloutStates.Failed && service.Configuration.DeploymentCircuitBreaker?.Enable == true))
        {
            var definition = _world.FindTaskDefinition(primary.TaskDefinition, "UpdateService").Definition;
            var started = new List<SimTask>();
            if (LaunchChecks.RoleProblem(_world.Aws, definition) is { } roleProblem)
            {
                FailLaunches(service, primary, canStart, roleProblem);
                canStart = 0;
            }
            for (var i = 0; i < canStart; i++)
            {
                var behaviour = _world.Behaviour(new TaskLaunch(definition, service.Name, null));
                if (behaviour is UnplaceableTask unplaceable)
                {
                    _world.AddEvent(service, $"(service {service.Name}) was unable to place a task. Reason: {unplaceable.Reason}.");
                    _world.At(PlacementRetry, () => Reconcile(service));
                    break;
                }
                started.Add(_world.NewTask(service.Cluster, primary.TaskDefinition, $"service:{service.Name}", primary.Id, behaviour, service.Name, null));
            }
            if (started.Count > 0)
            {
                _world.AddEvent(service, $"(service {service.Name}) has started {started.Count} tasks: {string.Join(' ', started.Select(t => $"(task {t.Id})"))}.");
                foreach (var task in started)
                {
                    Lifecycle.Start(task, service);
                }
            }
        }

        // Deployments whose tasks are all gone drop out of the list.
        foreach (var deployment in service.Deployments.Skip(1).ToList())
        {
            if (!_world.Tasks.Any(t => t.StartedBy == deployment.Id && t.ServiceName == service.Name && t.LastStatus != TaskStatuses.Stopped))
            {
                service.Deployments.Remove(deployment);
            }
        }

        // Completed: the primary runs its desired count, all healthy, and no other deployment is left.
        var running = _world.Tasks.Count(t => t.StartedBy == primary.Id && t.ServiceName == service.Name && t.LastStatus == TaskStatuses.Running && t.Healthy);
        if (primary.RolloutState == RolloutStates.InProgress && running >= desired && service.Deployments.Count == 1)
        {
            primary.RolloutState = RolloutStates.Completed;
            primary.RolloutStateReason = $"ECS deployment {primary.Id} completed.";
            primary.UpdatedAt = Now;
            service.LastCompleted = (primary.Id, primary.TaskDefinition);
            _world.ServiceDeployments.OnCompleted(service, primary);
            _world.AddEvent(service, $"(service {service.Name}) (deployment {primary.Id}) deployment completed.");
            _world.AddEvent(service, $"(service {service.Name}) has reached a steady state.");
            service.SteadyStatePending = false;
        }
        else if (service.SteadyStatePending && primary.RolloutState == RolloutStates.Completed && service.Deployments.Count == 1 && running == desired
            && !_world.Tasks.Any(t => t.ServiceName == service.Name && t.Cluster == service.Cluster && t.LastStatus != TaskStatuses.Stopped && (t.StartedBy != primary.Id || t.DesiredStatus == TaskStatuses.Stopped)))
        {
            // A scaling that settled (the count changed with no new deployment).
            service.SteadyStatePending = false;
            _world.AddEvent(service, $"(service {service.Name}) has reached a steady state.");
        }
    }

    /// <summary>
    /// ECS cannot assume a role of the revision: the scheduler creates no task, posts "failed to launch a task with
    /// (error ...)", and each launch it attempted counts toward the breaker (stage 1: never RUNNING); it tries again
    /// after <see cref="LaunchRetry"/>, and a rollback the breaker starts is reconciled at once.
    /// </summary>
    private void FailLaunches(SimService service, SimDeployment primary, int attempts, string problem)
    {
        if (primary.LaunchRetryAt is { } retry && Now < retry)
        {
            return;
        }
        primary.LaunchRetryAt = Now + LaunchRetry;
        _world.AddEvent(service, $"(service {service.Name}) failed to launch a task with (error {problem}).");
        for (var i = 0; i < attempts; i++)
        {
            if (CountFailure(service, primary))
            {
                break;
            }
        }
        _world.At(service.Deployments[0] == primary ? LaunchRetry : TimeSpan.Zero, () => Reconcile(service));
    }

    private List<SimTask> LiveTasks(SimService service)
        => [.. _world.Tasks.Where(t => t.ServiceName == service.Name && t.Cluster == service.Cluster && t.DesiredStatus == TaskStatuses.Running)];
}
