using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// The simulated ECS service scheduler: walks tasks through their states on the virtual clock, starts and drains
/// tasks toward the PRIMARY deployment, counts failed tasks toward the circuit breaker and rolls back.
/// </summary>
internal sealed class EcsScheduler(EcsWorld world)
{
    private static readonly TimeSpan ToPending = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ToRunning = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ToHealthy = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ToStopped = TimeSpan.FromSeconds(15);

    private DateTimeOffset Now => world.Now;

    /// <summary>Schedules a task's walk through its states, according to its behaviour.</summary>
    public void StartLifecycle(SimTask task, SimService? service)
    {
        world.At(ToPending, () => { if (task.DesiredStatus == TaskStatuses.Running) { task.LastStatus = TaskStatuses.Pending; } });
        switch (task.Behaviour)
        {
            case FailingToStartTask failing:
                world.At(ToRunning, () =>
                {
                    Stop(task, StopCodes.TaskFailedToStart, failing.Reason);
                    if (service is not null)
                    {
                        OnTaskFailed(service, task);
                    }
                });
                break;
            case ExitingTask exiting:
                world.At(ToRunning, () => Run(task));
                world.At(ToRunning + exiting.RunFor, () =>
                {
                    WriteLogs(task, exiting.LogLines);
                    foreach (var container in task.Containers)
                    {
                        container.ExitCode = exiting.ExitCode;
                    }
                    Stop(task, StopCodes.EssentialContainerExited, "Essential container in task exited");
                });
                break;
            case UnhealthyTask:
                world.At(ToRunning, () =>
                {
                    Run(task);
                    WriteLogs(task, ["listening on 3000", "GET /health 500 - Error: connect ECONNREFUSED 10.0.3.17:5432 (database unreachable)"]);
                    if (service is not null)
                    {
                        Reconcile(service);
                    }
                });
                world.At(ToRunning + ToHealthy, () =>
                {
                    if (task.LastStatus != TaskStatuses.Running || service is null)
                    {
                        return;
                    }
                    var loadBalancer = service.LoadBalancers.FirstOrDefault();
                    if (loadBalancer is not null)
                    {
                        world.AddEvent(service, $"(service {service.Name}) (task {task.Id}) (port {loadBalancer.ContainerPort}) is unhealthy in (target-group {loadBalancer.TargetGroupArn}) due to (reason Health checks failed with these codes: [500]).");
                        Stop(task, StopCodes.ServiceSchedulerInitiated, $"Task failed ELB health checks in (target-group {loadBalancer.TargetGroupArn})");
                    }
                    else
                    {
                        world.AddEvent(service, $"(service {service.Name}) (task {task.Id}) failed container health checks.");
                        Stop(task, StopCodes.ServiceSchedulerInitiated, "Task failed container health checks");
                    }
                    foreach (var container in task.Containers)
                    {
                        container.ExitCode = 137;
                    }
                    OnTaskFailed(service, task);
                });
                break;
            default:
                world.At(ToRunning, () =>
                {
                    Run(task);
                    WriteLogs(task, ["listening on 3000"]);
                    if (service is not null)
                    {
                        Reconcile(service);
                    }
                });
                world.At(ToRunning + ToHealthy, () =>
                {
                    if (task.LastStatus == TaskStatuses.Running)
                    {
                        task.Healthy = true;
                        if (service is not null)
                        {
                            var primary = service.Deployments.FirstOrDefault(d => d.Id == task.StartedBy);
                            if (primary is not null)
                            {
                                primary.FailedTasks = 0;
                            }
                            Reconcile(service);
                        }
                    }
                });
                break;
        }
    }

    private void Run(SimTask task)
    {
        if (task.DesiredStatus != TaskStatuses.Running)
        {
            return;
        }
        task.LastStatus = TaskStatuses.Running;
        task.StartedAt = Now;
        foreach (var container in task.Containers)
        {
            container.LastStatus = TaskStatuses.Running;
        }
        if (task.ServiceName is not null && world.Services.Values.FirstOrDefault(s => s.Name == task.ServiceName && s.Cluster == task.Cluster) is { } service
            && service.LoadBalancers.FirstOrDefault() is { } loadBalancer)
        {
            world.AddEvent(service, $"(service {service.Name}) registered 1 targets in (target-group {loadBalancer.TargetGroupArn})");
        }
    }

    private void Stop(SimTask task, string stopCode, string reason)
    {
        task.DesiredStatus = TaskStatuses.Stopped;
        task.LastStatus = TaskStatuses.Stopped;
        task.StopCode = stopCode;
        task.StoppedReason = reason;
        task.StoppedAt = Now;
        task.Healthy = false;
        foreach (var container in task.Containers)
        {
            container.LastStatus = TaskStatuses.Stopped;
        }
    }

    private void WriteLogs(SimTask task, IReadOnlyList<string> lines)
    {
        var definition = world.FindTaskDefinition(task.TaskDefinitionArn, "RunTask").Definition;
        foreach (var container in definition.ContainerDefinitions ?? [])
        {
            var options = container.LogConfiguration?.Options;
            if (options is not null && options.TryGetValue("awslogs-group", out var group) && options.TryGetValue("awslogs-stream-prefix", out var prefix))
            {
                world.Aws.Logs.Append(group, $"{prefix}/{container.Name}/{task.Id}", Now, lines);
            }
        }
    }

