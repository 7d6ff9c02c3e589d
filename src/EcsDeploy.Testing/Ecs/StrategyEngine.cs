using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// ECS's native BLUE_GREEN, LINEAR and CANARY deployments on the virtual clock: the new revision scales up beside the
/// old one, test traffic moves to it, production traffic moves as the strategy says (all at once, in linear steps, or a
/// canary share first), the bake runs, then the old revision is cleaned up. Lifecycle hooks run at their stages (a PAUSE
/// hook waits for ContinueServiceDeployment until its timeout, then takes its timeout action), and a watched alarm in
/// ALARM state rolls the deployment back: ROLLBACK_REQUESTED first (traffic and tasks as they were), then, at the
/// controller's next step, ROLLBACK_IN_PROGRESS. Every member is called under <see cref="SimulatedAws.Gate"/>.
/// </summary>
internal sealed class StrategyEngine(EcsWorld world)
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    private const int DefaultHookTimeoutMinutes = 1440;
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
                run.Hooks.Add(new SimHook(HookId(hook, ++_hookNumber), hook, stage));
            }
            index++;
        }
        Runs.Add(run);
        Enter(run, LifecycleHookStages.PreScaleUp);
        // ECS's deployment controller acts on a schedule of its own, not in step with a client's polls: the ticks start at
        // a phase taken from the deployment's ARN (0-5 s, the same for the same seed).
        var phase = TimeSpan.FromMilliseconds(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(record.Arn)), 0) % 5000);
        world.At(Tick + phase, () => Step(run));
    }

    /// <summary>
    /// A hook id as ECS makes them: <c>ecs-pause-</c> and 43 URL-safe base64 characters for a PAUSE hook (the form the ECS
    /// guide shows), <c>ecs-lambda-</c> likewise for a Lambda hook; deterministic here.
    /// </summary>
    private static string HookId(DeploymentLifecycleHook hook, int number)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{hook.TargetType}/{hook.HookTargetArn}/{number}"));
        var text = Convert.ToBase64String(digest).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (hook.TargetType == LifecycleHookTargetTypes.Pause ? "ecs-pause-" : "ecs-lambda-") + text;
    }

    /// <summary>How many production requests each service's load balancer has answered (the weighted choice's counter).</summary>
    private readonly Dictionary<string, long> _productionRequests = new(StringComparer.Ordinal);

    /// <summary>
    /// Which revision of a native deployment under way answers the next request on the production listener: the listener
    /// rule's weights decide (the new revision answers <see cref="SimStrategyRun.ProductionPercent"/> % of the requests,
    /// spread evenly); null when no native deployment of the service is under way.
    /// </summary>
    public string? ProductionRevision(string serviceName)
    {
        if (Runs.LastOrDefault(r => r.Service.Name == serviceName && !r.Ended) is not { } run)
        {
            return null;
        }
        var n = _productionRequests.GetValueOrDefault(serviceName);
        _productionRequests[serviceName] = n + 1;
        var perMille = (long)Math.Round(run.ProductionPercent * 10);
        return (n + 1) * perMille / 1000 > n * perMille / 1000 ? run.Target.TaskDefinition : run.Source.TaskDefinition;
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
        if (run.RollbackRequested is { } why)
        {
            StartRollback(run, why);
            return;
        }
        if (run.Stage != "CLEAN_UP" && run.Configuration.Alarms is { Enable: true } alarms
            && alarms.AlarmNames.Where(a => world.Aws.CloudWatch.StateOf(a) == AlarmStates.Alarm).ToList() is { Count: > 0 } firing)
        {
            run.TriggeredAlarms.AddRange(firing);
            RollBack(run, $"CloudWatch alarm(s) {string.Join(", ", firing)} in ALARM state.");
            world.At(Tick, () => Step(run));
            return;
        }
        while (!run.Ended && run.RollbackRequested is null && StageDone(run) && HooksDone(run))
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
        run.Stages.Add(new LifecycleStageChange(world.Now, stage));
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
            // ECS's default timeout is 1440 minutes (24 h), its default action ROLLBACK (SimHook.TimeoutAction). A paused
            // hook shows in DescribeServiceDeployments' lifecycleHookDetails (EventBridge's HOOK_AWAITING_ACTION is not
            // simulated); ECS writes no service event for it.
            hook.Status = hook.Hook.TargetType == LifecycleHookTargetTypes.Pause ? LifecycleHookStatuses.AwaitingAction : LifecycleHookStatuses.InProgress;
            hook.ExpiresAt = world.Now + TimeSpan.FromMinutes(hook.Hook.TimeoutConfiguration?.TimeoutInMinutes ?? DefaultHookTimeoutMinutes);
        }
    }

    private void FireAlarmsIfFaulted(SimStrategyRun run)
    {
        if (AlarmsFireDuringBake && run.Configuration.Alarms is { Enable: true } alarms)
        {
            // Through the simulated CloudWatch, as a breaching metric would: an alarm that does not exist cannot fire.
            foreach (var name in alarms.AlarmNames)
            {
                world.Aws.CloudWatch.Set(name, AlarmStates.Alarm, "Threshold Crossed: simulated fault alarm-during-bake");
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

    /// <summary>
    /// A rollback is asked for (StopServiceDeployment, ContinueServiceDeployment with ROLLBACK, an alarm, a failed or timed
    /// out hook): the service deployment turns ROLLBACK_REQUESTED with the reason, and nothing else moves until the
    /// controller's next step (within <see cref="Tick"/>) starts the rollback, as the ECS guide describes a stop: "moves to
    /// the ROLLBACK_REQUESTED state, and then the rollback operation starts".
    /// </summary>
    private void RollBack(SimStrategyRun run, string reason)
    {
        if (run.Ended || run.RollbackRequested is not null)
        {
            return;
        }
        run.RollbackRequested = reason;
        var record = run.Record;
        record.Status = ServiceDeploymentStatuses.RollbackRequested;
        record.StatusReason = reason;
        record.UpdatedAt = world.Now;
    }

    /// <summary>Traffic back to the old revision, which turns PRIMARY again; the new revision's tasks drain; the service deployment ends ROLLBACK_SUCCESSFUL.</summary>
    private void StartRollback(SimStrategyRun run, string reason)
    {
        run.Ended = true;
        run.RollbackRequested = null;
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
        // The "deployment failed" event is the circuit breaker's; a native deployment's rollback shows the rolling-back
        // event, and its reason in the service deployment (statusReason, rollback.reason) and the failed deployment's
        // rolloutStateReason. The scheduler then writes "deployment completed" and "steady state" for the old revision.
        world.AddEvent(service, $"(service {service.Name}) rolling back to deployment {run.Source.Id}.");
        world.Scheduler.Reconcile(service);
    }
}
