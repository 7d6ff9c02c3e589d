using EcsDeploy.Analyzers.CodeFixes;
using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

/// <summary>Expected messages are literal text: the wording is checked independently of StrategyRules.</summary>
public class ED0017PauseHookStageTests
{
    private const string Allowed = "(ECS pauses at RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT only)";

    [Fact]
    public Task PauseHookWhileTrafficMoves_ReportsAtTheStage_ConstantOrLiteral()
        => Analyzer<PauseHookStageAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                    .LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role"))
                    .PauseHook({|#0:EcsDeploy.Aws.LifecycleHookStages.TestTrafficShift|})
                    .PauseHook({|#1:"PRODUCTION_TRAFFIC_SHIFT"|}, TimeSpan.FromMinutes(30))
                    .PauseHook({|#2:"AFTER_BAKE"|}))
                .RunAsync(args);
            """,
            Diagnostic("ED0017", $"A PAUSE hook cannot wait at TEST_TRAFFIC_SHIFT, while test traffic moves {Allowed}: pause once it moved, .PauseHook(LifecycleHookStages.PostTestTrafficShift).", 0),
            Diagnostic("ED0017", $"A PAUSE hook cannot wait at PRODUCTION_TRAFFIC_SHIFT, while production traffic moves {Allowed}: pause before it moves, .PauseHook(LifecycleHookStages.PreProductionTrafficShift), or once it moved, .PauseHook(LifecycleHookStages.PostProductionTrafficShift).", 1),
            Diagnostic("ED0017", "'AFTER_BAKE' is not a lifecycle stage a PAUSE hook can wait at: use one of RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT (LifecycleHookStages).", 2));

    [Fact]
    public Task PauseHookBetweenStages_OrNotConstant_ReportsNothing()
        => Analyzer<PauseHookStageAnalyzer>("""
            var stage = args.Length > 0 ? args[0] : "TEST_TRAFFIC_SHIFT";
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                    .LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role"))
                    .PauseHook(EcsDeploy.Aws.LifecycleHookStages.PostTestTrafficShift)
                    .PauseHook("PRE_PRODUCTION_TRAFFIC_SHIFT")
                    .PauseHook(stage)
                    .LambdaHook("arn:aws:lambda:eu-central-1:1:function:f", "arn:role", EcsDeploy.Aws.LifecycleHookStages.TestTrafficShift))
                .RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_MovesTheHookAfterTheTestTrafficShift_KeepingConstantOrLiteral()
        => CodeFix<PauseHookStageAnalyzer, PauseHookStageCodeFixProvider>("""
            using EcsDeploy.Aws;

            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                    .PauseHook({|ED0017:LifecycleHookStages.TestTrafficShift|})
                    .PauseHook({|ED0017:"TEST_TRAFFIC_SHIFT"|}, TimeSpan.FromMinutes(20)))
                .RunAsync(args);
            """, """
            using EcsDeploy.Aws;

            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                    .PauseHook(LifecycleHookStages.PostTestTrafficShift)
                    .PauseHook("POST_TEST_TRAFFIC_SHIFT", TimeSpan.FromMinutes(20)))
                .RunAsync(args);
            """, equivalenceKey: "PauseHookStageCodeFixProviderPOST_TEST_TRAFFIC_SHIFT");

    [Theory]
    [InlineData("PauseHookStageCodeFixProviderPRE_PRODUCTION_TRAFFIC_SHIFT", "PreProductionTrafficShift")]
    [InlineData("PauseHookStageCodeFixProviderPOST_PRODUCTION_TRAFFIC_SHIFT", "PostProductionTrafficShift")]
    public Task CodeFix_AtTheProductionTrafficShift_OffersBeforeAndAfter(string key, string constant)
        => CodeFix<PauseHookStageAnalyzer, PauseHookStageCodeFixProvider>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").PauseHook({|ED0017:EcsDeploy.Aws.LifecycleHookStages.ProductionTrafficShift|}))
                .RunAsync(args);
            """, $$"""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").PauseHook(EcsDeploy.Aws.LifecycleHookStages.{{constant}}))
                .RunAsync(args);
            """, equivalenceKey: key);
}
