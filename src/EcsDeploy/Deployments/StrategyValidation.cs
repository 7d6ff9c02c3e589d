using EcsDeploy.Aws;
using EcsDeploy.Rules;

namespace EcsDeploy.Deployments;

/// <summary>Checks the strategy, load balancer, test traffic, alarms and hooks of a Deploy stage, with the analyzer's messages.</summary>
internal static class StrategyValidation
{
    /// <param name="options">The Deploy stage's options.</param>
    /// <param name="readsTerraform">The pipeline starts with Pipeline.FromTerraform, so lb.FromTerraform() has outputs to read.</param>
    /// <param name="problems">Where each problem goes.</param>
    public static void Validate(DeployOptions options, bool readsTerraform, ICollection<string> problems)
    {
        var strategy = options.DeploymentStrategy;
        var label = strategy.Label;
        switch (strategy.Name)
        {
            case DeploymentStrategies.Canary:
                Add(problems, StrategyRules.CheckCanaryPercent(strategy.Percent));
                Add(problems, StrategyRules.CheckCanaryBake(strategy.PhaseBake));
                break;
            case DeploymentStrategies.Linear:
                Add(problems, StrategyRules.CheckLinearStep(strategy.Percent));
                Add(problems, StrategyRules.CheckLinearStepBake(strategy.PhaseBake));
                break;
        }
        if (strategy.ShiftsTraffic)
        {
            Add(problems, StrategyRules.CheckFinalBake(strategy.Bake));
            ValidateLoadBalancer(options.Traffic, label, problems);
            if (options.CircuitBreakerSet && options.CircuitBreakerEnabled)
            {
                problems.Add(StrategyRules.CircuitBreakerIgnored(label));
            }
            if (options.TimeoutSet && strategy.MinimumDuration >= options.Timeout)
            {
                problems.Add(StrategyRules.BakeLongerThanWait(label, strategy.MinimumDuration, options.Timeout));
            }
        }
        else if (options.Traffic is not null)
        {
            problems.Add(StrategyRules.AdvancedConfigurationWithRolling());
        }
        if (options.Traffic is { FromTerraformOutputs: true } && !readsTerraform)
        {
            problems.Add(StrategyRules.LoadBalancerFromTerraformWithoutOutputs());
        }
        if (options.TestTrafficChecks is { } test)
        {
            ValidateTestTraffic(options, test, problems);
        }
        if (options.AlarmsSet && options.AlarmNames.Count == 0)
        {
            problems.Add(StrategyRules.NoAlarms());
        }
        foreach (var name in options.AlarmNames)
        {
            Add(problems, StrategyRules.CheckAlarmName(name));
        }
        ValidatePauseHooks(options, problems);
        foreach (var hook in options.LambdaHooks)
        {
            Add(problems, StrategyRules.CheckLambdaArn(hook.HookTargetArn));
            if (string.IsNullOrWhiteSpace(hook.RoleArn) || !hook.RoleArn.StartsWith("arn:", StringComparison.Ordinal))
            {
                problems.Add($"Lifecycle hook {hook.HookTargetArn}: role '{hook.RoleArn}' is not a role ARN: give the role ECS invokes the function with (arn:aws:iam::ACCOUNT:role/NAME).");
            }
            if (hook.LifecycleStages is not { Count: > 0 })
            {
                problems.Add($"Lifecycle hook {hook.HookTargetArn} has no stage: name at least one of {string.Join(", ", LifecycleHookStages.All)}.");
            }
            foreach (var stage in (hook.LifecycleStages ?? []).Where(s => !LifecycleHookStages.All.Contains(s)))
            {
                problems.Add($"Lifecycle hook {hook.HookTargetArn}: '{stage}' is not a lifecycle stage: use one of {string.Join(", ", LifecycleHookStages.All)} (LifecycleHookStages).");
            }
            if (!strategy.ShiftsTraffic)
            {
                problems.Add($"Lifecycle hook {hook.HookTargetArn}: hooks run in blue/green, linear and canary deployments only: add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another).");
            }
        }
    }

