using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// A blue/green, linear or canary deployment as UpdateService sends it: the strategy, the load balancer's advanced
/// configuration, the alarms, the Lambda hooks passed through, and the PAUSE hook of a test-traffic gate.
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
    /// <summary>When set, a PAUSE hook at POST_TEST_TRAFFIC_SHIFT that ECS rolls back after this long (the test-traffic gate).</summary>
    public TimeSpan? TestTrafficPause { get; init; }

    /// <summary>The test-traffic checks the run makes while the deployment is paused (from d.TestTraffic(...)).</summary>
    internal TestTrafficOptions? TestTraffic { get; init; }

    /// <summary>The lifecycle stage at which the run stops following and succeeds (--wait-until); null waits for the end.</summary>
    public string? WaitUntilStage { get; init; }

    /// <summary>The deployment configuration and load balancers UpdateService sends for <paramref name="service"/>.</summary>
    /// <exception cref="PipelineStageException">The service has no load balancer to shift traffic on, or not the one named.</exception>
    public (DeploymentConfiguration Configuration, IReadOnlyList<ServiceLoadBalancer>? LoadBalancers) Apply(EcsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var hooks = new List<DeploymentLifecycleHook>(LambdaHooks);
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

    /// <summary>The settings a Deploy stage's options give, or null for a rolling deployment.</summary>
    internal static StrategySettings? From(DeployOptions options) => options.DeploymentStrategy.ShiftsTraffic
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
            TestTrafficPause = options.TestTrafficChecks?.PauseTimeout,
            TestTraffic = options.TestTrafficChecks,
        }
        : null;

    /// <summary>
    /// How long a run waits for the deployment: the explicit wait timeout, else the default (10 minutes, for tasks to start
    /// and pass health checks) plus the strategy's bakes and the test-traffic pause.
    /// </summary>
    internal static TimeSpan WaitBudget(DeployOptions options) => options.TimeoutSet || !options.DeploymentStrategy.ShiftsTraffic
        ? options.Timeout
        : options.Timeout + options.DeploymentStrategy.MinimumDuration + (options.TestTrafficChecks?.PauseTimeout ?? TimeSpan.Zero);
}
