namespace EcsDeploy;

/// <summary>
/// The load balancer resources ECS shifts traffic with in blue/green, linear and canary deployments (the service load
/// balancer's <c>advancedConfiguration</c>): the second target group, the production and test listener rules, and the
/// role ECS assumes to change them.
/// </summary>
public sealed class LoadBalancerOptions
{
    private readonly FreezeGuard _freeze;

    internal LoadBalancerOptions(FreezeGuard freeze) => _freeze = freeze;

    internal string? TargetGroupArn { get; private set; }
    internal string? AlternateTargetGroupArn { get; private set; }
    internal string? ProductionListenerRuleArn { get; private set; }
    internal string? TestListenerRuleArn { get; private set; }
    internal string? RoleArn { get; private set; }
    internal bool FromTerraformOutputs { get; private set; }

    /// <summary>
    /// Takes the alternate target group, the listener rules and the role from the Terraform outputs
    /// <c>alternate_target_group_arn</c>, <c>production_listener_rule_arn</c>, <c>test_listener_rule_arn</c> (with
    /// test traffic) and <c>ecs_infrastructure_role_arn</c> (a pipeline made with <c>Pipeline.FromTerraform</c>); an ARN
    /// given here wins over its output.
    /// </summary>
    public LoadBalancerOptions FromTerraform()
    {
        _freeze.EnsureMutable();
        FromTerraformOutputs = true;
        return this;
    }

    /// <summary>Which of the service's load balancers (by its target group) this configures (default: the service's only one).</summary>
    public LoadBalancerOptions TargetGroup(string targetGroupArn)
    {
        _freeze.EnsureMutable();
        TargetGroupArn = targetGroupArn;
        return this;
    }

    /// <summary>The second target group: the new revision registers there while the old one keeps serving.</summary>
    public LoadBalancerOptions AlternateTargetGroup(string targetGroupArn)
    {
        _freeze.EnsureMutable();
        AlternateTargetGroupArn = targetGroupArn;
        return this;
    }

    /// <summary>The listener rule (ALB) or listener (NLB) that carries production traffic; ECS changes its weights.</summary>
    public LoadBalancerOptions ProductionListenerRule(string ruleArn)
    {
        _freeze.EnsureMutable();
        ProductionListenerRuleArn = ruleArn;
        return this;
    }

    /// <summary>The listener rule that sends test traffic to the new revision only (needed by <see cref="DeployOptions.TestTraffic"/>).</summary>
    public LoadBalancerOptions TestListenerRule(string ruleArn)
    {
        _freeze.EnsureMutable();
        TestListenerRuleArn = ruleArn;
        return this;
    }

    /// <summary>The role ECS assumes to change the listener rules (the deployer needs iam:PassRole on it).</summary>
    public LoadBalancerOptions Role(string roleArn)
    {
        _freeze.EnsureMutable();
        RoleArn = roleArn;
        return this;
    }
}