    private void OnTaskFailed(SimService service, SimTask task)
    {
        var deployment = service.Deployments.FirstOrDefault(d => d.Id == task.StartedBy);
        if (deployment is null)
        {
            return;
        }
        deployment.FailedTasks++;
        deployment.UpdatedAt = Now;
        var breaker = service.Configuration.DeploymentCircuitBreaker;
        var threshold = Math.Clamp((int)Math.Ceiling(0.5 * service.DesiredCount), 3, 200);
        if (deployment.Status == DeploymentStatuses.Primary && deployment.RolloutState == RolloutStates.InProgress && breaker?.Enable == true && deployment.FailedTasks >= threshold)
        {
            var startFailure = task.StopCode == StopCodes.TaskFailedToStart;
            deployment.RolloutState = RolloutStates.Failed;
            deployment.RolloutStateReason = $"ECS deployment circuit breaker: {(startFailure ? "tasks failed to start" : "tasks failed health checks")}.";
            world.AddEvent(service, $"(service {service.Name}) (deployment {deployment.Id}) deployment failed: {(startFailure ? "tasks failed to start" : "tasks failed health checks")}.");
            if (breaker.Rollback && service.LastCompleted is { } good)
            {
                RollBack(service, deployment, good);
            }
        }
        Reconcile(service);
    }

    private void RollBack(SimService service, SimDeployment failed, (string Id, string TaskDefinition) good)
    {
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
        world.AddEvent(service, $"(service {service.Name}) rolling back to deployment {good.Id}.");
    }

    /// <summary>The service scheduler: start, drain and stop tasks toward the PRIMARY deployment's desired count.</summary>
    public void Reconcile(SimService service)
    {
        var primary = service.Deployments[0];
        var desired = service.DesiredCount;
        var maxTotal = (int)Math.Floor(desired * (service.Configuration.MaximumPercent ?? 200) / 100.0);
        var minHealthy = (int)Math.Ceiling(desired * (service.Configuration.MinimumHealthyPercent ?? 100) / 100.0);

        // A FAILED primary (circuit breaker without rollback) keeps relaunching, as ECS does.
        var live = world.Tasks.Where(t => t.ServiceName == service.Name && t.Cluster == service.Cluster && t.DesiredStatus == TaskStatuses.Running).ToList();
        var primaryLive = live.Where(t => t.StartedBy == primary.Id).ToList();
        var canStart = Math.Min(desired - primaryLive.Count, maxTotal - live.Count);
        if (!(primary.RolloutState == RolloutStates.Failed && service.Configuration.DeploymentCircuitBreaker?.Enable == true))
        {
            var definition = world.FindTaskDefinition(primary.TaskDefinition, "UpdateService").Definition;
            for (var i = 0; i < canStart; i++)
            {
                var behaviour = world.Behaviour(new TaskLaunch(definition, service.Name, null));
                var task = world.NewTask(service.Cluster, primary.TaskDefinition, $"service:{service.Name}", primary.Id, behaviour, service.Name, null);
                world.AddEvent(service, $"(service {service.Name}) has started 1 tasks: (task {task.Id}).");
                StartLifecycle(task, service);
            }
        }

        // Drain old tasks while the healthy count stays at or above the minimum.
        var healthy = live.Count(t => t.Healthy);
        foreach (var old in live.Where(t => t.StartedBy != primary.Id).OrderBy(t => t.Healthy).ToList())
        {
            var primaryHealthy = primaryLive.Count(t => t.Healthy);
            if (old.Healthy && (healthy - 1 < minHealthy || primaryHealthy == 0))
            {
                continue;
            }
            if (old.Healthy)
            {
                healthy--;
            }
            world.AddEvent(service, $"(service {service.Name}) has begun draining connections on 1 tasks.");
            old.DesiredStatus = TaskStatuses.Stopped;
            old.LastStatus = TaskStatuses.Deactivating;
            var stopping = old;
            world.At(ToStopped, () =>
            {
                Stop(stopping, StopCodes.ServiceSchedulerInitiated, $"Scaling activity initiated by (deployment {primary.Id})");
                world.AddEvent(service, $"(service {service.Name}) has stopped 1 running tasks: (task {stopping.Id}).");
                Reconcile(service);
            });
        }

        // Deployments whose tasks are all gone drop out of the list.
        foreach (var deployment in service.Deployments.Skip(1).ToList())
        {
            if (!world.Tasks.Any(t => t.StartedBy == deployment.Id && t.ServiceName == service.Name && t.LastStatus != TaskStatuses.Stopped))
            {
                service.Deployments.Remove(deployment);
            }
        }

        // Completed: the primary runs its desired count, all healthy, and no other deployment is left.
        var running = world.Tasks.Count(t => t.StartedBy == primary.Id && t.ServiceName == service.Name && t.LastStatus == TaskStatuses.Running && t.Healthy);
        if (primary.RolloutState == RolloutStates.InProgress && running >= desired && service.Deployments.Count == 1)
        {
            primary.RolloutState = RolloutStates.Completed;
            primary.RolloutStateReason = $"ECS deployment {primary.Id} completed.";
            primary.UpdatedAt = Now;
            service.LastCompleted = (primary.Id, primary.TaskDefinition);
            world.AddEvent(service, $"(service {service.Name}) (deployment {primary.Id}) deployment completed.");
            world.AddEvent(service, $"(service {service.Name}) has reached a steady state.");
        }
    }
}
