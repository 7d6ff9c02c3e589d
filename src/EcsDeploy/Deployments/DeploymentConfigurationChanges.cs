using System.Globalization;
using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// What UpdateService would change in a service's deployment configuration (and its load balancers' advanced
/// configuration) for a run's settings: the one comparison that <c>diff</c>, the Deploy plan and the rollout
/// ("nothing to deploy", or deploy because the configuration differs) share.
/// </summary>
internal static class DeploymentConfigurationChanges
{
    /// <summary>
    /// The deployment configuration and load balancers UpdateService sends: the pipeline's declared strategy and what goes
    /// with it (<see cref="StrategySettings.Apply"/>), with the circuit breaker as set for a rolling one; without a declared
    /// strategy (a dependency, a user's stage), the service's own configuration with the circuit breaker as set.
    /// </summary>
    public static (DeploymentConfiguration Configuration, IReadOnlyList<ServiceLoadBalancer>? LoadBalancers) Wanted(EcsService service, RolloutSettings settings)
    {
        var breaker = new DeploymentCircuitBreaker(settings.CircuitBreaker, settings.CircuitBreaker && settings.Rollback);
        if (settings.Strategy is { } strategy)
        {
            var (configuration, loadBalancers) = strategy.Apply(service);
            // The circuit breaker applies to rolling deployments only: with another strategy the service keeps its own.
            return strategy.Strategy.ShiftsTraffic ? (configuration, loadBalancers) : (configuration with { DeploymentCircuitBreaker = breaker }, loadBalancers);
        }
        return ((service.DeploymentConfiguration ?? new DeploymentConfiguration()) with { DeploymentCircuitBreaker = breaker }, null);
    }

    /// <summary>The differences, one line each (<c>~ deploymentConfiguration.strategy: CANARY -> ROLLING</c>); empty when none.</summary>
    public static IReadOnlyList<string> Lines(EcsService service, RolloutSettings settings)
    {
        ArgumentNullException.ThrowIfNull(service);
        var (wanted, loadBalancers) = Wanted(service, settings);
        return Lines(service.DeploymentConfiguration, wanted, service.LoadBalancers, loadBalancers);
    }

    /// <summary>
    /// The differences between <paramref name="current"/> and <paramref name="wanted"/>, with ECS's defaults for what either
    /// leaves unset. The bake, linear and canary configuration and the lifecycle hooks count when the wanted strategy uses
    /// them or the strategy changes; on a service that stays rolling, leftovers ECS ignores make no difference.
    /// </summary>
    public static IReadOnlyList<string> Lines(DeploymentConfiguration? current, DeploymentConfiguration wanted,
        IReadOnlyList<ServiceLoadBalancer> currentLoadBalancers, IReadOnlyList<ServiceLoadBalancer>? wantedLoadBalancers)
    {
        var lines = new List<string>();
        void Compare(string field, string from, string to)
        {
            if (from != to)
            {
                lines.Add($"~ {field}: {from} -> {to}");
            }
        }

        const string prefix = "deploymentConfiguration.";
        var fromStrategy = current?.Strategy ?? DeploymentStrategies.Rolling;
        var toStrategy = wanted.Strategy ?? DeploymentStrategies.Rolling;
        Compare(prefix + "strategy", fromStrategy, toStrategy);
        if (toStrategy != DeploymentStrategies.Rolling || fromStrategy != toStrategy)
        {
            Compare(prefix + "bakeTimeInMinutes", Text(current?.BakeTimeInMinutes), Text(wanted.BakeTimeInMinutes));
            Compare(prefix + "linearConfiguration", Text(current?.LinearConfiguration), Text(wanted.LinearConfiguration));
            Compare(prefix + "canaryConfiguration", Text(current?.CanaryConfiguration), Text(wanted.CanaryConfiguration));
            Compare(prefix + "lifecycleHooks", Text(current?.LifecycleHooks), Text(wanted.LifecycleHooks));
        }
        Compare(prefix + "alarms", Text(current?.Alarms), Text(wanted.Alarms));
        Compare(prefix + "deploymentCircuitBreaker.enable", Text(current?.DeploymentCircuitBreaker?.Enable), Text(wanted.DeploymentCircuitBreaker?.Enable));
        Compare(prefix + "deploymentCircuitBreaker.rollback", Text(current?.DeploymentCircuitBreaker?.Rollback), Text(wanted.DeploymentCircuitBreaker?.Rollback));
        // ECS fills 200/100 (REPLICA) when a service is created without them.
        Compare(prefix + "maximumPercent", Text(current?.MaximumPercent ?? 200), Text(wanted.MaximumPercent ?? current?.MaximumPercent ?? 200));
        Compare(prefix + "minimumHealthyPercent", Text(current?.MinimumHealthyPercent ?? 100), Text(wanted.MinimumHealthyPercent ?? current?.MinimumHealthyPercent ?? 100));
        foreach (var to in wantedLoadBalancers ?? [])
        {
            var from = currentLoadBalancers.FirstOrDefault(lb => lb.TargetGroupArn == to.TargetGroupArn)?.AdvancedConfiguration;
            var field = $"loadBalancers[{to.TargetGroupArn}].advancedConfiguration.";
            Compare(field + "alternateTargetGroupArn", Text(from?.AlternateTargetGroupArn), Text(to.AdvancedConfiguration?.AlternateTargetGroupArn));
            Compare(field + "productionListenerRule", Text(from?.ProductionListenerRule), Text(to.AdvancedConfiguration?.ProductionListenerRule));
            Compare(field + "testListenerRule", Text(from?.TestListenerRule), Text(to.AdvancedConfiguration?.TestListenerRule));
            Compare(field + "roleArn", Text(from?.RoleArn), Text(to.AdvancedConfiguration?.RoleArn));
        }
        return lines;
    }

