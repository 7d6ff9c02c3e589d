using EcsDeploy.Aws;
using EcsDeploy.Deployments;

namespace EcsDeploy.Tests.Deployments;

/// <summary>Build() checks blue/green, linear and canary deployments before any AWS call, one literal message per problem.</summary>
public sealed class StrategyValidationTests
{
    private const string Green = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/green/2";
    private const string Production = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/alb/1/2/3";
    private const string Test = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/alb/1/4/5";
    private const string Role = "arn:aws:iam::123456789012:role/ecs-infrastructure";

    private static IReadOnlyList<string> Problems(Action<DeployOptions> configure)
    {
        var builder = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Deploy(d => configure(d.Service("truecaller-backend-service")));
        try
        {
            builder.Build();
            return [];
        }
        catch (PipelineValidationException error)
        {
            return error.Problems;
        }
    }

    private static DeployOptions Routed(DeployOptions d) => d.LoadBalancer(lb => lb.AlternateTargetGroup(Green).ProductionListenerRule(Production).TestListenerRule(Test).Role(Role));

    [Fact]
    public void Build_CanaryWithTestTrafficAlarmsAndHook_IsValid()
    {
        var problems = Problems(d => Routed(d)
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
            .TestTraffic(t => t.Http("/health").Port(8080))
            .RollbackOnAlarms("backend-5xx")
            .LambdaHook("arn:aws:lambda:eu-central-1:123456789012:function:check", Role, LifecycleHookStages.PreScaleUp));

        Assert.Empty(problems);
    }

