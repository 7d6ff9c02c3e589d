using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// A task's walk through its states on the virtual clock: PROVISIONING, PENDING (5 s), the launch checks (image,
/// secrets, log group) at 20 s, ACTIVATING while its target registers (behind a load balancer), RUNNING; then
/// health as the target group and the container health check report it, with the service's grace period; and
/// DEACTIVATING (the deregistration delay), STOPPING, DEPROVISIONING and STOPPED when it stops.
/// </summary>
internal sealed class TaskLifecycle(EcsWorld world, EcsScheduler scheduler)
{
    private static readonly TimeSpan ToPending = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ToLaunch = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Activating = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CrashAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan NoCheckHealthy = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan Stopping = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Deprovisioning = TimeSpan.FromSeconds(10);

    // Exit code of a process stopped by SIGTERM (128 + 15); 137 (SIGKILL) is for OOM kills only.
    private const int SigtermExit = 143;

    private DateTimeOffset Now => world.Now;

    /// <summary>Schedules a task's walk through its states, according to its behaviour.</summary>
    public void Start(SimTask task, SimService? service)
    {
        world.At(ToPending, () => { if (task.DesiredStatus == TaskStatuses.Running) { task.LastStatus = TaskStatuses.Pending; } });
        world.At(ToLaunch, () => Launch(task, service));
    }

    private void Launch(SimTask task, SimService? service)
    {
        if (task.DesiredStatus != TaskStatuses.Running)
        {
            return;
        }
        var definition = world.FindTaskDefinition(task.TaskDefinitionArn, "RunTask").Definition;
        var failure = task.Behaviour is FailingToStartTask failing ? failing.Reason : LaunchChecks.Check(world.Aws, definition);
        if (failure is not null)
        {
            Deprovision(task, StopCodes.TaskFailedToStart, failure, service);
            Failed(task, service);
            return;
        }
        if (task.Behaviour is CrashingTask crashing)
        {
            foreach (var container in task.Containers)
            {
                container.LastStatus = TaskStatuses.Running;
            }
            world.At(CrashAfter, () =>
            {
                WriteLogs(task, crashing.LogLines);
                foreach (var container in task.Containers)
                {
                    container.ExitCode = crashing.ExitCode;
                }
                foreach (var container in task.Containers)
                {
                    container.LastStatus = TaskStatuses.Stopped;
                }
                Deprovision(task, StopCodes.EssentialContainerExited, "Essential container in task exited", service);
                Failed(task, service);
            });
            return;
        }
        var loadBalancer = service?.LoadBalancers.FirstOrDefault();
        if (loadBalancer is not null)
        {
            task.LastStatus = TaskStatuses.Activating;
            world.At(Activating, () => Run(task, service, definition, loadBalancer));
        }
        else
        {
            Run(task, service, definition, null);
        }
    }

