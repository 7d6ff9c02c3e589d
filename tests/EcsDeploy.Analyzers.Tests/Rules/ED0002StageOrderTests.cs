using EcsDeploy.Analyzers.CodeFixes;
using EcsDeploy.Analyzers.Tests.Infrastructure;
using EcsDeploy.Rules;
using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0002StageOrderTests
{
    [Fact]
    public Task MigrateAfterDeploy_InOneChain_ReportsAtMigrate()
        => Analyzer<StageOrderAnalyzer>("""
            await Pipeline.For("api").InRegion("eu-central-1").OnCluster("c")
                .Deploy(d => d.Service("api-service"))
                .{|#0:Migrate(m => m.Prisma())|}
                .RunAsync(args);
            """,
            Diagnostic("ED0002", "Stage 'Migrate' must run before 'Deploy': move .Migrate(...) before .Deploy(...)."));

    [Fact]
    public Task VerifyBeforeDeploy_ReportsAtDeploy()
        => Analyzer<StageOrderAnalyzer>("""
            await Pipeline.For("api")
                .Verify(v => v.Http("/health"))
                .{|#0:Deploy(d => d.Service("api-service"))|}
                .RunAsync(args);
            """,
            Diagnostic("ED0002", "Stage 'Deploy' must run before 'Verify': it produces 'deployment', which 'Verify' needs. Move .Deploy(...) before .Verify(...)."));

    [Fact]
    public Task PushBeforeBuild_ReportsAtBuild()
        => Analyzer<StageOrderAnalyzer>("""
            await Pipeline.For("api")
                .Push()
                .{|#0:Build(b => b.Image())|}
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);
            """,
            Diagnostic("ED0002", "Stage 'Build' must run before 'Push': it produces 'built image', which 'Push' needs. Move .Build(...) before .Push(...)."));

    [Fact]
    public Task TheSeedPipeline_InOrder_ReportsNothing()
        => Analyzer<StageOrderAnalyzer>("""
            return await Pipeline.For("truecaller-backend")
                .InRegion("eu-central-1")
                .OnCluster("truecaller-backend-cluster")
                .Build(b => b.Run("npm ci").Run("npm run build").Image("Dockerfile"))
                .Push()
                .Migrate(m => m.Prisma())
                .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds(30)))
                .Deploy(d => d.Service("truecaller-backend-service").RollbackOnFailure())
                .Verify(v => v.Http("/health").Ollama())
                .RunAsync(args);
            """);

    [Fact]
    public Task OutOfOrder_AcrossStatementsOnALocal_Reports()
        => Analyzer<StageOrderAnalyzer>("""
            var pipeline = Pipeline.For("api").InRegion("eu-central-1");
            pipeline.Deploy(d => d.Service("api-service"));
            pipeline = pipeline.Verify(v => v.Http("/health"));
            pipeline.{|#0:Migrate(m => m.Prisma())|};
            await pipeline.RunAsync(args);
            """,
            Diagnostic("ED0002", "Stage 'Migrate' must run before 'Deploy': move .Migrate(...) before .Deploy(...)."));

    [Fact]
    public Task InOrder_AcrossStatements_ReportsNothing()
        => Analyzer<StageOrderAnalyzer>("""
            var pipeline = Pipeline.For("api");
            pipeline.Migrate(m => m.Prisma());
            pipeline.Deploy(d => d.Service("api-service"));
            await pipeline.RunAsync(args);
            """);

    [Fact]
    public Task OutOfOrder_ThroughAHelperReturningTheBuilder_ReportsAtTheCallSite()
        => Analyzer<StageOrderAnalyzer>("""
            await Base().{|#0:Migrate(m => m.Prisma())|}.RunAsync(args);

            static PipelineBuilder Base() => Pipeline.For("api").InRegion("eu-central-1").Deploy(d => d.Service("api-service"));
            """,
            Diagnostic("ED0002", "Stage 'Migrate' must run before 'Deploy': move .Migrate(...) before .Deploy(...)."));

    [Fact]
    public Task OutOfOrder_ThroughAnExtensionHelper_ReportsAtTheHelperCall()
        => Analyzer<StageOrderAnalyzer>("""
            public static class Program
            {
                public static Task<int> Main(string[] args)
                    => Pipeline.For("api").Deploy(d => d.Service("api-service")).{|#0:WithDatabase()|}.RunAsync(args);

                private static PipelineBuilder WithDatabase(this PipelineBuilder pipeline) => pipeline.Migrate(m => m.Prisma());
            }
            """,
            Diagnostic("ED0002", "Stage 'Migrate' must run before 'Deploy': move .Migrate(...) before .Deploy(...)."));

    [Fact]
    public Task InOrder_ThroughAnExtensionHelper_ReportsNothing()
        => Analyzer<StageOrderAnalyzer>("""
            public static class Program
            {
                public static Task<int> Main(string[] args)
                    => Pipeline.For("api").WithDatabase().Deploy(d => d.Service("api-service")).RunAsync(args);

                private static PipelineBuilder WithDatabase(this PipelineBuilder pipeline) => pipeline.Migrate(m => m.Prisma());
            }
            """);

    [Fact]
    public Task ThirdPartyStage_AgainstItsDeclaredOrder_Reports()
        => Analyzer<StageOrderAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service"))
                .{|#0:Seed()|}
                .RunAsync(args);

            public static class SeedExtensions
            {
                [PipelineStage("Seed", RunsBefore = ["Deploy"])]
                public static PipelineBuilder Seed(this PipelineBuilder pipeline) => pipeline;
            }
            """,
            Diagnostic("ED0002", "Stage 'Seed' must run before 'Deploy': move .Seed(...) before .Deploy(...)."));

    [Fact]
    public Task ThirdPartyStage_WrittenBeforeTheStageProducingWhatItRequires_ReportsWithTheLiteralReason()
        => Analyzer<StageOrderAnalyzer>("""
            await Pipeline.For("api")
                .Build(b => b.Image())
                .SmokeTask()
                .{|#0:Push()|}
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);

            public static class SmokeExtensions
            {
                [PipelineStage("SmokeTask", Requires = [OutputNames.Image])]
                public static PipelineBuilder SmokeTask(this PipelineBuilder pipeline) => pipeline;
            }
            """,
            Diagnostic("ED0002", "Stage 'Push' must run before 'SmokeTask': it produces 'image', which 'SmokeTask' needs. Move .Push(...) before .SmokeTask(...)."));

    [Fact]
    public Task ThirdPartyStage_RequiringAnOutputNoStageProduces_ReportsAtTheStage()
        => Analyzer<StageOrderAnalyzer>("""
            await Pipeline.For("api")
                .{|#0:SmokeTask()|}
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);

            public static class SmokeExtensions
            {
                [PipelineStage("SmokeTask", Requires = [OutputNames.Image])]
                public static PipelineBuilder SmokeTask(this PipelineBuilder pipeline) => pipeline;
            }
            """,
            Diagnostic("ED0002", "Stage 'SmokeTask' requires 'image', which no stage of this pipeline produces: add the stage that produces it (.Push(...)) before .SmokeTask(...)."));

    [Fact]
    public Task AnalyzerMessage_IsTheRuntimeRuleSourceMessage()
    {
        // The runtime (PipelineBuilder.Build) reports StageOrderingRules.Check's messages; the analyzer reports FindProblems'.
        StageOrder[] stages = [new("Deploy", ["Migrate"], ["Verify"]), new("Migrate", [], ["Deploy"])];
        Assert.Equal(StageOrderingRules.Check(stages), StageOrderingRules.FindProblems(stages).Select(p => p.Message));
        return Task.CompletedTask;
    }

    [Fact]
    public Task CodeFix_MovesMigrateBeforeDeploy()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>("""
            await Pipeline.For("api")
                .Build(b => b.Image())
                .Deploy(d => d.Service("api-service"))
                .Verify(v => v.Http("/health"))
                .{|ED0002:Migrate(m => m.Prisma())|}
                .RunAsync(args);
            """, """
            await Pipeline.For("api")
                .Build(b => b.Image())
                .Migrate(m => m.Prisma())
                .Deploy(d => d.Service("api-service"))
                .Verify(v => v.Http("/health"))
                .RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_FixAll_FixesEveryPipelineInTheDocument()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>("""
            var first = Pipeline.For("one").Deploy(d => d.Service("one")).{|ED0002:Migrate(m => m.Prisma())|};
            var second = Pipeline.For("two").Verify(v => v.Http("/")).{|ED0002:Deploy(d => d.Service("two"))|};
            await first.RunAsync(args);
            await second.RunAsync(args);
            """, """
            var first = Pipeline.For("one").Migrate(m => m.Prisma()).Deploy(d => d.Service("one"));
            var second = Pipeline.For("two").Deploy(d => d.Service("two")).Verify(v => v.Http("/"));
            await first.RunAsync(args);
            await second.RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_AcrossStatements_DeclarationThenReassignment_MovesTheCallIntoTheDeclaration()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>("""
            var pipeline = Pipeline.For("api")
                .Build(b => b.Image())
                .Deploy(d => d.Service("api-service"));
            pipeline = pipeline.{|ED0002:Migrate(m => m.Prisma())|};
            await pipeline.RunAsync(args);
            """, """
            var pipeline = Pipeline.For("api")
                .Build(b => b.Image())
                .Migrate(m => m.Prisma())
                .Deploy(d => d.Service("api-service"));
            await pipeline.RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_AcrossStatements_CallsOnABuilderLocal_MovesTheCallBeforeTheEarlyCall()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>("""
            var pipeline = Pipeline.For("api");
            pipeline.Deploy(d => d.Service("api-service"));
            pipeline.InRegion("eu-central-1");
            await pipeline.{|ED0002:Migrate(m => m.Prisma())|}.RunAsync(args);
            """, """
            var pipeline = Pipeline.For("api");
            pipeline.Migrate(m => m.Prisma()).Deploy(d => d.Service("api-service"));
            pipeline.InRegion("eu-central-1");
            await pipeline.RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_AcrossStatements_ReadsALocalDeclaredBefore_Moves()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>("""
            string[] command = ["npx", "prisma", "migrate", "deploy"];
            var pipeline = Pipeline.For("api");
            pipeline.Deploy(d => d.Service("api-service"));
            pipeline.{|ED0002:Migrate(m => m.Command(command))|};
            await pipeline.RunAsync(args);
            """, """
            string[] command = ["npx", "prisma", "migrate", "deploy"];
            var pipeline = Pipeline.For("api");
            pipeline.Migrate(m => m.Command(command)).Deploy(d => d.Service("api-service"));
            await pipeline.RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_AcrossStatements_FixAll_FixesEveryPipeline()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>("""
            var first = Pipeline.For("one").Deploy(d => d.Service("one"));
            first = first.{|ED0002:Migrate(m => m.Prisma())|};
            var second = Pipeline.For("two");
            second.Verify(v => v.Http("/"));
            second.{|ED0002:Deploy(d => d.Service("two"))|};
            await first.RunAsync(args);
            await second.RunAsync(args);
            """, """
            var first = Pipeline.For("one").Migrate(m => m.Prisma()).Deploy(d => d.Service("one"));
            var second = Pipeline.For("two");
            second.Deploy(d => d.Service("two")).Verify(v => v.Http("/"));
            await first.RunAsync(args);
            await second.RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_AcrossStatements_LateCallInANestedBlock_OffersNoFix()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>(NestedBlock, NestedBlock, iterations: 0);

    private const string NestedBlock = """
        var pipeline = Pipeline.For("api");
        pipeline.Deploy(d => d.Service("api-service"));
        if (args.Length > 0)
        {
            pipeline.{|ED0002:Migrate(m => m.Prisma())|};
        }
        await pipeline.RunAsync(args);
        """;

    [Fact]
    public Task CodeFix_AcrossStatements_MovedCallReadsALocalDeclaredInBetween_OffersNoFix()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>(LocalInBetween, LocalInBetween, iterations: 0);

    private const string LocalInBetween = """
        var pipeline = Pipeline.For("api");
        pipeline.Deploy(d => d.Service("api-service"));
        string[] command = ["npx", "prisma", "migrate", "deploy"];
        pipeline.{|ED0002:Migrate(m => m.Command(command))|};
        await pipeline.RunAsync(args);
        """;

    [Fact]
    public Task CodeFix_AcrossStatements_MovedCallReadsALocalWrittenInBetween_OffersNoFix()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>(WrittenInBetween, WrittenInBetween, iterations: 0);

    private const string WrittenInBetween = """
        string[] command = ["npx", "prisma", "migrate", "deploy"];
        var pipeline = Pipeline.For("api");
        pipeline.Deploy(d => d.Service("api-service"));
        command = ["npx", "prisma", "migrate", "status"];
        pipeline.{|ED0002:Migrate(m => m.Command(command))|};
        await pipeline.RunAsync(args);
        """;

    [Fact]
    public Task CodeFix_AcrossStatements_PipelineHandedOnInBetween_OffersNoFix()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>(HandedOn, HandedOn, iterations: 0);

    private const string HandedOn = """
        var pipeline = Pipeline.For("api");
        pipeline.Deploy(d => d.Service("api-service"));
        Console.WriteLine(pipeline);
        pipeline.{|ED0002:Migrate(m => m.Prisma())|};
        await pipeline.RunAsync(args);
        """;

    [Fact]
    public Task CodeFix_ThroughAHelper_OffersNoFix()
        => CodeFix<StageOrderAnalyzer, StageOrderCodeFixProvider>(ThroughHelper, ThroughHelper, iterations: 0);

    private const string ThroughHelper = """
        await Base().{|ED0002:Migrate(m => m.Prisma())|}.RunAsync(args);

        static PipelineBuilder Base() => Pipeline.For("api").InRegion("eu-central-1").Deploy(d => d.Service("api-service"));
        """;
}
