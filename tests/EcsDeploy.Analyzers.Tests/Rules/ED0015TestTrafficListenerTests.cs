using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

/// <summary>Expected messages are literal text: the wording is checked independently of StrategyRules.</summary>
public class ED0015TestTrafficListenerTests
{
    [Fact]
    public Task TestTrafficWithoutTestListenerRule_Reports()
        => Analyzer<TestTrafficListenerAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(5)))
                    .LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role"))
                    .{|#0:TestTraffic(t => t.Http("/health").Port(8080))|})
                .RunAsync(args);
            """,
            Diagnostic("ED0015", "Test traffic needs a test listener rule, where only the new revision answers before production traffic moves: add .TestListenerRule(\"arn:...\") to .LoadBalancer(...).", 0));

    [Fact]
    public Task TestTrafficWithRolling_Reports()
        => Analyzer<TestTrafficListenerAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").{|#0:TestTraffic(t => t.Http("/health").Port(8080))|})
                .RunAsync(args);
            """,
            Diagnostic("ED0015", "Test traffic needs a blue/green, linear or canary strategy (a rolling deployment has no test listener): add .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or another).", 0));

    [Fact]
    public Task TestListenerRuleGivenOrUnknown_ReportsNothing()
        => Analyzer<TestTrafficListenerAnalyzer>("""
            Action<LoadBalancerOptions> routes = lb => lb.AlternateTargetGroup("arn:tg");
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                    .LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").TestListenerRule("arn:test").Role("arn:role"))
                    .TestTraffic(t => t.Http("/health").Port(8080)))
                .RunAsync(args);
            await Pipeline.For("web")
                .Deploy(d => d.Service("web-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.Zero)).LoadBalancer(routes).TestTraffic(t => t.Http("/health")))
                .RunAsync(args);
            // The load balancer is configured by a helper: its rules are unknown.
            await Pipeline.For("job")
                .Deploy(d => d.Service("job-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.Zero)).LoadBalancer(lb => lb.FromPlatform()).TestTraffic(t => t.Http("/health")))
                .RunAsync(args);

            static class Platform
            {
                public static LoadBalancerOptions FromPlatform(this LoadBalancerOptions lb) => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").TestListenerRule("arn:test").Role("arn:role");
            }
            """);
}