    [Fact]
    public void Build_CanaryWithoutLoadBalancer_SaysWhatToAdd()
    {
        Assert.Equal(
            ["The canary strategy needs a second target group and the listener rules ECS shifts traffic with: add .LoadBalancer(lb => lb.AlternateTargetGroup(\"arn:...\").ProductionListenerRule(\"arn:...\").Role(\"arn:...\")) to .Deploy(...)."],
            Problems(d => d.Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))));
    }

    [Fact]
    public void Build_LinearWithPartOfTheLoadBalancer_NamesEachMissingMember()
    {
        Assert.Equal(
            [
                "The linear strategy needs a production listener rule: add .ProductionListenerRule(\"arn:...\") to .LoadBalancer(...).",
                "The linear strategy needs the role ECS changes the listener rules with: add .Role(\"arn:...\") to .LoadBalancer(...).",
            ],
            Problems(d => d.Strategy(DeploymentStrategy.Linear(20, TimeSpan.FromMinutes(2))).LoadBalancer(lb => lb.AlternateTargetGroup(Green))));
        Assert.Equal(
            ["The blue/green strategy needs an alternate target group: add .AlternateTargetGroup(\"arn:...\") to .LoadBalancer(...)."],
            Problems(d => d.Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.ProductionListenerRule(Production).Role(Role))));
    }

    [Theory]
    [InlineData(0.05, "Canary percentage 0.05 is out of range: ECS takes a multiple of 0.1 from 0.1 to 100, for example DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)).")]
    [InlineData(100.5, "Canary percentage 100.5 is out of range: ECS takes a multiple of 0.1 from 0.1 to 100, for example DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)).")]
    [InlineData(12.34, "Canary percentage 12.34 is out of range: ECS takes a multiple of 0.1 from 0.1 to 100, for example DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)).")]
    public void Build_CanaryPercentOutOfRange_IsRefused(double percent, string message)
    {
        Assert.Equal([message], Problems(d => Routed(d).Strategy(DeploymentStrategy.Canary(percent, TimeSpan.FromMinutes(5)))));
    }

    [Fact]
    public void Build_CanaryEdges_AreAccepted()
    {
        Assert.Empty(Problems(d => Routed(d).Strategy(DeploymentStrategy.Canary(0.1, TimeSpan.Zero))));
        Assert.Empty(Problems(d => Routed(d).Strategy(DeploymentStrategy.Canary(100, TimeSpan.FromMinutes(1440)))));
        Assert.Empty(Problems(d => Routed(d).Strategy(DeploymentStrategy.Linear(3, TimeSpan.FromMinutes(1)))));
    }

    [Fact]
    public void Build_LinearStepAndBakesOutOfRange_AreRefused()
    {
        Assert.Equal(
            [
                "Linear step of 2.5 % is out of range: ECS takes a multiple of 0.1 from 3 to 100, for example DeploymentStrategy.Linear(20, TimeSpan.FromMinutes(2)).",
                "Linear step bake of 90 s is out of range: ECS takes whole minutes from 0 to 1440 (24 h), for example TimeSpan.FromMinutes(5).",
                "Bake of 25 h is out of range: ECS takes whole minutes from 0 to 1440 (24 h), for example TimeSpan.FromMinutes(5).",
            ],
            Problems(d => Routed(d).Strategy(DeploymentStrategy.Linear(2.5, TimeSpan.FromSeconds(90), TimeSpan.FromHours(25)))));
        Assert.Equal(
            ["Canary bake of -1 min is out of range: ECS takes whole minutes from 0 to 1440 (24 h), for example TimeSpan.FromMinutes(5)."],
            Problems(d => Routed(d).Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(-1)))));
    }

    [Fact]
    public void Build_CircuitBreakerWithCanary_SaysItDoesNothing()
    {
        Assert.Equal(
            ["The circuit breaker does nothing with the canary strategy (ECS applies it to rolling deployments only): remove .CircuitBreaker(...) and guard the release with .RollbackOnAlarms(...) and .TestTraffic(...)."],
            Problems(d => Routed(d).Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).CircuitBreaker()));
        Assert.Empty(Problems(d => Routed(d).Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).CircuitBreaker(false)));
    }

    [Fact]
    public void Build_TestTrafficWithoutTestListenerRule_IsRefused()
    {
        Assert.Equal(
            ["Test traffic needs a test listener rule, where only the new revision answers before production traffic moves: add .TestListenerRule(\"arn:...\") to .LoadBalancer(...)."],
            Problems(d => d.Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(5)))
                .LoadBalancer(lb => lb.AlternateTargetGroup(Green).ProductionListenerRule(Production).Role(Role))
                .TestTraffic(t => t.Http("/health").Port(8080))));
    }

    [Fact]
    public void Build_TestTrafficWithRollingOrNothingToCheck_IsRefused()
    {
        Assert.Equal(
            [
                "Test traffic needs a blue/green, linear or canary strategy (a rolling deployment has no test listener): add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another).",
                "Test traffic has nothing to check: add t.Http(\"/health\") or t.Check(\"name\", ...).",
                "Test traffic needs the test listener's address: give t.Port(8080) (its port on the service's load balancer) or t.BaseUrl(\"http://...\").",
            ],
            Problems(d => d.TestTraffic(_ => { })));
    }

    [Fact]
    public void Build_TestTrafficTimeoutsOutOfRange_AreRefused()
    {
        Assert.Equal(
            ["Test traffic timeout of 30 s is out of range: ECS waits whole minutes from 1 to 20160 (14 days) for a hook, for example TimeSpan.FromMinutes(15).",
             "Test traffic checks retry for 2 min, as long as or longer than the pause of 30 s ECS grants them: shorten t.Deadline(...) or raise t.Timeout(...)."],
            Problems(d => Routed(d).Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).TestTraffic(t => t.Http("/health").Port(8080).Timeout(TimeSpan.FromSeconds(30)))));
    }

    [Fact]
    public void Build_BakesLongerThanTheWaitTimeout_AreRefused()
    {
        Assert.Equal(
            ["The linear strategy takes at least 36 min (its bake times), longer than the wait timeout of 30 min: raise .WaitTimeout(...) well above 36 min, or leave it out (the default follows the strategy)."],
            Problems(d => Routed(d).Strategy(DeploymentStrategy.Linear(10, TimeSpan.FromMinutes(4))).WaitTimeout(TimeSpan.FromMinutes(30))));
        Assert.Empty(Problems(d => Routed(d).Strategy(DeploymentStrategy.Linear(10, TimeSpan.FromMinutes(4)))));
    }

    [Fact]
    public void Build_AlarmsAndHooks_AreChecked()
    {
        Assert.Equal(
            ["RollbackOnAlarms needs at least one CloudWatch alarm name: give the alarm(s) whose ALARM state means this release is bad, for example .RollbackOnAlarms(\"backend-5xx\")."],
            Problems(d => d.RollbackOnAlarms()));
        Assert.Equal(
            ["Alarm name ' ' is invalid: give the CloudWatch alarm's name (1-255 characters)."],
            Problems(d => d.RollbackOnAlarms(" ")));
        Assert.Equal(
            [
                "Lifecycle hook target 'check' is not a Lambda function ARN: give arn:aws:lambda:REGION:ACCOUNT:function:NAME.",
                "Lifecycle hook check: 'AFTER_BAKE' is not a lifecycle stage: use one of RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT (LifecycleHookStages).",
            ],
            Problems(d => Routed(d).Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)).LambdaHook("check", Role, "AFTER_BAKE")));
        Assert.Equal(
            ["Lifecycle hook arn:aws:lambda:eu-central-1:1:function:f: hooks run in blue/green, linear and canary deployments only: add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another)."],
            Problems(d => d.LambdaHook("arn:aws:lambda:eu-central-1:1:function:f", Role, LifecycleHookStages.PreScaleUp)));
    }

    [Fact]
    public void Build_PauseHookWhileTrafficMoves_IsRefused_NamingWhereToPauseInstead()
    {
        const string allowed = "(ECS pauses at RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT only)";
        Assert.Equal(
            [
                $"A PAUSE hook cannot wait at TEST_TRAFFIC_SHIFT, while test traffic moves {allowed}: pause once it moved, .PauseHook(LifecycleHookStages.PostTestTrafficShift).",
                $"A PAUSE hook cannot wait at PRODUCTION_TRAFFIC_SHIFT, while production traffic moves {allowed}: pause before it moves, .PauseHook(LifecycleHookStages.PreProductionTrafficShift), or once it moved, .PauseHook(LifecycleHookStages.PostProductionTrafficShift).",
            ],
            Problems(d => Routed(d).Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                .PauseHook(LifecycleHookStages.TestTrafficShift).PauseHook(LifecycleHookStages.ProductionTrafficShift, TimeSpan.FromMinutes(30))));
    }

    [Fact]
    public void Build_PauseHooksBetweenStages_AreValid_AndOtherwiseChecked()
    {
        Assert.Empty(Problems(d => Routed(d).Strategy(DeploymentStrategy.Linear(20, TimeSpan.FromMinutes(2)))
            .PauseHook(LifecycleHookStages.PostScaleUp).PauseHook(LifecycleHookStages.PreProductionTrafficShift, TimeSpan.FromHours(2), LifecycleHookActions.Continue)));
        Assert.Equal(
            [
                "'AFTER_BAKE' is not a lifecycle stage a PAUSE hook can wait at: use one of RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT (LifecycleHookStages).",
                "Pause hook timeout at POST_SCALE_UP of 30 s is out of range: ECS waits whole minutes from 1 to 20160 (14 days) for a hook, for example TimeSpan.FromMinutes(15).",
                "Pause hook at POST_SCALE_UP: timeout action 'WAIT' is not one ECS takes: give LifecycleHookActions.Rollback or LifecycleHookActions.Continue.",
            ],
            Problems(d => Routed(d).Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)).PauseHook("AFTER_BAKE").PauseHook(LifecycleHookStages.PostScaleUp, TimeSpan.FromSeconds(30), "WAIT")));
        Assert.Equal(
            ["Pause hook at PRE_SCALE_UP: hooks run in blue/green, linear and canary deployments only: add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another)."],
            Problems(d => d.PauseHook(LifecycleHookStages.PreScaleUp)));
    }

    [Fact]
    public void StrategySettings_SendsPauseHooksBesideTheTestTrafficGate()
    {
        var settings = StrategySettings.From(new DeployOptions()
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
            .TestTraffic(t => t.Http("/health").Port(8080))
            .PauseHook(LifecycleHookStages.PreProductionTrafficShift, TimeSpan.FromHours(2), LifecycleHookActions.Continue)
            .PauseHook(LifecycleHookStages.PostScaleUp))!;
        var service = new EcsService { ServiceName = "truecaller-backend-service" };

        var hooks = settings.Apply(service).Configuration.LifecycleHooks!;

        Assert.Equal(
            [
                (LifecycleHookStages.PreProductionTrafficShift, 120, LifecycleHookActions.Continue),
                (LifecycleHookStages.PostScaleUp, (int?)null, LifecycleHookActions.Rollback),
                (LifecycleHookStages.PostTestTrafficShift, 15, LifecycleHookActions.Rollback),
            ],
            hooks.Select(h => (h.LifecycleStages!.Single(), h.TimeoutConfiguration!.TimeoutInMinutes, h.TimeoutConfiguration.Action!)));
        Assert.All(hooks, h => Assert.Equal(LifecycleHookTargetTypes.Pause, h.TargetType));
    }

    [Fact]
    public void Plan_ListsEachPauseHook_WithWhatEcsDoesWhenNobodyContinues()
    {
        var options = new DeployOptions()
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
            .PauseHook(LifecycleHookStages.PreProductionTrafficShift, TimeSpan.FromHours(2), LifecycleHookActions.Continue)
            .PauseHook(LifecycleHookStages.PostScaleUp);

        var details = StrategyPlan.Details(options, null, new StrategyCleanUp(TimeSpan.FromSeconds(300), "default")).Where(d => d.Key == "pause hook").Select(d => d.Value);

        Assert.Equal(
            [
                "at PRE_PRODUCTION_TRAFFIC_SHIFT: waits for ContinueServiceDeployment from somebody else, then CONTINUE after 2 h",
                "at POST_SCALE_UP: waits for ContinueServiceDeployment from somebody else, then ROLLBACK after 24 h",
            ],
            details);
    }

    [Fact]
    public void Build_LoadBalancerFromTerraform_InAPipelineThatReadsNoTerraform_IsRefused_WhateverTheStrategy()
    {
        const string message = "lb.FromTerraform() takes the load balancer's ARNs from Terraform outputs, but this pipeline reads none: start it with Pipeline.FromTerraform(name, t => t.StateFile(...)), or give the ARNs (lb.AlternateTargetGroup(...), lb.ProductionListenerRule(...), lb.Role(...)).";
        Assert.Equal([message], Problems(d => d.Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.FromTerraform())));
        Assert.Contains(message, Problems(d => d.LoadBalancer(lb => lb.FromTerraform())));
    }

    [Fact]
    public void Build_LoadBalancerWithRolling_IsRefused()
    {
        Assert.Equal(
            ["The load balancer's alternate target group and listener rules are used by blue/green, linear and canary deployments only: add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another), or remove .LoadBalancer(...)."],
            Problems(d => Routed(d)));
    }

    [Fact]
    public void Strategy_MinimumDuration_AddsItsBakes()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(5)).MinimumDuration);
        Assert.Equal(TimeSpan.FromMinutes(8), DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(3)).MinimumDuration);
        // 100 / 30 = 4 steps (30, 60, 90, 100): 3 bakes between them.
        Assert.Equal(TimeSpan.FromMinutes(6), DeploymentStrategy.Linear(30, TimeSpan.FromMinutes(2)).MinimumDuration);
        Assert.Equal(TimeSpan.Zero, DeploymentStrategy.Rolling().MinimumDuration);
        Assert.Equal("canary 10 % for 5 min, then all", DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)).ToString());
    }
}