    private static void ValidatePauseHooks(DeployOptions options, ICollection<string> problems)
    {
        foreach (var (stage, timeout, action) in options.PauseHooks)
        {
            Add(problems, StrategyRules.CheckPauseStage(stage));
            if (timeout is { } wait)
            {
                Add(problems, StrategyRules.CheckHookTimeout($"Pause hook timeout at {stage}", wait));
            }
            if (action is not (LifecycleHookActions.Rollback or LifecycleHookActions.Continue))
            {
                problems.Add($"Pause hook at {stage}: timeout action '{action}' is not one ECS takes: give LifecycleHookActions.Rollback or LifecycleHookActions.Continue.");
            }
            if (!options.DeploymentStrategy.ShiftsTraffic)
            {
                problems.Add($"Pause hook at {stage}: hooks run in blue/green, linear and canary deployments only: add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another).");
            }
        }
    }

    private static void ValidateLoadBalancer(LoadBalancerOptions? traffic, string label, ICollection<string> problems)
    {
        if (traffic is null)
        {
            problems.Add(StrategyRules.NeedsAdvancedConfiguration(label));
            return;
        }
        if (traffic.FromTerraformOutputs)
        {
            // Pipeline.FromTerraform lists every missing output before any AWS call (Discovery/TerraformNames.cs).
            return;
        }
        if (string.IsNullOrWhiteSpace(traffic.AlternateTargetGroupArn))
        {
            problems.Add(StrategyRules.MissingAlternateTargetGroup(label));
        }
        if (string.IsNullOrWhiteSpace(traffic.ProductionListenerRuleArn))
        {
            problems.Add(StrategyRules.MissingProductionListenerRule(label));
        }
        if (string.IsNullOrWhiteSpace(traffic.RoleArn))
        {
            problems.Add(StrategyRules.MissingRole(label));
        }
        if (traffic.AlternateTargetGroupArn is { } alternate && alternate == traffic.TargetGroupArn)
        {
            problems.Add($"The alternate target group {alternate} is the service's own target group: give a second target group, so that both revisions can run side by side.");
        }
    }

    private static void ValidateTestTraffic(DeployOptions options, TestTrafficOptions test, ICollection<string> problems)
    {
        if (!options.DeploymentStrategy.ShiftsTraffic)
        {
            problems.Add(StrategyRules.TestTrafficWithRolling());
        }
        else if (options.Traffic is { FromTerraformOutputs: false } && string.IsNullOrWhiteSpace(options.Traffic.TestListenerRuleArn))
        {
            problems.Add(StrategyRules.TestTrafficWithoutTestListener());
        }
        if (test.Paths.Count == 0 && test.Checks.Count == 0)
        {
            problems.Add(StrategyRules.TestTrafficWithoutChecks());
        }
        foreach (var path in test.Paths.Where(p => !p.StartsWith('/')))
        {
            problems.Add($"Test traffic: path '{path}' must start with '/'.");
        }
        if (test.Url is null && test.ListenerPort is null)
        {
            problems.Add(StrategyRules.TestTrafficWithoutAddress());
        }
        if (test.ListenerPort is { } port && port is < 1 or > 65535)
        {
            problems.Add($"Test traffic: port {port} is not a TCP port: give the test listener's port (1-65535).");
        }
        Add(problems, StrategyRules.CheckTestTrafficTimeout(test.PauseTimeout));
        if (test.Within <= TimeSpan.Zero)
        {
            problems.Add($"Test traffic: deadline {DeployRules.Describe(test.Within)} is not positive: give t.Deadline(TimeSpan.FromMinutes(2)).");
        }
        else if (test.Within >= test.PauseTimeout)
        {
            problems.Add(StrategyRules.TestTrafficDeadlineBeyondTimeout(test.Within, test.PauseTimeout));
        }
    }

    private static void Add(ICollection<string> problems, string? problem)
    {
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }
}
