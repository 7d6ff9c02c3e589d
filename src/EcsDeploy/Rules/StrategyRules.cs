// One rule source for run time and compile time: the native deployment strategies (BLUE_GREEN, LINEAR, CANARY).
// Compiled into EcsDeploy and linked into EcsDeploy.Analyzers (netstandard2.0): no records, no ranges, no newer
// BCL APIs. Ranges from botocore's ECS model (LinearConfiguration, CanaryConfiguration, bakeTimeInMinutes,
// DeploymentLifecycleHookDuration).
#nullable enable
using System;
using System.Globalization;

namespace EcsDeploy.Rules
{
    /// <summary>The ranges and combinations ECS accepts for blue/green, linear and canary deployments.</summary>
    public static class StrategyRules
    {
        /// <summary>The longest bake ECS accepts, in minutes (24 h).</summary>
        public const int MaxBakeMinutes = 1440;

        /// <summary>The longest a lifecycle hook may wait, in minutes (14 days).</summary>
        public const int MaxHookTimeoutMinutes = 20160;

        /// <summary>Returns null for a canary percentage ECS takes (a multiple of 0.1 from 0.1 to 100), else the problem.</summary>
        public static string? CheckCanaryPercent(double percent)
        {
            return percent >= 0.1 - 1e-9 && percent <= 100 && IsTenth(percent) ? null
                : "Canary percentage " + Number(percent) + " is out of range: ECS takes a multiple of 0.1 from 0.1 to 100, for example DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)).";
        }

        /// <summary>Returns null for a linear step ECS takes (a multiple of 0.1 from 3 to 100), else the problem.</summary>
        public static string? CheckLinearStep(double percent)
        {
            return percent >= 3 - 1e-9 && percent <= 100 && IsTenth(percent) ? null
                : "Linear step of " + Number(percent) + " % is out of range: ECS takes a multiple of 0.1 from 3 to 100, for example DeploymentStrategy.Linear(20, TimeSpan.FromMinutes(2)).";
        }

        /// <summary>Returns null for a bake ECS takes (whole minutes from 0 to 1440), else the problem naming <paramref name="what"/>.</summary>
        public static string? CheckBake(string what, TimeSpan bake)
        {
            return bake >= TimeSpan.Zero && bake <= TimeSpan.FromMinutes(MaxBakeMinutes) && IsWholeMinutes(bake) ? null
                : what + " of " + DeployRules.Describe(bake) + " is out of range: ECS takes whole minutes from 0 to 1440 (24 h), for example TimeSpan.FromMinutes(5).";
        }

        /// <summary>Returns null for a canary bake ECS takes (the second argument of DeploymentStrategy.Canary), else the problem.</summary>
        public static string? CheckCanaryBake(TimeSpan bake) => CheckBake("Canary bake", bake);

        /// <summary>Returns null for a bake between linear steps ECS takes (the second argument of DeploymentStrategy.Linear), else the problem.</summary>
        public static string? CheckLinearStepBake(TimeSpan bake) => CheckBake("Linear step bake", bake);

        /// <summary>Returns null for the bake once all traffic has moved (ECS's bakeTimeInMinutes) ECS takes, else the problem.</summary>
        public static string? CheckFinalBake(TimeSpan bake) => CheckBake("Bake", bake);

        /// <summary>Returns null for a test traffic pause ECS takes (t.Timeout(...)), else the problem.</summary>
        public static string? CheckTestTrafficTimeout(TimeSpan timeout) => CheckHookTimeout("Test traffic timeout", timeout);

        /// <summary>How a strategy is called in messages, from ECS's name: "canary", "linear", "blue/green", "rolling".</summary>
        public static string Label(string strategy)
        {
            switch (strategy)
            {
                case "BLUE_GREEN": return "blue/green";
                case "LINEAR": return "linear";
                case "CANARY": return "canary";
                default: return "rolling";
            }
        }

        /// <summary>Returns null for a hook timeout ECS takes (whole minutes from 1 to 20160), else the problem.</summary>
        public static string? CheckHookTimeout(string what, TimeSpan timeout)
        {
            return timeout >= TimeSpan.FromMinutes(1) && timeout <= TimeSpan.FromMinutes(MaxHookTimeoutMinutes) && IsWholeMinutes(timeout) ? null
                : what + " of " + DeployRules.Describe(timeout) + " is out of range: ECS waits whole minutes from 1 to 20160 (14 days) for a hook, for example TimeSpan.FromMinutes(15).";
        }

