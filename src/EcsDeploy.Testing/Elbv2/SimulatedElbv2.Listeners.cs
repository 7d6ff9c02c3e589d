using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

// The read side of listeners, rules and targets (aws elbv2 describe-listeners, describe-rules, describe-target-health).
// Every load balancer listens on port 80 and forwards to its first target group; a service given traffic shifting
// (SimulatedEcs.AddTrafficShifting) has a production rule on that listener and a test listener with a test rule, each
// forwarding to its two target groups with the weights the native deployment under way sets (100/0 without one).
public sealed partial class SimulatedElbv2
{
    private const string ProductionListenerId = "80a1b2c3d4e5f6a7";
    private readonly List<ShiftingRules> _shifting = [];

    /// <summary>Records the listener rules a service's blue/green, linear and canary deployments shift traffic with.</summary>
    internal void AddShiftingRules(string cluster, string serviceName, string primaryTargetGroupArn, string alternateTargetGroupArn, string productionRuleArn, string testRuleArn, int testPort)
    {
        lock (_aws.Gate)
        {
            _shifting.Add(new ShiftingRules(cluster, serviceName, primaryTargetGroupArn, alternateTargetGroupArn, productionRuleArn, testRuleArn, testPort));
        }
    }

    /// <summary>One page of DescribeListeners, by load balancer or by listener ARNs.</summary>
    internal (List<SimListener> Listeners, string? NextMarker) DescribeListenersPage(string? loadBalancerArn, IReadOnlyList<string> listenerArns, string? marker, int? pageSize)
    {
        const string Operation = "DescribeListeners";
        _aws.Enter("ELBv2", Operation);
        lock (_aws.Gate)
        {
            var size = PageSizeOrRefuse(pageSize, Operation);
            if (loadBalancerArn is null == (listenerArns.Count == 0))
            {
                throw Validation(Operation, "You must specify either a load balancer ARN or one or more listener ARNs, not both.");
            }
            List<SimListener> listeners;
            if (loadBalancerArn is not null)
            {
                var loadBalancer = _loadBalancers.FirstOrDefault(lb => lb.LoadBalancerArn == loadBalancerArn)
                    ?? throw new AwsServiceException("ELBv2", Operation, "LoadBalancerNotFound", $"Load balancer '{loadBalancerArn}' not found", 400, _aws.NewRequestId());
                listeners = ListenersOf(loadBalancer);
            }
            else
            {
                var all = _loadBalancers.SelectMany(ListenersOf).ToList();
                listeners = [.. listenerArns.Select(arn => all.FirstOrDefault(l => l.ListenerArn == arn)
                    ?? throw new AwsServiceException("ELBv2", Operation, "ListenerNotFound", $"One or more listeners not found", 400, _aws.NewRequestId()))];
            }
            return Page(listeners, marker, size, Operation);
        }
    }

    /// <summary>One page of DescribeRules, by listener (its rules by priority, the default rule last) or by rule ARNs.</summary>
    internal (List<SimRule> Rules, string? NextMarker) DescribeRulesPage(string? listenerArn, IReadOnlyList<string> ruleArns, string? marker, int? pageSize)
    {
        const string Operation = "DescribeRules";
        _aws.Enter("ELBv2", Operation);
        lock (_aws.Gate)
        {
            var size = PageSizeOrRefuse(pageSize, Operation);
            if (listenerArn is null == (ruleArns.Count == 0))
            {
                throw Validation(Operation, "You must specify either a listener ARN or one or more rule ARNs, not both.");
            }
            var listeners = _loadBalancers.SelectMany(ListenersOf).ToList();
            List<SimRule> rules;
            if (listenerArn is not null)
            {
                var listener = listeners.FirstOrDefault(l => l.ListenerArn == listenerArn)
                    ?? throw new AwsServiceException("ELBv2", Operation, "ListenerNotFound", "One or more listeners not found", 400, _aws.NewRequestId());
                rules = RulesOf(listener);
            }
            else
            {
                var all = listeners.SelectMany(RulesOf).ToList();
                rules = [.. ruleArns.Select(arn => all.FirstOrDefault(r => r.RuleArn == arn)
                    ?? throw new AwsServiceException("ELBv2", Operation, "RuleNotFound", "One or more rules not found", 400, _aws.NewRequestId()))];
            }
            return Page(rules, marker, size, Operation);
        }
    }

