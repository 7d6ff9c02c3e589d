using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

/// <summary>Expected messages are literal text: the wording is checked independently of StrategyRules.</summary>
public class ED0013StrategyRangeTests
{
    [Fact]
    public Task CanaryPercentAndBakesOutOfRange_ReportEachArgument()
        => Analyzer<StrategyRangeAnalyzer>("""
            var canary = DeploymentStrategy.Canary({|#0:0.05|}, {|#1:TimeSpan.FromSeconds(90)|}, {|#2:TimeSpan.FromHours(25)|});
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").Strategy(DeploymentStrategy.Canary({|#3:12.34|}, TimeSpan.FromMinutes(5))))
                .RunAsync(args);
            """,
            Diagnostic("ED0013", "Canary percentage 0.05 is out of range: ECS takes a multiple of 0.1 from 0.1 to 100, for example DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)).", 0),
            Diagnostic("ED0013", "Canary bake of 90 s is out of range: ECS takes whole minutes from 0 to 1440 (24 h), for example TimeSpan.FromMinutes(5).", 1),
            Diagnostic("ED0013", "Bake of 25 h is out of range: ECS takes whole minutes from 0 to 1440 (24 h), for example TimeSpan.FromMinutes(5).", 2),
            Diagnostic("ED0013", "Canary percentage 12.34 is out of range: ECS takes a multiple of 0.1 from 0.1 to 100, for example DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)).", 3));

    [Fact]
    public Task LinearAndBlueGreenOutOfRange_Report()
        => Analyzer<StrategyRangeAnalyzer>("""
            var linear = DeploymentStrategy.Linear({|#0:2.5|}, {|#1:TimeSpan.FromMinutes(-1)|});
            var blueGreen = DeploymentStrategy.BlueGreen({|#2:TimeSpan.FromMinutes(1441)|});
            """,
            Diagnostic("ED0013", "Linear step of 2.5 % is out of range: ECS takes a multiple of 0.1 from 3 to 100, for example DeploymentStrategy.Linear(20, TimeSpan.FromMinutes(2)).", 0),
            Diagnostic("ED0013", "Linear step bake of -1 min is out of range: ECS takes whole minutes from 0 to 1440 (24 h), for example TimeSpan.FromMinutes(5).", 1),
            Diagnostic("ED0013", "Bake of 1441 min is out of range: ECS takes whole minutes from 0 to 1440 (24 h), for example TimeSpan.FromMinutes(5).", 2));

    [Fact]
    public Task TestTrafficTimeoutOutOfRange_Reports()
        => Analyzer<StrategyRangeAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").TestTraffic(t => t.Http("/health").Port(8080).Timeout({|#0:TimeSpan.FromSeconds(30)|})))
                .RunAsync(args);
            """,
            Diagnostic("ED0013", "Test traffic timeout of 30 s is out of range: ECS waits whole minutes from 1 to 20160 (14 days) for a hook, for example TimeSpan.FromMinutes(15).", 0));

    [Fact]
    public Task EdgesAndNonConstants_ReportNothing()
        => Analyzer<StrategyRangeAnalyzer>("""
            double percent = args.Length;
            var a = DeploymentStrategy.Canary(0.1, TimeSpan.Zero);
            var b = DeploymentStrategy.Canary(100, TimeSpan.FromMinutes(1440), null);
            var c = DeploymentStrategy.Linear(3, TimeSpan.FromMinutes(1), TimeSpan.FromHours(24));
            var e = DeploymentStrategy.Canary(percent, TimeSpan.FromSeconds(args.Length));
            var f = DeploymentStrategy.BlueGreen(new TimeSpan(0, 5, 0));
            """);
}
