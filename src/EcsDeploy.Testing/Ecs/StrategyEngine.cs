using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// ECS's native BLUE_GREEN, LINEAR and CANARY deployments on the virtual clock: the new revision scales up beside the
/// old one, test traffic moves to it, production traffic moves as the strategy says (all at once, in linear steps, or a
/// canary share first), the bake runs, then the old revision is cleaned up. Lifecycle hooks run at their stages (a PAUSE
/// hook waits for ContinueServiceDeployment until its timeout, then takes its timeout action), and a watched alarm in
/// ALARM state rolls the deployment back. Every member is called under <see cref="SimulatedAws.Gate"/>.
/// </summary>
internal sealed class StrategyEngine(EcsWorld world)
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    private static readonly string[] Stages =
    [
        LifecycleHookStages.PreScaleUp, "SCALE_UP", LifecycleHookStages.PostScaleUp, LifecycleHookStages.TestTrafficShift,
        LifecycleHookStages.PostTestTrafficShift, LifecycleHookStages.ProductionTrafficShift, LifecycleHookStages.PostProductionTrafficShift,
        "BAKE_TIME", "CLEAN_UP",
    ];

    private int _hookNumber;

    public List<SimStrategyRun> Runs { get; } = [];

    /// <summary>Test listeners: (load balancer DNS name, port) to the service whose new revision answers there.</summary>
    public Dictionary<(string Host, int Port), string> TestListeners { get; } = [];

    /// <summary>Alarm states a test or a fault set: name to whether it is in ALARM.</summary>
    public Dictionary<string, bool> Alarms { get; } = new(StringComparer.Ordinal);

    /// <summary>The fault alarm-during-bake: a run's alarms go into ALARM when it starts to bake.</summary>
    public bool AlarmsFireDuringBake { get; set; }

    /// <summary>What a Lambda hook answers (SUCCEEDED, FAILED, or IN_PROGRESS to be asked again): by default SUCCEEDED.</summary>
    public Func<string, string, string> LambdaAnswer { get; set; } = (_, _) => LifecycleHookStatuses.Succeeded;

    public static bool IsNative(DeploymentConfiguration configuration)
        => configuration.Strategy is DeploymentStrategies.BlueGreen or DeploymentStrategies.Linear or DeploymentStrategies.Canary;

    /// <summary>Whether the scheduler must keep the old revision of <paramref name="service"/> running (a native deployment is under way).</summary>
    public bool HoldsOldTasks(SimService service) => Runs.Any(r => ReferenceEquals(r.Service, service) && !r.Ended && r.HoldsOldTasks);

    public SimStrategyRun? Active(SimService service) => Runs.LastOrDefault(r => ReferenceEquals(r.Service, service) && !r.Ended);

    public SimStrategyRun? Find(string serviceDeploymentArn) => Runs.LastOrDefault(r => r.Record.Arn == serviceDeploymentArn);

    /// <summary>UpdateService started a native deployment: the previous one (if any) ends, this one enters PRE_SCALE_UP.</summary>
    public void Begin(SimService service, SimServiceDeployment record, SimDeployment target, SimDeployment source)
    {
        foreach (var older in Runs.Where(r => ReferenceEquals(r.Service, service) && !r.Ended))
        {
            older.Ended = true;
        }
        var run = new SimStrategyRun(service, record, target, source, service.Configuration);
        var index = 0;
        foreach (var hook in service.Configuration.LifecycleHooks ?? [])
        {
            foreach (var stage in hook.LifecycleStages ?? [])
            {
                run.Hooks.Add(new SimHook($"hook-{++_hookNumber:D4}-{index}", hook, stage));
            }
            index++;
        }
        Runs.Add(run);
        Enter(run, LifecycleHookStages.PreScaleUp);
        world.At(Tick, () => Step(run));
    }

    /// <summary>ContinueServiceDeployment on a paused hook.</summary>
    public void Continue(SimStrategyRun run, string? hookId, string action, Func<string, AwsServiceException> refuse)
    {
        var paused = run.Hooks.FirstOrDefault(h => h.Status == LifecycleHookStatuses.AwaitingAction && (hookId is null || h.Id == hookId))
            ?? throw refuse(hookId is null ? "The service deployment is not paused at a lifecycle hook." : $"The lifecycle hook {hookId} is not awaiting action.");
        if (action == LifecycleHookActions.Rollback)
        {
            paused.Status = LifecycleHookStatuses.Failed;
            RollBack(run, $"Rolled back by ContinueServiceDeployment at lifecycle hook {paused.Id} ({run.Stage}).");
            return;
        }
        paused.Status = LifecycleHookStatuses.Succeeded;
        Step(run);
    }

    /// <summary>StopServiceDeployment with ROLLBACK.</summary>
    public void Stop(SimStrategyRun run) => RollBack(run, "Stopped by StopServiceDeployment: rolling back to the previous service revision.");

    /// <summary>Adds what a native deployment shows to its DescribeServiceDeployments answer.</summary>
    public ServiceDeployment Decorate(SimServiceDeployment record, ServiceDeployment described)
    {
        var run = Runs.LastOrDefault(r => ReferenceEquals(r.Record, record));
        if (run is null)
        {
            return described;
        }
        var alarms = run.Configuration.Alarms;
        return described with
        {
            TargetServiceRevision = described.TargetServiceRevision is { } target
                ? target with { RequestedProductionTrafficWeight = run.ProductionPercent, RequestedTestTrafficWeight = run.TestPercent }
                : null,
            SourceServiceRevisions = [.. described.SourceServiceRevisions.Select(s => s with
            {
                RequestedProductionTrafficWeight = 100 - run.ProductionPercent,
                RequestedTestTrafficWeight = 100 - run.TestPercent,
            })],
            LifecycleHookDetails = [.. run.Hooks.Where(h => h.Status is not null && h.Stage == run.Stage || h.Status == LifecycleHookStatuses.AwaitingAction).Select(h => new DeploymentLifecycleHookDetail
            {
                HookId = h.Id,
                TargetType = h.Hook.TargetType,
                TargetArn = h.Hook.HookTargetArn,
                Status = h.Status,
                ExpiresAt = h.ExpiresAt,
                TimeoutAction = h.TimeoutAction,
            })],
            Alarms = alarms is { Enable: true }
                ? new ServiceDeploymentAlarms
                {
                    Status = run.TriggeredAlarms.Count > 0 ? RollbackMonitorStatuses.Triggered : record.IsFinished ? RollbackMonitorStatuses.MonitoringComplete : RollbackMonitorStatuses.Monitoring,
                    AlarmNames = alarms.AlarmNames,
                    TriggeredAlarmNames = [.. run.TriggeredAlarms],
                }
                : described.Alarms,
        };
    }

    private void Step(SimStrategyRun run)
    {
        if (run.Ended || run.Record.IsFinished)
        {
            run.Ended = true;
            return;
        }
        if (run.Stage != "CLEAN_UP" && run.Configuration.Alarms is { Enable: true } alarms
            && alarms.AlarmNames.Where(a => Alarms.GetValueOrDefault(a)).ToList() is { Count: > 0 } firing)
        {
            run.TriggeredAlarms.AddRange(firing);
            RollBack(run, $"CloudWatch alarm(s) {string.Join(", ", firing)} in ALARM state.");
            return;
        }
        while (!run.Ended && StageDone(run) && HooksDone(run))
        {
            var next = Array.IndexOf(Stages, run.Stage) + 1;
            if (next >= Stages.Length)
            {
                break;
            }
            Enter(run, Stages[next]);
        }
        if (!run.Ended)
        {
            world.At(Tick, () => Step(run));
        }
    }

    private void Enter(SimStrategyRun run, string stage)
    {
        run.Stage = stage;
        run.Record.LifecycleStage = stage;
        run.Record.UpdatedAt = world.Now;
        var configuration = run.Configuration;
        switch (stage)
        {
            case LifecycleHookStages.TestTrafficShift:
                Shift(run, run.ProductionPercent, 100);
                break;
            case LifecycleHookStages.ProductionTrafficShift:
                var first = configuration.Strategy switch
                {
                    DeploymentStrategies.Canary => configuration.CanaryConfiguration?.CanaryPercent ?? 5,
                    DeploymentStrategies.Linear => configuration.LinearConfiguration?.StepPercent ?? 10,
                    _ => 100,
                };
                Shift(run, Math.Min(100, first), run.TestPercent);
                run.WaitUntil = run.ProductionPercent < 100 ? world.Now + PhaseBake(configuration) : null;
                if (run.ProductionPercent < 100)
                {
                    FireAlarmsIfFaulted(run);
                }
                break;
            case "BAKE_TIME":
                run.WaitUntil = world.Now + TimeSpan.FromMinutes(configuration.BakeTimeInMinutes ?? 0);
                FireAlarmsIfFaulted(run);
                break;
            case "CLEAN_UP":
                run.HoldsOldTasks = false;
                world.Scheduler.Reconcile(run.Service);
                break;
        }
        // The hooks of the stage start (PRE_PRODUCTION_TRAFFIC_SHIFT's run as production traffic starts to move).
        foreach (var hook in run.Hooks.Where(h => h.Status is null && (h.Stage == stage
            || stage == LifecycleHookStages.ProductionTrafficShift && h.Stage == LifecycleHookStages.PreProductionTrafficShift)))
        {
            if (hook.Hook.TargetType == LifecycleHookTargetTypes.Pause)
            {
                hook.Status = LifecycleHookStatuses.AwaitingAction;
                hook.ExpiresAt = world.Now + TimeSpan.FromMinutes(hook.Hook.TimeoutConfiguration?.TimeoutInMinutes ?? 60);
                world.AddEvent(run.Service, $"(service {run.Service.Name}) (service deployment {run.Record.Arn}) is paused at lifecycle hook {hook.Id} ({stage}), awaiting action.");
            }
            else
            {
                hook.Status = LifecycleHookStatuses.InProgress;
                hook.ExpiresAt = world.Now + TimeSpan.FromMinutes(hook.Hook.TimeoutConfiguration?.TimeoutInMinutes ?? 60);
            }
        }
    }

    private void FireAlarmsIfFaulted(SimStrategyRun run)
    {
        if (AlarmsFireDuringBake && run.Configuration.Alarms is { Enable: true } alarms)
        {
            foreach (var name in alarms.AlarmNames)
            {
                Alarms[name] = true;
            }
        }
    }

    private static TimeSpan PhaseBake(DeploymentConfiguration configuration) => TimeSpan.FromMinutes(configuration.Strategy == DeploymentStrategies.Canary
        ? configuration.CanaryConfiguration?.CanaryBakeTimeInMinutes ?? 10
        : configuration.LinearConfiguration?.StepBakeTimeInMinutes ?? 6);

    private bool StageDone(SimStrategyRun run)
    {
        switch (run.Stage)
        {
            case "SCALE_UP":
                var desired = run.Service.DesiredCount;
                return world.Tasks.Count(t => t.StartedBy == run.Target.Id && t.ServiceName == run.Service.Name && t.LastStatus == TaskStatuses.Running && t.Healthy) >= desired;
            case LifecycleHookStages.ProductionTrafficShift:
                if (run.ProductionPercent >= 100)
                {
                    return true;
                }
                if (run.WaitUntil is { } due && world.Now >= due)
                {
                    var step = run.Configuration.Strategy == DeploymentStrategies.Linear ? run.Configuration.LinearConfiguration?.StepPercent ?? 10 : 100;
                    Shift(run, Math.Min(100, Math.Round(run.ProductionPercent + step, 1)), run.TestPercent);
                    run.WaitUntil = run.ProductionPercent < 100 ? world.Now + PhaseBake(run.Configuration) : null;
                    return run.ProductionPercent >= 100;
                }
                return false;
            case "BAKE_TIME":
                return run.WaitUntil is not { } end || world.Now >= end;
            case "CLEAN_UP":
                return false;
            default:
                return true;
        }
    }

    private bool HooksDone(SimStrategyRun run)
    {
        foreach (var hook in run.Hooks.Where(h => h.Status is LifecycleHookStatuses.AwaitingAction or LifecycleHookStatuses.InProgress))
        {
            if (hook.Status == LifecycleHookStatuses.InProgress)
            {
                var answer = LambdaAnswer(hook.Hook.HookTargetArn ?? "", hook.Stage);
                if (answer == LifecycleHookStatuses.Failed)
                {
                    hook.Status = LifecycleHookStatuses.Failed;
                    RollBack(run, $"Lifecycle hook {hook.Hook.HookTargetArn} failed at {hook.Stage}.");
                    return false;
                }
                if (answer == LifecycleHookStatuses.Succeeded)
                {
                    hook.Status = LifecycleHookStatuses.Succeeded;
                    continue;
                }
            }
            if (hook.ExpiresAt is { } expires && world.Now >= expires)
            {
                hook.Status = LifecycleHookStatuses.TimedOut;
                if (hook.TimeoutAction == LifecycleHookActions.Rollback)
                {
                    RollBack(run, $"Lifecycle hook {hook.Id} ({hook.Stage}) timed out; its timeout action is ROLLBACK.");
                    return false;
                }
                continue;
            }
            return false;
        }
        return true;
    }

    private void Shift(SimStrategyRun run, double production, double test)
    {
        run.ProductionPercent = production;
        run.TestPercent = test;
        run.History.Add(new TrafficShare(world.Now, run.Stage, production, test));
    }

    /// <summary>Traffic back to the old revision, which turns PRIMARY again; the new revision's tasks drain; the service deployment ends ROLLBACK_SUCCESSFUL.</summary>
    private void RollBack(SimStrategyRun run, string reason)
    {
        if (run.Ended)
        {
            return;
        }
        run.Ended = true;
        run.HoldsOldTasks = false;
        Shift(run, 0, 0);
        var service = run.Service;
        var record = run.Record;
        record.Status = ServiceDeploymentStatuses.RollbackInProgress;
        record.StatusReason = reason;
        record.RollbackTarget = run.Source;
        record.RollbackReason = reason;
        record.RollbackStartedAt = world.Now;
        record.UpdatedAt = world.Now;
        run.Target.Status = DeploymentStatuses.Active;
        run.Target.RolloutState = RolloutStates.Failed;
        run.Target.RolloutStateReason = reason;
        run.Target.UpdatedAt = world.Now;
        service.Deployments.Remove(run.Source);
        service.Deployments.Insert(0, run.Source);
        run.Source.Status = DeploymentStatuses.Primary;
        run.Source.RolloutState = RolloutStates.InProgress;
        run.Source.RolloutStateReason = $"Rolling back to deployment {run.Source.Id}: {reason}";
        run.Source.DesiredCount = service.DesiredCount;
        run.Source.UpdatedAt = world.Now;
        world.AddEvent(service, $"(service {service.Name}) (deployment {run.Target.Id}) deployment failed: {reason}");
        world.AddEvent(service, $"(service {service.Name}) rolling back to deployment {run.Source.Id}.");
        world.Scheduler.Reconcile(service);
    }
}