    private const string Unset = "(unset)";

    private static string Text(bool? value) => value is null ? Unset : value.Value ? "true" : "false";

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? Unset;

    private static string Text(string? value) => string.IsNullOrEmpty(value) ? Unset : value;

    private static string Text(double? value) => value?.ToString("0.#", CultureInfo.InvariantCulture) ?? "(default)";

    private static string Text(LinearConfiguration? linear)
        => linear is null ? Unset : $"stepPercent {Text(linear.StepPercent)}, stepBakeTimeInMinutes {Text(linear.StepBakeTimeInMinutes)}";

    private static string Text(CanaryConfiguration? canary)
        => canary is null ? Unset : $"canaryPercent {Text(canary.CanaryPercent)}, canaryBakeTimeInMinutes {Text(canary.CanaryBakeTimeInMinutes)}";

    /// <summary>Alarm names in order of name (ECS keeps no order that matters), enabled and rollback; none is "(unset)".</summary>
    private static string Text(DeploymentAlarms? alarms)
        => alarms is null || (alarms.AlarmNames.Count == 0 && !alarms.Enable && !alarms.Rollback)
            ? Unset
            : $"[{string.Join(", ", alarms.AlarmNames.Order(StringComparer.Ordinal))}] enable {Text(alarms.Enable)}, rollback {Text(alarms.Rollback)}";

    /// <summary>Each hook in words, in a stable order; a PAUSE hook's unset timeout is ECS's default (1440 min, ROLLBACK).</summary>
    private static string Text(IReadOnlyList<DeploymentLifecycleHook>? hooks)
    {
        if (hooks is not { Count: > 0 })
        {
            return "(none)";
        }
        var described = hooks.Select(hook =>
        {
            var stages = string.Join("+", (hook.LifecycleStages ?? []).Order(StringComparer.Ordinal));
            var target = hook.TargetType == LifecycleHookTargetTypes.Pause ? "PAUSE" : $"{hook.TargetType} {hook.HookTargetArn} (role {Text(hook.RoleArn)})";
            var timeout = hook.TimeoutConfiguration is not null || hook.TargetType == LifecycleHookTargetTypes.Pause
                ? $", timeout {hook.TimeoutConfiguration?.TimeoutInMinutes ?? 1440} min then {hook.TimeoutConfiguration?.Action ?? LifecycleHookActions.Rollback}"
                : "";
            var details = hook.HookDetails is { } d ? $", details {d.GetRawText()}" : "";
            return $"{target} at {stages}{timeout}{details}";
        }).Order(StringComparer.Ordinal);
        return "[" + string.Join("; ", described) + "]";
    }
}
