using EcsDeploy.Rules;

namespace EcsDeploy.Deployments;

/// <summary>What the plan says about a blue/green, linear or canary deployment.</summary>
internal static class StrategyPlan
{
    /// <summary>
    /// What a blue/green, linear or canary deployment needs beyond a rolling one: following and answering its service
    /// deployments, passing the infrastructure role (and the Lambda hooks' roles) to ECS, and finding the test listener.
    /// </summary>
    /// <param name="options">The Deploy stage's options.</param>
    /// <param name="serviceName">The service as resolved: d.Service(...), else the one Terraform names (Pipeline.FromTerraform).</param>
    /// <param name="routing">The load balancer's advanced configuration as resolved (given, or from Terraform).</param>
    /// <param name="scope">The account, region and definition the policy is for.</param>
    public static IEnumerable<Iam.IamGrant> IamGrants(DeployOptions options, string serviceName, Aws.AdvancedConfiguration? routing, Iam.IamScope scope)
    {
        if (!options.DeploymentStrategy.ShiftsTraffic)
        {
            yield break;
        }
        yield return new("FollowServiceDeployments", ["ecs:DescribeServiceDeployments", "ecs:ContinueServiceDeployment", "ecs:StopServiceDeployment"],
            [scope.Arn("ecs", $"service-deployment/{scope.Definition.Cluster}/{serviceName}/*")]);
        var roles = new[] { routing?.RoleArn }.Concat(options.LambdaHooks.Select(h => h.RoleArn))
            .Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count > 0)
        {
            yield return new("PassInfrastructureRole", ["iam:PassRole"], roles) { Conditions = [new("StringEquals", "iam:PassedToService", "ecs.amazonaws.com")] };
        }
        if (options.TestTrafficChecks is { Url: null })
        {
            yield return new("FindTestListener", ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeLoadBalancers"], ["*"]);
        }
    }

    public static IEnumerable<KeyValuePair<string, string>> Details(DeployOptions options, Aws.AdvancedConfiguration? routing)
    {
        var strategy = options.DeploymentStrategy;
        yield return new("strategy", $"{strategy} ({strategy.Name}); takes at least {DeployRules.Describe(strategy.MinimumDuration)} beyond starting its tasks");
        if (routing is { } traffic)
        {
            yield return new("alternate target group", traffic.AlternateTargetGroupArn ?? "(none)");
            yield return new("production listener rule", traffic.ProductionListenerRule ?? "(none)");
            if (traffic.TestListenerRule is { } test)
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