    /// <summary>
    /// DescribeTargetHealth: the targets registered in the group (service tasks, by private address and container port) and
    /// their state, or only the targets asked for (one not registered is <c>unused</c>, Target.NotRegistered).
    /// </summary>
    internal List<SimTarget> DescribeTargetHealth(string? targetGroupArn, IReadOnlyList<(string Id, int? Port)> targets)
    {
        const string Operation = "DescribeTargetHealth";
        _aws.Enter("ELBv2", Operation);
        string primary;
        bool alternate;
        TargetGroupHealth health;
        lock (_aws.Gate)
        {
            if (targetGroupArn is null || !_targetGroups.Any(g => g.TargetGroupArn == targetGroupArn))
            {
                throw new AwsServiceException("ELBv2", Operation, "TargetGroupNotFound", $"Target groups '{targetGroupArn}' not found", 400, _aws.NewRequestId());
            }
            var shifting = _shifting.FirstOrDefault(s => s.AlternateTargetGroupArn == targetGroupArn);
            primary = shifting?.PrimaryTargetGroupArn ?? targetGroupArn;
            alternate = shifting is not null;
            health = Health(targetGroupArn);
        }
        var registered = _aws.Ecs.Targets(primary, alternate, health);
        if (targets.Count == 0)
        {
            return registered;
        }
        return [.. targets.Select(asked => registered.FirstOrDefault(t => t.Id == asked.Id && (asked.Port is null || asked.Port == t.Port))
            ?? new SimTarget(asked.Id, asked.Port ?? 0, "", "unused", "Target.NotRegistered", "Target is not registered to the target group"))];
    }

    private List<SimListener> ListenersOf(LoadBalancer loadBalancer)
    {
        var path = loadBalancer.LoadBalancerArn[(loadBalancer.LoadBalancerArn.IndexOf("loadbalancer/", StringComparison.Ordinal) + 13)..];
        var group = _targetGroups.FirstOrDefault(g => g.LoadBalancerArns.Contains(loadBalancer.LoadBalancerArn))?.TargetGroupArn;
        var listeners = new List<SimListener> { new(_aws.Arn("elasticloadbalancing", $"listener/{path}/{ProductionListenerId}"), loadBalancer.LoadBalancerArn, 80, group) };
        foreach (var shifting in _shifting.Where(s => group is not null && s.PrimaryTargetGroupArn == group))
        {
            listeners.Add(new(_aws.Arn("elasticloadbalancing", $"listener/{path}/{shifting.TestPort:x4}b2c3d4e5f6a7"), loadBalancer.LoadBalancerArn, shifting.TestPort, group));
        }
        return listeners;
    }

    private List<SimRule> RulesOf(SimListener listener)
    {
        var rules = new List<SimRule>();
        foreach (var shifting in _shifting.Where(s => s.PrimaryTargetGroupArn == listener.TargetGroupArn))
        {
            var production = listener.Port == 80;
            if (!production && listener.Port != shifting.TestPort)
            {
                continue;
            }
            var (productionShare, testShare) = _aws.Ecs.NewRevisionShare(shifting.Cluster, shifting.Service);
            var share = (int)Math.Round(production ? productionShare : testShare);
            rules.Add(new SimRule(production ? shifting.ProductionRuleArn : shifting.TestRuleArn, "1", false,
                [(shifting.PrimaryTargetGroupArn, 100 - share), (shifting.AlternateTargetGroupArn, share)]));
        }
        var listenerPath = listener.ListenerArn[(listener.ListenerArn.IndexOf("listener/", StringComparison.Ordinal) + 9)..];
        rules.Add(new SimRule(_aws.Arn("elasticloadbalancing", $"listener-rule/{listenerPath}/d0e1f2a3b4c5d6e7"), "default", true,
            listener.TargetGroupArn is null ? [] : [(listener.TargetGroupArn, 1)]));
        return rules;
    }

    private sealed record ShiftingRules(string Cluster, string Service, string PrimaryTargetGroupArn, string AlternateTargetGroupArn, string ProductionRuleArn, string TestRuleArn, int TestPort);
}

/// <summary>A listener of a simulated load balancer (HTTP), forwarding by default to <see cref="TargetGroupArn"/>.</summary>
internal sealed record SimListener(string ListenerArn, string LoadBalancerArn, int Port, string? TargetGroupArn);

/// <summary>A listener rule: a forward action to target groups with their weights (one group: weight 1).</summary>
internal sealed record SimRule(string RuleArn, string Priority, bool IsDefault, IReadOnlyList<(string TargetGroupArn, int Weight)> Forward);