        /// <summary>The message for a blue/green, linear or canary strategy without the load balancer's advanced configuration.</summary>
        public static string NeedsAdvancedConfiguration(string strategy)
        {
            return "The " + strategy + " strategy needs a second target group and the listener rules ECS shifts traffic with: add "
                + ".LoadBalancer(lb => lb.AlternateTargetGroup(\"arn:...\").ProductionListenerRule(\"arn:...\").Role(\"arn:...\")) to .Deploy(...).";
        }

        /// <summary>The message for one missing member of the load balancer's advanced configuration.</summary>
        public static string MissingAdvancedMember(string strategy, string what, string method)
        {
            return "The " + strategy + " strategy needs " + what + ": add ." + method + "(\"arn:...\") to .LoadBalancer(...).";
        }

        /// <summary>The message for a load balancer configuration without the alternate target group.</summary>
        public static string MissingAlternateTargetGroup(string strategy) => MissingAdvancedMember(strategy, "an alternate target group", "AlternateTargetGroup");

        /// <summary>The message for a load balancer configuration without the production listener rule.</summary>
        public static string MissingProductionListenerRule(string strategy) => MissingAdvancedMember(strategy, "a production listener rule", "ProductionListenerRule");

        /// <summary>The message for a load balancer configuration without the role ECS changes the listener rules with.</summary>
        public static string MissingRole(string strategy) => MissingAdvancedMember(strategy, "the role ECS changes the listener rules with", "Role");

        /// <summary>The message for a load balancer's advanced configuration given with the rolling strategy.</summary>
        public static string AdvancedConfigurationWithRolling()
        {
            return "The load balancer's alternate target group and listener rules are used by blue/green, linear and canary deployments only: "
                + "add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another), or remove .LoadBalancer(...).";
        }

        /// <summary>The message for a circuit breaker configured with a strategy it does not apply to.</summary>
        public static string CircuitBreakerIgnored(string strategy)
        {
            return "The circuit breaker does nothing with the " + strategy + " strategy (ECS applies it to rolling deployments only): "
                + "remove .CircuitBreaker(...) and guard the release with .RollbackOnAlarms(...) and .TestTraffic(...).";
        }

        /// <summary>The message for test traffic without a test listener rule.</summary>
        public static string TestTrafficWithoutTestListener()
        {
            return "Test traffic needs a test listener rule, where only the new revision answers before production traffic moves: "
                + "add .TestListenerRule(\"arn:...\") to .LoadBalancer(...).";
        }

        /// <summary>The message for test traffic with the rolling strategy.</summary>
        public static string TestTrafficWithRolling()
        {
            return "Test traffic needs a blue/green, linear or canary strategy (a rolling deployment has no test listener): "
                + "add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another).";
        }

        /// <summary>The message for test traffic with nothing to check.</summary>
        public static string TestTrafficWithoutChecks()
        {
            return "Test traffic has nothing to check: add t.Http(\"/health\") or t.Check(\"name\", ...).";
        }

        /// <summary>The message for test traffic without a way to reach the test listener.</summary>
        public static string TestTrafficWithoutAddress()
        {
            return "Test traffic needs the test listener's address: give t.Port(8080) (its port on the service's load balancer) or t.BaseUrl(\"http://...\").";
        }

        /// <summary>The message for a check deadline at or beyond the hook's timeout.</summary>
        public static string TestTrafficDeadlineBeyondTimeout(TimeSpan deadline, TimeSpan timeout)
        {
            return "Test traffic checks retry for " + DeployRules.Describe(deadline) + ", as long as or longer than the pause of "
                + DeployRules.Describe(timeout) + " ECS grants them: shorten t.Deadline(...) or raise t.Timeout(...).";
        }

        /// <summary>The message for RollbackOnAlarms without alarm names.</summary>
        public static string NoAlarms()
        {
            return "RollbackOnAlarms needs at least one CloudWatch alarm name: give the alarm(s) whose ALARM state means this release is bad, for example .RollbackOnAlarms(\"backend-5xx\").";
        }

        /// <summary>Returns null for a CloudWatch alarm name (1-255 characters), else the problem.</summary>
        public static string? CheckAlarmName(string? name)
        {
            return name != null && name.Trim().Length > 0 && name.Length <= 255 ? null
                : "Alarm name '" + name + "' is invalid: give the CloudWatch alarm's name (1-255 characters).";
        }

        /// <summary>Returns null for a Lambda function ARN, else the problem.</summary>
        public static string? CheckLambdaArn(string? arn)
        {
            return arn != null && arn.StartsWith("arn:", StringComparison.Ordinal) && arn.IndexOf(":lambda:", StringComparison.Ordinal) > 0
                && arn.IndexOf(":function:", StringComparison.Ordinal) > 0 ? null
                : "Lifecycle hook target '" + arn + "' is not a Lambda function ARN: give arn:aws:lambda:REGION:ACCOUNT:function:NAME.";
        }

