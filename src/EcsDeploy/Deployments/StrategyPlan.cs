using System.Globalization;
using EcsDeploy.Aws;
using EcsDeploy.Rules;

namespace EcsDeploy.Deployments;

/// <summary>How long ECS's clean-up waits after the bake (the old revision's targets draining), and where that came from.</summary>
/// <param name="Delay">The longest deregistration delay of the service's target groups, or ELB's default.</param>
/// <param name="Source">Where the figure came from, for the plan.</param>
internal sealed record StrategyCleanUp(TimeSpan Delay, string Source);

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

    /// <summary>
    /// After the bake ECS's clean-up stops the old revision once its targets have drained, and only then is the deployment
    /// SUCCESSFUL: reads the deregistration delay of the service's target group and of the alternate one (the old revision
    /// serves from either, and the longer one counts); ELB's default of 300 s when they cannot be read, saying so.
    /// </summary>
    public static async Task<StrategyCleanUp> CleanUpAsync(PipelineContext context, EcsService service, AdvancedConfiguration? routing, CancellationToken cancellationToken)
    {
        var groups = service.LoadBalancers.Select(lb => lb.TargetGroupArn).Append(routing?.AlternateTargetGroupArn)
            .Concat(service.LoadBalancers.Select(lb => lb.AdvancedConfiguration?.AlternateTargetGroupArn))
            .Where(arn => !string.IsNullOrEmpty(arn)).Select(arn => arn!).Distinct(StringComparer.Ordinal).ToList();
        var fallback = StrategySettings.DefaultCleanUp;
        if (groups.Count == 0)
        {
            return new(fallback, $"{fallback.TotalSeconds:0} s, ELB's default deregistration delay (the service names no target group)");
        }
        try
        {
            var delays = new List<TimeSpan>();
            foreach (var group in groups)
            {
                var attributes = await context.Aws.Elbv2.DescribeTargetGroupAttributesAsync(group, cancellationToken).ConfigureAwait(false);
                delays.Add(attributes.TryGetValue("deregistration_delay.timeout_seconds", out var text)
                    && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : fallback);
            }
            var delay = delays.Max();
            return new(delay, $"{delay.TotalSeconds:0} s, the target group{(groups.Count > 1 ? "s'" : "'s")} deregistration delay");
        }
        catch (AwsServiceException ex)
        {
            return new(fallback, $"{fallback.TotalSeconds:0} s, ELB's default deregistration delay (the target group's attributes could not be read: {ex.ErrorCode})");
        }
    }

    public static IEnumerable<KeyValuePair<string, string>> Details(DeployOptions options, Aws.AdvancedConfiguration? routing, StrategyCleanUp cleanUp)
    {
        var strategy = options.DeploymentStrategy;
        yield return new("strategy", $"{strategy} ({strategy.Name}); takes at least {DeployRules.Describe(strategy.MinimumDuration + cleanUp.Delay)} beyond starting its tasks: bakes {DeployRules.Describe(strategy.MinimumDuration)}, then the clean-up while the old revision's targets drain ({cleanUp.Source})");
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
        foreach (var (stage, timeout, action) in options.PauseHooks)
        {
            yield return new("pause hook", $"at {stage}: waits for ContinueServiceDeployment from somebody else, then {action} after {DeployRules.Describe(timeout ?? TimeSpan.FromMinutes(1440))}");
        }
    }
}