    private void Run(SimTask task, SimService? service, TaskDefinition definition, ServiceLoadBalancer? loadBalancer)
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
        var check = definition.ContainerDefinitions?.FirstOrDefault(c => c.Essential != false && c.HealthCheck is not null)?.HealthCheck;
        task.HasContainerCheck = check is not null;
        if (service is not null)
        {
            if (loadBalancer is not null)
            {
                world.AddEvent(service, $"(service {service.Name}) registered 1 targets in (target-group {loadBalancer.TargetGroupArn})");
            }
            scheduler.OnTaskRunning(service, task);
        }
        switch (task.Behaviour)
        {
            case ExitingTask exiting:
                world.At(exiting.RunFor, () =>
                {
                    if (task.DesiredStatus != TaskStatuses.Running)
                    {
                        return;
                    }
                    WriteLogs(task, exiting.LogLines);
                    foreach (var container in task.Containers)
                    {
                        container.ExitCode = exiting.ContainerExitCodes?.GetValueOrDefault(container.Name) ?? exiting.ExitCode;
                    }
                    var wasHealthy = task.Healthy;
                    StopNow(task, StopCodes.EssentialContainerExited, "Essential container in task exited");
                    if (service is not null && !wasHealthy)
                    {
                        Failed(task, service);
                    }
                    else if (service is not null)
                    {
                        scheduler.Reconcile(service);
                    }
                });
                break;
            case OutOfMemoryTask oom:
                WriteLogs(task, ["listening on 3000"]);
                ScheduleHealthy(task, service, check, loadBalancer);
                world.At(oom.After, () =>
                {
                    if (task.DesiredStatus != TaskStatuses.Running)
                    {
                        return;
                    }
                    foreach (var container in task.Containers)
                    {
                        container.ExitCode = 137;
                        container.Reason = "OutOfMemoryError: Container killed due to memory usage";
                    }
                    task.Healthy = false;
                    task.DesiredStatus = TaskStatuses.Stopped;
                    task.StopCode = StopCodes.EssentialContainerExited;
                    task.StoppedReason = "Essential container in task exited";
                    task.LastStatus = TaskStatuses.Stopping;
                    Finish(task, null, service);
                    if (service is not null)
                    {
                        scheduler.Reconcile(service);
                    }
                });
                break;
            case UnhealthyTask:
                WriteLogs(task, ["listening on 3000", "GET /health 500 - Error: connect ECONNREFUSED 10.0.3.17:5432 (database unreachable)"]);
                ScheduleUnhealthy(task, service, check, loadBalancer);
                break;
            default:
                WriteLogs(task, ["listening on 3000"]);
                ScheduleHealthy(task, service, check, loadBalancer);
                break;
        }
        if (service is not null)
        {
            scheduler.Reconcile(service);
        }
    }

    private void ScheduleHealthy(SimTask task, SimService? service, HealthCheck? check, ServiceLoadBalancer? loadBalancer)
    {
        var containerHealthy = check is null ? TimeSpan.Zero : TimeSpan.FromSeconds(check.Interval ?? 30);
        var targetHealthy = loadBalancer?.TargetGroupArn is { } tg ? world.Aws.Elbv2.Health(tg).TimeToHealthy : TimeSpan.Zero;
        var after = loadBalancer is null && check is null ? NoCheckHealthy : containerHealthy > targetHealthy ? containerHealthy : targetHealthy;
        if (check is not null)
        {
            world.At(containerHealthy, () => { if (task.LastStatus == TaskStatuses.Running) { task.ContainerHealth = HealthStatuses.Healthy; } });
        }
        world.At(after, () =>
        {
            if (task.LastStatus != TaskStatuses.Running)
            {
                return;
            }
            task.Healthy = true;
            if (service is not null)
            {
                scheduler.Reconcile(service);
            }
        });
    }

    private void ScheduleUnhealthy(SimTask task, SimService? service, HealthCheck? check, ServiceLoadBalancer? loadBalancer)
    {
        var containerUnhealthy = check is null ? (TimeSpan?)null : TimeSpan.FromSeconds((check.Interval ?? 30) * (check.Retries ?? 3) + (check.StartPeriod ?? 0));
        var targetUnhealthy = loadBalancer?.TargetGroupArn is { } tg ? world.Aws.Elbv2.Health(tg).TimeToUnhealthy : (TimeSpan?)null;
        if (containerUnhealthy is { } c)
        {
            world.At(c, () => { if (task.LastStatus == TaskStatuses.Running) { task.ContainerHealth = HealthStatuses.Unhealthy; } });
        }
        if (service is null || (containerUnhealthy is null && targetUnhealthy is null))
        {
            // Nothing checks it: ECS counts it healthy 40 s after RUNNING, whatever the application answers.
            ScheduleHealthy(task, service, null, null);
            return;
        }
        var byTarget = targetUnhealthy is { } t && (containerUnhealthy is null || t <= containerUnhealthy);
        var detected = byTarget ? targetUnhealthy!.Value : containerUnhealthy!.Value;
        // ECS ignores failing checks during the service's health check grace period.
        var grace = TimeSpan.FromSeconds(service.HealthCheckGracePeriodSeconds);
        world.At(detected > grace ? detected : grace, () =>
        {
            if (task.DesiredStatus != TaskStatuses.Running)
            {
                return;
            }
            string reason;
            if (byTarget)
            {
                world.AddEvent(service, $"(service {service.Name}) (task {task.Id}) (port {loadBalancer!.ContainerPort}) is unhealthy in (target-group {loadBalancer.TargetGroupArn}) due to (reason Health checks failed with these codes: [500]).");
                reason = $"Task failed ELB health checks in (target-group {loadBalancer.TargetGroupArn})";
            }
            else
            {
                world.AddEvent(service, $"(service {service.Name}) (task {task.Id}) failed container health checks.");
                reason = "Task failed container health checks";
            }
            BeginStop(task, StopCodes.ServiceSchedulerInitiated, reason, SigtermExit, service);
            Failed(task, service);
        });
    }

    /// <summary>Stops tasks for the scheduler: draining connections for the deregistration delay first when behind a load balancer.</summary>
    public void Drain(SimService service, IReadOnlyList<SimTask> tasks, string reason)
    {
        // Tasks that never registered as targets have nothing to drain.
        var loadBalancer = service.LoadBalancers.FirstOrDefault();
        var unregistered = tasks.Where(t => t.LastStatus is not (TaskStatuses.Running or TaskStatuses.Activating)).ToList();
        foreach (var task in unregistered)
        {
            task.DesiredStatus = TaskStatuses.Stopped;
            task.StopCode = StopCodes.ServiceSchedulerInitiated;
            task.StoppedReason = reason;
            task.LastStatus = TaskStatuses.Stopping;
            Finish(task, null, service);
        }
        tasks = [.. tasks.Except(unregistered)];
        if (tasks.Count == 0)
        {
            return;
        }
        foreach (var task in tasks)
        {
            task.DesiredStatus = TaskStatuses.Stopped;
            task.StopCode = StopCodes.ServiceSchedulerInitiated;
            task.StoppedReason = reason;
            task.LastStatus = loadBalancer is null ? TaskStatuses.Stopping : TaskStatuses.Deactivating;
        }
        var ids = string.Join(' ', tasks.Select(t => $"(task {t.Id})"));
        if (loadBalancer?.TargetGroupArn is not { } targetGroup)
        {
            world.AddEvent(service, $"(service {service.Name}) has stopped {tasks.Count} running tasks: {ids}.");
            foreach (var task in tasks)
            {
                Finish(task, SigtermExit, service);
            }
            return;
        }
        world.AddEvent(service, $"(service {service.Name}) has begun draining connections on {tasks.Count} tasks.");
        world.At(world.Aws.Elbv2.Health(targetGroup).TimeToDrain, () =>
        {
            world.AddEvent(service, $"(service {service.Name}) has stopped {tasks.Count} running tasks: {ids}.");
            foreach (var task in tasks)
            {
                task.LastStatus = TaskStatuses.Stopping;
                Finish(task, SigtermExit, service);
            }
        });
    }

    /// <summary>StopTask: STOPPING at once, then STOPPED with stopCode UserInitiated; running containers exit 143 (SIGTERM).</summary>
    public void StopByUser(SimTask task, string reason, SimService? service) => BeginStop(task, StopCodes.UserInitiated, reason, SigtermExit, service);

    /// <summary>
    /// Fargate Spot takes its capacity back: the warning (desired STOPPED, still RUNNING, stopCode TerminationNotice,
    /// "Your Spot Task was interrupted.", SIGTERM to the containers), then STOPPING and STOPPED with stopCode
    /// SpotInterruption. Not a failure of the deployment; the service scheduler replaces the task.
    /// </summary>
    public void InterruptSpot(SimTask task, SimService? service)
    {
        const string Reason = "Your Spot Task was interrupted.";
        task.DesiredStatus = TaskStatuses.Stopped;
        task.StopCode = StopCodes.TerminationNotice;
        task.StoppedReason = Reason;
        task.Healthy = false;
        // The simulated application exits at SIGTERM, so the task leaves RUNNING a second later, not two minutes later.
        world.At(TimeSpan.FromSeconds(1), () =>
        {
            task.StopCode = StopCodes.SpotInterruption;
            task.LastStatus = TaskStatuses.Stopping;
            Finish(task, SigtermExit, service);
        });
        if (service is not null)
        {
            // The service scheduler gets the interruption too and launches a replacement at once.
            scheduler.Reconcile(service);
        }
    }

    private void Failed(SimTask task, SimService? service)
    {
        if (service is not null)
        {
            scheduler.OnTaskFailed(service, task);
        }
    }

    /// <summary>The task is told to stop: STOPPING, then DEPROVISIONING and STOPPED.</summary>
    private void BeginStop(SimTask task, string stopCode, string reason, int? exitCode, SimService? service)
    {
        task.DesiredStatus = TaskStatuses.Stopped;
        task.StopCode = stopCode;
        task.StoppedReason = reason;
        task.LastStatus = TaskStatuses.Stopping;
        task.Healthy = false;
        Finish(task, exitCode, service);
    }

    private void Finish(SimTask task, int? exitCode, SimService? service)
    {
        world.At(Stopping, () =>
        {
            task.LastStatus = TaskStatuses.Deprovisioning;
            foreach (var container in task.Containers.Where(c => c.LastStatus == TaskStatuses.Running))
            {
                container.LastStatus = TaskStatuses.Stopped;
                container.ExitCode ??= exitCode;
            }
        });
        world.At(Stopping + Deprovisioning, () =>
        {
            StopNow(task, task.StopCode!, task.StoppedReason!);
            if (service is not null)
            {
                scheduler.Reconcile(service);
            }
        });
    }

    /// <summary>A task that never ran (it failed to start, or crashed at start): DEPROVISIONING, then STOPPED.</summary>
    private void Deprovision(SimTask task, string stopCode, string reason, SimService? service)
    {
        task.DesiredStatus = TaskStatuses.Stopped;
        task.StopCode = stopCode;
        task.StoppedReason = reason;
        task.LastStatus = TaskStatuses.Deprovisioning;
        world.At(Deprovisioning, () =>
        {
            StopNow(task, stopCode, reason);
            if (service is not null)
            {
                scheduler.Reconcile(service);
            }
        });
    }

    /// <summary>The task is STOPPED now.</summary>
    private void StopNow(SimTask task, string stopCode, string reason)
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
}