        /// <summary>The lifecycle stages a PAUSE hook may wait at (the ECS guide's pause hooks): every stage but the two while traffic moves.</summary>
        public static System.Collections.Generic.IReadOnlyList<string> PauseStages => PauseStageNames;

        private static readonly string[] PauseStageNames =
        {
            "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT",
        };

        /// <summary>
        /// Returns null for a stage a PAUSE hook may wait at, else the problem and the fix. ECS takes no PAUSE hook at
        /// TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT (the stages while traffic moves), though Lambda hooks run there.
        /// </summary>
        public static string? CheckPauseStage(string? stage)
        {
            if (stage != null && Array.IndexOf(PauseStageNames, stage) >= 0)
            {
                return null;
            }
            string allowed = " (ECS pauses at " + string.Join(", ", PauseStageNames) + " only)";
            switch (stage)
            {
                case "TEST_TRAFFIC_SHIFT":
                    return "A PAUSE hook cannot wait at TEST_TRAFFIC_SHIFT, while test traffic moves" + allowed
                        + ": pause once it moved, .PauseHook(LifecycleHookStages.PostTestTrafficShift).";
                case "PRODUCTION_TRAFFIC_SHIFT":
                    return "A PAUSE hook cannot wait at PRODUCTION_TRAFFIC_SHIFT, while production traffic moves" + allowed
                        + ": pause before it moves, .PauseHook(LifecycleHookStages.PreProductionTrafficShift), or once it moved, .PauseHook(LifecycleHookStages.PostProductionTrafficShift).";
                default:
                    return "'" + stage + "' is not a lifecycle stage a PAUSE hook can wait at: use one of " + string.Join(", ", PauseStageNames) + " (LifecycleHookStages).";
            }
        }

        /// <summary>Where a PAUSE hook refused at <paramref name="stage"/> can wait instead, the nearest first (the analyzer's code fix); empty for other stages.</summary>
        public static string[] PauseStageAlternatives(string? stage)
        {
            switch (stage)
            {
                case "TEST_TRAFFIC_SHIFT": return new[] { "POST_TEST_TRAFFIC_SHIFT" };
                case "PRODUCTION_TRAFFIC_SHIFT": return new[] { "PRE_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT" };
                default: return new string[0];
            }
        }

        /// <summary>The message for lb.FromTerraform() in a pipeline that reads no Terraform outputs (it does not start with Pipeline.FromTerraform).</summary>
        public static string LoadBalancerFromTerraformWithoutOutputs()
        {
            return "lb.FromTerraform() takes the load balancer's ARNs from Terraform outputs, but this pipeline reads none: start it with Pipeline.FromTerraform(name, t => t.StateFile(...)), "
                + "or give the ARNs (lb.AlternateTargetGroup(...), lb.ProductionListenerRule(...), lb.Role(...)).";
        }

        /// <summary>
        /// The message for a strategy whose bake times alone take longer than the deployment's wait timeout: the run
        /// would give up (and roll back) a deployment that is going well.
        /// </summary>
        public static string BakeLongerThanWait(string strategy, TimeSpan minimum, TimeSpan wait)
        {
            return "The " + strategy + " strategy takes at least " + DeployRules.Describe(minimum) + " (its bake times), longer than the wait timeout of "
                + DeployRules.Describe(wait) + ": raise .WaitTimeout(...) well above " + DeployRules.Describe(minimum)
                + ", or leave it out (the default follows the strategy).";
        }

        /// <summary>
        /// The least time a deployment takes beyond starting its tasks: the bakes between steps and after the last
        /// shift. <paramref name="percent"/> is the linear step (ignored for the other strategies).
        /// </summary>
        public static TimeSpan MinimumDuration(string strategy, double percent, TimeSpan phaseBake, TimeSpan bake)
        {
            switch (strategy)
            {
                case "LINEAR":
                    int steps = percent <= 0 ? 1 : (int)Math.Ceiling(100 / percent - 1e-9);
                    return TimeSpan.FromTicks(phaseBake.Ticks * Math.Max(0, steps - 1)) + bake;
                case "CANARY":
                    return phaseBake + bake;
                case "BLUE_GREEN":
                    return bake;
                default:
                    return TimeSpan.Zero;
            }
        }

        private static bool IsTenth(double value)
        {
            double tenths = value * 10;
            return Math.Abs(tenths - Math.Round(tenths)) < 1e-6;
        }

        private static bool IsWholeMinutes(TimeSpan value) => value.Ticks % TimeSpan.TicksPerMinute == 0;

        private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
