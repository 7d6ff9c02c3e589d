using EcsDeploy.Rules;

namespace EcsDeploy.Deployments;

/// <summary>What the plan says about a blue/green, linear or canary deployment.</summary>
internal static class StrategyPlan
{
    public static IEnumerable<KeyValuePair<string, string>> Details(DeployOptions options)
    {
        var strategy = options.DeploymentStrategy;
        yield return new("strategy", $"{strategy} ({strategy.Name}); takes at least {DeployRules.Describe(strategy.MinimumDuration)} beyond starting its tasks");
        if (options.Traffic is { } traffic)
        {
            yield return new("alternate target group", traffic.AlternateTargetGroupArn ?? "(none)");
            yield return new("production listener rule", traffic.ProductionListenerRuleArn ?? "(none)");
            if (traffic.TestListenerRuleArn is { } test)
            {
                yield return new("test listener rule", test);
            }
        }
        if (options.TestTrafficChecks is { } checks)
        {
            var what = checks.Paths.Select(p => "GET " + p).Concat(checks.Checks.Select(c => c.Name));
            yield return new("test traffic", $"paused after test traffic moves: {string.Join(", ", what)} on {checks.Url ?? $"the load balancer's port {checks.ListenerPort}"}, retried for {DeployRules.Describe(checks.Within)}; then continue, or roll back (ECS rolls back by itself after {DeployRules.Describe(checks.PauseTimeout)})");
        }
        if (options.AlarmNames.Count > 0)
        {
            yield return new("rollback on alarms", string.Join(", ", options.AlarmNames));
        }
        foreach (var hook in options.LambdaHooks)
        {
            yield return new("lambda hook", $"{hook.HookTargetArn} at {string.Join(", ", hook.LifecycleStages ?? [])}");
        }
    }
}
