using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// The deployment configuration a pipeline declares, as UpdateService sends it: the strategy (rolling, blue/green, linear or
/// canary), the load balancer's advanced configuration, the alarms, the Lambda hooks passed through, and the PAUSE hook of
/// a test-traffic gate. A rolling one switches a service that is on another strategy back to ROLLING.
/// </summary>
public sealed record StrategySettings
{
    /// <summary>The strategy.</summary>
    public required DeploymentStrategy Strategy { get; init; }
    /// <summary>Which of the service's load balancers (by target group) gets <see cref="Routing"/>; null for its only one.</summary>
    public string? TargetGroupArn { get; init; }
    /// <summary>The alternate target group, listener rules and role; null keeps what the service has.</summary>
    public AdvancedConfiguration? Routing { get; init; }
    /// <summary>CloudWatch alarms that roll the deployment back.</summary>
    public IReadOnlyList<string> AlarmNames { get; init; } = [];
    /// <summary>Lambda hooks, as configured.</summary>
    public IReadOnlyList<DeploymentLifecycleHook> LambdaHooks { get; init; } = [];
    /// <summary>PAUSE hooks (d.PauseHook(...)), continued by someone else than this run: a person, another pipeline.</summary>
    public IReadOnlyList<DeploymentLifecycleHook> PauseHooks { get; init; } = [];
    /// <summary>When set, a PAUSE hook at POST_TEST_TRAFFIC_SHIFT that ECS rolls back after this long (the test-traffic gate).</summary>
    public TimeSpan? TestTrafficPause { get; init; }

    /// <summary>The test-traffic checks the run makes while the deployment is paused (from d.TestTraffic(...)).</summary>
    internal TestTrafficOptions? TestTraffic { get; init; }

    /// <summary>The lifecycle stage at which the run stops following and succeeds (--wait-until); null waits for the end.</summary>
    public string? WaitUntilStage { get; init; }

