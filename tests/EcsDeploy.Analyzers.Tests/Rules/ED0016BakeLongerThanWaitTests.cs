using EcsDeploy.Analyzers.CodeFixes;
using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

/// <summary>Expected messages are literal text: the wording is checked independently of StrategyRules.</summary>
public class ED0016BakeLongerThanWaitTests
{
    [Fact]
    public Task LinearBakesLongerThanTheWaitTimeout_Reports()
        => Analyzer<BakeLongerThanWaitAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Linear(10, TimeSpan.FromMinutes(4)))
                    .{|#0:WaitTimeout(TimeSpan.FromMinutes(30))|})
                .RunAsync(args);
            await Pipeline.For("web")
                .Deploy(d => d.Service("web-service")
                    .{|#1:WaitTimeout(TimeSpan.FromMinutes(8))|}
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(3))))
                .RunAsync(args);
            """,
            Diagnostic("ED0016", "The linear strategy takes at least 36 min (its bake times), longer than the wait timeout of 30 min: raise .WaitTimeout(...) well above 36 min, or leave it out (the default follows the strategy).", 0),
            Diagnostic("ED0016", "The canary strategy takes at least 8 min (its bake times), longer than the wait timeout of 8 min: raise .WaitTimeout(...) well above 8 min, or leave it out (the default follows the strategy).", 1));

    [Fact]
    public Task WaitLongEnoughUnsetOrUnknown_ReportsNothing()
        => Analyzer<BakeLongerThanWaitAnalyzer>("""
            var wait = TimeSpan.FromMinutes(args.Length);
            await Pipeline.For("api").Deploy(d => d.Service("api-service").Strategy(DeploymentStrategy.Linear(10, TimeSpan.FromMinutes(4))).WaitTimeout(TimeSpan.FromHours(1))).RunAsync(args);
            await Pipeline.For("web").Deploy(d => d.Service("web-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromHours(2)))).RunAsync(args);
            await Pipeline.For("job").Deploy(d => d.Service("job-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromHours(2))).WaitTimeout(wait)).RunAsync(args);
            await Pipeline.For("cron").Deploy(d => d.Service("cron-service").WaitTimeout(TimeSpan.FromMinutes(1))).RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_RemovesTheWaitTimeout()
        => CodeFix<BakeLongerThanWaitAnalyzer, RemoveCallCodeFixProvider>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Linear(10, TimeSpan.FromMinutes(4)))
                    .{|ED0016:WaitTimeout(TimeSpan.FromMinutes(30))|})
                .RunAsync(args);
            """, """
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Linear(10, TimeSpan.FromMinutes(4))))
                .RunAsync(args);
            """);
}
