using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>A lifecycle hook of a running blue/green, linear or canary deployment.</summary>
internal sealed class SimHook(string id, DeploymentLifecycleHook hook, string stage)
{
    public string Id { get; } = id;
    public DeploymentLifecycleHook Hook { get; } = hook;
    public string Stage { get; } = stage;
    public string? Status { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public string TimeoutAction => Hook.TimeoutConfiguration?.Action ?? LifecycleHookActions.Rollback;
}


/// <summary>
/// One blue/green, linear or canary deployment of the simulated ECS: the new revision (<see cref="Target"/>) runs beside
/// the old one (<see cref="Source"/>) behind the alternate target group while the listener rules' weights shift.
/// </summary>
internal sealed class SimStrategyRun(SimService service, SimServiceDeployment record, SimDeployment target, SimDeployment source, DeploymentConfiguration configuration)
{
    public SimService Service { get; } = service;
    public SimServiceDeployment Record { get; } = record;
    public SimDeployment Target { get; } = target;
    public SimDeployment Source { get; } = source;
    public DeploymentConfiguration Configuration { get; } = configuration;
    public string Stage { get; set; } = "";
    public List<SimHook> Hooks { get; } = [];
    public double ProductionPercent { get; set; }
    public double TestPercent { get; set; }
    /// <summary>When the next production shift (canary's rest, linear's next step) or the end of the bake is due.</summary>
    public DateTimeOffset? WaitUntil { get; set; }
    /// <summary>While true, the scheduler keeps the old revision's tasks running.</summary>
    public bool HoldsOldTasks { get; set; } = true;
    public bool Ended { get; set; }
    /// <summary>Set while the service deployment is ROLLBACK_REQUESTED: why, until the controller's next step starts the rollback.</summary>
    public string? RollbackRequested { get; set; }
    public List<string> TriggeredAlarms { get; } = [];
    public List<TrafficShare> History { get; } = [];
    public List<LifecycleStageChange> Stages { get; } = [];
}