    /// <summary>
    /// The deployment configuration and load balancers UpdateService sends for <paramref name="service"/>. For a rolling
    /// strategy: ROLLING, without the settings only the other strategies have (bake, linear and canary configuration,
    /// lifecycle hooks); the load balancers stay as they are; the circuit breaker is the caller's to set.
    /// </summary>
    /// <exception cref="PipelineStageException">The service has no load balancer to shift traffic on, or not the one named.</exception>
    public (DeploymentConfiguration Configuration, IReadOnlyList<ServiceLoadBalancer>? LoadBalancers) Apply(EcsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (!Strategy.ShiftsTraffic)
        {
            return (ApplyRolling(service.DeploymentConfiguration ?? new DeploymentConfiguration()), null);
        }
        var hooks = new List<DeploymentLifecycleHook>(LambdaHooks);
        hooks.AddRange(PauseHooks);
        if (TestTrafficPause is { } pause)
        {
            hooks.Add(new DeploymentLifecycleHook
            {
                TargetType = LifecycleHookTargetTypes.Pause,
                LifecycleStages = [LifecycleHookStages.PostTestTrafficShift],
                TimeoutConfiguration = new DeploymentLifecycleHookTimeoutConfiguration((int)pause.TotalMinutes, LifecycleHookActions.Rollback),
            });
        }
        var current = service.DeploymentConfiguration ?? new DeploymentConfiguration();
        var configuration = current with
        {
            Strategy = Strategy.Name,
            BakeTimeInMinutes = (int)Strategy.Bake.TotalMinutes,
            CanaryConfiguration = Strategy.Name == DeploymentStrategies.Canary ? new CanaryConfiguration(Strategy.Percent, (int)Strategy.PhaseBake.TotalMinutes) : null,
            LinearConfiguration = Strategy.Name == DeploymentStrategies.Linear ? new LinearConfiguration(Strategy.Percent, (int)Strategy.PhaseBake.TotalMinutes) : null,
            LifecycleHooks = hooks.Count > 0 ? hooks : current.LifecycleHooks,
            Alarms = AlarmNames.Count > 0 ? new DeploymentAlarms(AlarmNames, Enable: true, Rollback: true) : current.Alarms,
        };
        if (Routing is null)
        {
            return (configuration, null);
        }
        var target = TargetGroupArn is null
            ? service.LoadBalancers.Count == 1 ? service.LoadBalancers[0] : null
            : service.LoadBalancers.FirstOrDefault(lb => lb.TargetGroupArn == TargetGroupArn);
        if (target is null)
        {
            var has = service.LoadBalancers.Count == 0 ? "no load balancer" : $"{service.LoadBalancers.Count} load balancers ({string.Join(", ", service.LoadBalancers.Select(lb => lb.TargetGroupArn))})";
            throw new PipelineStageException(TargetGroupArn is null
                ? $"Service '{service.ServiceName}' has {has}: the {Strategy.Label} strategy shifts traffic on one; {(service.LoadBalancers.Count == 0 ? "attach the service to a target group first (Terraform, aws ecs update-service --load-balancers)" : "name it with lb.TargetGroup(\"arn:...\")")}."
                : $"Service '{service.ServiceName}' has no load balancer with target group {TargetGroupArn} (it has {has}): fix lb.TargetGroup(...).", FailureKind.Invalid);
        }
        var loadBalancers = service.LoadBalancers.Select(lb => ReferenceEquals(lb, target) ? lb with { AdvancedConfiguration = Routing } : lb).ToList();
        return (configuration, loadBalancers);
    }

    /// <summary>
    /// ROLLING (sent only when the service is on another strategy), and none of what only the other strategies use: ECS
    /// refuses a linear or canary configuration with another strategy, and runs hooks in those strategies only. Lifecycle
    /// hooks go as an empty list, which removes them; the alarms the pipeline names replace the service's.
    /// </summary>
    private DeploymentConfiguration ApplyRolling(DeploymentConfiguration current) => current with
    {
        Strategy = current.Strategy is null or DeploymentStrategies.Rolling ? current.Strategy : DeploymentStrategies.Rolling,
        BakeTimeInMinutes = null,
        LinearConfiguration = null,
        CanaryConfiguration = null,
        LifecycleHooks = current.LifecycleHooks is { Count: > 0 } ? [] : current.LifecycleHooks,
        Alarms = AlarmNames.Count > 0 ? new DeploymentAlarms(AlarmNames, Enable: true, Rollback: true) : current.Alarms,
    };

    /// <summary>
    /// The strategy a service's deployment configuration gives (ECS's defaults for what it leaves out), to follow a deployment
    /// as ECS runs it when the run did not declare one; null for a rolling one.
    /// </summary>
    internal static StrategySettings? Of(DeploymentConfiguration? configuration)
    {
        var bake = TimeSpan.FromMinutes(configuration?.BakeTimeInMinutes ?? 0);
        DeploymentStrategy? strategy = configuration?.Strategy switch
        {
            DeploymentStrategies.BlueGreen => DeploymentStrategy.BlueGreen(bake),
            DeploymentStrategies.Linear => DeploymentStrategy.Linear(configuration.LinearConfiguration?.StepPercent ?? 10,
                TimeSpan.FromMinutes(configuration.LinearConfiguration?.StepBakeTimeInMinutes ?? 6), bake),
            DeploymentStrategies.Canary => DeploymentStrategy.Canary(configuration.CanaryConfiguration?.CanaryPercent ?? 5,
                TimeSpan.FromMinutes(configuration.CanaryConfiguration?.CanaryBakeTimeInMinutes ?? 10), bake),
            _ => null,
        };
        return strategy is null ? null : new StrategySettings { Strategy = strategy };
    }

    /// <summary>
    /// The deployment configuration a Deploy stage's options declare: its strategy (rolling unless <c>d.Strategy(...)</c>
    /// says otherwise) and what goes with it. The pipeline owns it: a rolling one switches the service back to ROLLING.
    /// </summary>
    internal static StrategySettings From(DeployOptions options) => options.DeploymentStrategy.ShiftsTraffic
        ? new StrategySettings
        {
            Strategy = options.DeploymentStrategy,
            TargetGroupArn = options.Traffic?.TargetGroupArn,
            Routing = options.Traffic is { } traffic
                ? new AdvancedConfiguration
                {
                    AlternateTargetGroupArn = traffic.AlternateTargetGroupArn,
                    ProductionListenerRule = traffic.ProductionListenerRuleArn,
                    TestListenerRule = traffic.TestListenerRuleArn,
                    RoleArn = traffic.RoleArn,
                }
                : null,
            AlarmNames = [.. options.AlarmNames],
            LambdaHooks = [.. options.LambdaHooks],
            PauseHooks = [.. options.PauseHooks.Select(h => new DeploymentLifecycleHook
            {
                TargetType = LifecycleHookTargetTypes.Pause,
                LifecycleStages = [h.Stage],
                TimeoutConfiguration = new DeploymentLifecycleHookTimeoutConfiguration(h.Timeout is { } wait ? (int)wait.TotalMinutes : null, h.TimeoutAction),
            })],
            TestTrafficPause = options.TestTrafficChecks?.PauseTimeout,
            TestTraffic = options.TestTrafficChecks,
        }
        : new StrategySettings { Strategy = options.DeploymentStrategy, AlarmNames = [.. options.AlarmNames] };

    /// <summary>
    /// ELB's default deregistration delay: after the bake, ECS's clean-up waits this long for the old revision's targets to
    /// drain before the deployment is SUCCESSFUL, unless the target group says otherwise.
    /// </summary>
    internal static readonly TimeSpan DefaultCleanUp = TimeSpan.FromSeconds(300);

    /// <summary>
    /// How long a run waits for the deployment: the explicit wait timeout, else the default (10 minutes, for tasks to start
    /// and pass health checks) plus the strategy's bakes, the clean-up (<paramref name="cleanUp"/>, the target groups'
    /// deregistration delay; <see cref="DefaultCleanUp"/> when unknown) and the test-traffic pause.
    /// </summary>
    internal static TimeSpan WaitBudget(DeployOptions options, TimeSpan? cleanUp = null) => options.TimeoutSet || !options.DeploymentStrategy.ShiftsTraffic
        ? options.Timeout
        : options.Timeout + options.DeploymentStrategy.MinimumDuration + (cleanUp ?? DefaultCleanUp) + (options.TestTrafficChecks?.PauseTimeout ?? TimeSpan.Zero);
}
