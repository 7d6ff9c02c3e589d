using EcsDeploy.Analyzers.CodeFixes;
using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

/// <summary>Expected messages are literal text: the wording is checked independently of StrategyRules.</summary>
public class ED0014CircuitBreakerIgnoredTests
{
    [Fact]
    public Task CircuitBreakerWithCanary_Reports()
        => Analyzer<CircuitBreakerIgnoredAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .{|#0:CircuitBreaker()|}
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                    .LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role")))
                .RunAsync(args);
            await Pipeline.For("web")
                .Deploy(d => d.Service("web-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)).{|#1:CircuitBreaker(true)|})
                .RunAsync(args);
            """,
            Diagnostic("ED0014", "The circuit breaker does nothing with the canary strategy (ECS applies it to rolling deployments only): remove .CircuitBreaker(...) and guard the release with .RollbackOnAlarms(...) and .TestTraffic(...).", 0),
            Diagnostic("ED0014", "The circuit breaker does nothing with the blue/green strategy (ECS applies it to rolling deployments only): remove .CircuitBreaker(...) and guard the release with .RollbackOnAlarms(...) and .TestTraffic(...).", 1));

    [Fact]
    public Task RollingTurnedOffOrNotConstant_ReportsNothing()
        => Analyzer<CircuitBreakerIgnoredAnalyzer>("""
            bool fromConfig = args.Length > 0;
            await Pipeline.For("api").Deploy(d => d.Service("api-service").CircuitBreaker()).RunAsync(args);
            await Pipeline.For("web").Deploy(d => d.Service("web-service").Strategy(DeploymentStrategy.Linear(20, TimeSpan.FromMinutes(2))).CircuitBreaker(false)).RunAsync(args);
            await Pipeline.For("job").Deploy(d => d.Service("job-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.Zero)).CircuitBreaker(fromConfig)).RunAsync(args);
            await Pipeline.For("cron").Deploy(d => d.Service("cron-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.Zero)).CircuitBreaker().CircuitBreaker(false)).RunAsync(args);
            """);

    [Fact]
    public Task TurnedOffWithCanary_IsNotReportedByED0010Either()
        => Analyzer<SafetyNetDisabledAnalyzer>("""
            await Pipeline.For("api").Deploy(d => d.Service("api-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.Zero)).CircuitBreaker(false)).RunAsync(args);
            await Pipeline.For("web").Deploy(d => d.Service("web-service").CircuitBreaker({|#0:false|})).RunAsync(args);
            """,
            Diagnostic("ED0010", "The deployment circuit breaker is turned off: a failing deployment keeps replacing tasks until the wait times out; remove .CircuitBreaker(false).", 0));

    [Fact]
    public Task CodeFix_RemovesTheCircuitBreaker_FixAll()
        => CodeFix<CircuitBreakerIgnoredAnalyzer, RemoveCallCodeFixProvider>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .{|ED0014:CircuitBreaker()|}
                    .Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)))
                .RunAsync(args);
            await Pipeline.For("web")
                .Deploy(d =>
                {
                    d.Service("web-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)));
                    d.{|ED0014:CircuitBreaker()|};
                })
                .RunAsync(args);
            """, """
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero)))
                .RunAsync(args);
            await Pipeline.For("web")
                .Deploy(d =>
                {
                    d.Service("web-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)));
                })
                .RunAsync(args);
            """);
}
