using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

/// <summary>Expected messages are literal text: the wording is checked independently of StrategyRules.</summary>
public class ED0012StrategyLoadBalancerTests
{
    [Fact]
    public Task CanaryWithoutLoadBalancer_ReportsAtStrategy()
        => Analyzer<StrategyLoadBalancerAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").{|#0:Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))|})
                .RunAsync(args);
            """,
            Diagnostic("ED0012", "The canary strategy needs a second target group and the listener rules ECS shifts traffic with: add .LoadBalancer(lb => lb.AlternateTargetGroup(\"arn:...\").ProductionListenerRule(\"arn:...\").Role(\"arn:...\")) to .Deploy(...)."));

    [Fact]
    public Task LinearWithPartOfTheLoadBalancer_NamesEachMissingMember()
        => Analyzer<StrategyLoadBalancerAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Linear(20, TimeSpan.FromMinutes(2)))
                    .{|#0:LoadBalancer(lb => lb.AlternateTargetGroup("arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/green/2"))|})
                .RunAsync(args);
            await Pipeline.For("web")
                .Deploy(d =>
                {
                    d.Service("web-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(5)));
                    d.{|#1:LoadBalancer(lb => lb.ProductionListenerRule("arn:rule").Role("arn:role").AlternateTargetGroup(" "))|};
                })
                .RunAsync(args);
            """,
            Diagnostic("ED0012", "The linear strategy needs a production listener rule: add .ProductionListenerRule(\"arn:...\") to .LoadBalancer(...).", 0),
            Diagnostic("ED0012", "The linear strategy needs the role ECS changes the listener rules with: add .Role(\"arn:...\") to .LoadBalancer(...).", 0),
            Diagnostic("ED0012", "The blue/green strategy needs an alternate target group: add .AlternateTargetGroup(\"arn:...\") to .LoadBalancer(...).", 1));

    [Fact]
    public Task LoadBalancerWithRolling_Reports()
        => Analyzer<StrategyLoadBalancerAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").{|#0:LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role"))|})
                .RunAsync(args);
            await Pipeline.For("web")
                .Deploy(d => d.Service("web-service").Strategy(DeploymentStrategy.Rolling()).{|#1:LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg"))|})
                .RunAsync(args);
            """,
            Diagnostic("ED0012", "The load balancer's alternate target group and listener rules are used by blue/green, linear and canary deployments only: add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another), or remove .LoadBalancer(...).", 0),
            Diagnostic("ED0012", "The load balancer's alternate target group and listener rules are used by blue/green, linear and canary deployments only: add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another), or remove .LoadBalancer(...).", 1));

    [Fact]
    public Task CompleteConfigurations_ReportNothing()
        => Analyzer<StrategyLoadBalancerAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                    .LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule"))
                    .LoadBalancer(lb => lb.Role("arn:role")))
                .RunAsync(args);
            await Pipeline.For("web").Deploy(d => d.Service("web-service").Strategy(DeploymentStrategy.Rolling())).RunAsync(args);
            await Pipeline.For("job").Deploy(d => d.Service("job-service")).RunAsync(args);
            """);

    [Fact]
    public Task WhatTheSourceDoesNotShow_ReportsNothing()
        => Analyzer<StrategyLoadBalancerAnalyzer>("""
            var strategy = DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5));
            Action<LoadBalancerOptions> routes = lb => lb.AlternateTargetGroup("arn:tg");
            // The strategy is a variable: unknown.
            await Pipeline.For("api").Deploy(d => d.Service("api-service").Strategy(strategy)).RunAsync(args);
            // The options go to a helper, which may add the load balancer.
            await Pipeline.For("web").Deploy(d => Routed(d.Service("web-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)))).RunAsync(args);
            // The load balancer is configured by a variable: its members are unknown.
            await Pipeline.For("job").Deploy(d => d.Service("job-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)).LoadBalancer(routes)).RunAsync(args);
            // A branch: the last call written need not be the last made.
            await Pipeline.For("cron").Deploy(d =>
            {
                d.Service("cron-service").LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role"));
                if (args.Length > 0) d.Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero));
            }).RunAsync(args);

            static DeployOptions Routed(DeployOptions d) => d.LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role"));
            """);

    [Fact]
    public Task LoadBalancerFromTerraform_InAPipelineForThatReadsNoTerraform_Reports()
        => Analyzer<StrategyLoadBalancerAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                    .LoadBalancer(lb => lb.{|#0:FromTerraform()|}))
                .RunAsync(args);
            var web = Pipeline.For("web");
            web.Deploy(d => d.Service("web-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)).LoadBalancer(lb => lb.{|#1:FromTerraform()|}));
            await web.RunAsync(args);
            """,
            Diagnostic("ED0012", "lb.FromTerraform() takes the load balancer's ARNs from Terraform outputs, but this pipeline reads none: start it with Pipeline.FromTerraform(name, t => t.StateFile(...)), or give the ARNs (lb.AlternateTargetGroup(...), lb.ProductionListenerRule(...), lb.Role(...)).", 0),
            Diagnostic("ED0012", "lb.FromTerraform() takes the load balancer's ARNs from Terraform outputs, but this pipeline reads none: start it with Pipeline.FromTerraform(name, t => t.StateFile(...)), or give the ARNs (lb.AlternateTargetGroup(...), lb.ProductionListenerRule(...), lb.Role(...)).", 1));

    [Fact]
    public Task LoadBalancerFromTerraform_InAPipelineFromTerraform_OrOfUnknownStart_ReportsNothing()
        => Analyzer<StrategyLoadBalancerAnalyzer>("""
            await Pipeline.FromTerraform("api", t => t.StateFile("terraform.tfstate"))
                .Deploy(d => d.Service("api-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.FromTerraform()))
                .RunAsync(args);
            await Extend(Pipeline.FromTerraform("web")).RunAsync(args);

            static PipelineBuilder Extend(PipelineBuilder pipeline)
                => pipeline.Deploy(d => d.Service("web-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)).LoadBalancer(lb => lb.FromTerraform()));
            """);
}
