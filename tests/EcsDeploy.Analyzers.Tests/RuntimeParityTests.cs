extern alias runtime;

using System.Collections.Immutable;
using EcsDeploy.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using RuntimePipeline = runtime::EcsDeploy.Pipeline;
using PipelineValidationException = runtime::EcsDeploy.PipelineValidationException;
using runtime::EcsDeploy;

namespace EcsDeploy.Analyzers.Tests;

/// <summary>
/// The same mistake gets the same message from the analyzer (compile time) and from PipelineBuilder.Build()
/// (run time): the analyzer runs on the source text, the runtime on the same pipeline written here.
/// </summary>
public class RuntimeParityTests
{
    [Fact]
    public async Task InvalidNames_SameMessages()
    {
        var messages = await AnalyzerMessages("ED0006", """
            Pipeline.For("my api").InRegion("europe").OnCluster("cluster/prod")
                .Deploy(d => d.Service("web app").Container("c d").Family("fam.ily").Environment("1NODE_ENV", "x")).Build();
            """);
        var problems = RuntimeProblems(() => RuntimePipeline.For("my api").InRegion("europe").OnCluster("cluster/prod")
            .Deploy(d => d.Service("web app").Container("c d").Family("fam.ily").Environment("1NODE_ENV", "x")).Build());
        Assert.Equal(7, messages.Length);
        Assert.All(messages, message => Assert.Contains(message, problems));
    }

    [Fact]
    public async Task StagesOutOfOrder_SameMessage()
    {
        var messages = await AnalyzerMessages("ED0002", """
            Pipeline.For("api").InRegion("eu-central-1").OnCluster("c")
                .Deploy(d => d.Service("api-service")).Migrate(m => m.Prisma()).Verify(v => v.Http("/health")).Build();
            """);
        var problems = RuntimeProblems(() => RuntimePipeline.For("api").InRegion("eu-central-1").OnCluster("c")
            .Deploy(d => d.Service("api-service")).Migrate(m => m.Prisma()).Verify(v => v.Http("/health")).Build());
        Assert.Single(messages);
        Assert.Contains(messages[0], problems);
    }

    [Fact]
    public async Task DuplicateStage_SameMessage()
    {
        var messages = await AnalyzerMessages("ED0003", """
            Pipeline.For("api").InRegion("eu-central-1").OnCluster("c")
                .Migrate(m => m.Prisma()).Migrate(m => m.Prisma()).Deploy(d => d.Service("api-service")).Build();
            """);
        var problems = RuntimeProblems(() => RuntimePipeline.For("api").InRegion("eu-central-1").OnCluster("c")
            .Migrate(m => m.Prisma()).Migrate(m => m.Prisma()).Deploy(d => d.Service("api-service")).Build());
        Assert.Single(messages);
        Assert.Contains(messages[0], problems);
    }

    [Fact]
    public async Task DevelopmentMigration_SameMessage()
    {
        var messages = await AnalyzerMessages("ED0008", """
            Pipeline.For("api").InRegion("eu-central-1").OnCluster("c")
                .Migrate(m => m.Command("npx", "prisma", "migrate", "dev")).Deploy(d => d.Service("api-service")).Build();
            """);
        var problems = RuntimeProblems(() => RuntimePipeline.For("api").InRegion("eu-central-1").OnCluster("c")
            .Migrate(m => m.Command("npx", "prisma", "migrate", "dev")).Deploy(d => d.Service("api-service")).Build());
        Assert.Single(messages);
        Assert.Contains(messages[0], problems);
    }

    [Fact]
    public async Task LiteralSecret_SameMessage()
    {
        var messages = await AnalyzerMessages("ED0005", """
            Pipeline.For("api").InRegion("eu-central-1").OnCluster("c")
                .Deploy(d => d.Service("api-service").Environment("JWT_SECRET", "s3cr3t")).Build();
            """);
        var problems = RuntimeProblems(() => RuntimePipeline.For("api").InRegion("eu-central-1").OnCluster("c")
            .Deploy(d => d.Service("api-service").Environment("JWT_SECRET", "s3cr3t")).Build());
        Assert.Single(messages);
        Assert.Contains(messages[0], problems);
    }

    [Fact]
    public async Task Strategies_SameMessages()
    {
        // Each pipeline has one strategy mistake; Build() lists the same message the analyzer reports.
        string[] pipelines =
        [
            """Pipeline.For("a").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("a-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))).Build();""",
            """Pipeline.For("b").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("b-service").Strategy(DeploymentStrategy.Linear(2.5, TimeSpan.FromSeconds(90), TimeSpan.FromHours(25))).LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg"))).Build();""",
            """Pipeline.For("c").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("c-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role")).CircuitBreaker().TestTraffic(t => t.Http("/health").Port(8080).Timeout(TimeSpan.FromSeconds(30)))).Build();""",
            """Pipeline.For("d").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("d-service").Strategy(DeploymentStrategy.Linear(10, TimeSpan.FromMinutes(4))).LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role")).WaitTimeout(TimeSpan.FromMinutes(30))).Build();""",
            """Pipeline.For("e").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("e-service").LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg")).TestTraffic(t => t.Http("/health").Port(8080))).Build();""",
            """Pipeline.For("f").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("f-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.FromTerraform())).Build();""",
            """Pipeline.For("g").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("g-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role")).PauseHook("TEST_TRAFFIC_SHIFT").PauseHook("PRODUCTION_TRAFFIC_SHIFT")).Build();""",
        ];
        Action[] builds =
        [
            () => RuntimePipeline.For("a").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("a-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))).Build(),
            () => RuntimePipeline.For("b").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("b-service").Strategy(DeploymentStrategy.Linear(2.5, TimeSpan.FromSeconds(90), TimeSpan.FromHours(25))).LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg"))).Build(),
            () => RuntimePipeline.For("c").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("c-service").Strategy(DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role")).CircuitBreaker().TestTraffic(t => t.Http("/health").Port(8080).Timeout(TimeSpan.FromSeconds(30)))).Build(),
            () => RuntimePipeline.For("d").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("d-service").Strategy(DeploymentStrategy.Linear(10, TimeSpan.FromMinutes(4))).LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role")).WaitTimeout(TimeSpan.FromMinutes(30))).Build(),
            () => RuntimePipeline.For("e").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("e-service").LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg")).TestTraffic(t => t.Http("/health").Port(8080))).Build(),
            () => RuntimePipeline.For("f").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("f-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.FromTerraform())).Build(),
            () => RuntimePipeline.For("g").InRegion("eu-central-1").OnCluster("c").Deploy(d => d.Service("g-service").Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.AlternateTargetGroup("arn:tg").ProductionListenerRule("arn:rule").Role("arn:role")).PauseHook("TEST_TRAFFIC_SHIFT").PauseHook("PRODUCTION_TRAFFIC_SHIFT")).Build(),
        ];
        int[] expected = [1, 5, 3, 1, 2, 1, 2];
        for (int i = 0; i < pipelines.Length; i++)
        {
            var messages = await AnalyzerMessages(id => string.CompareOrdinal(id, "ED0012") >= 0 && string.CompareOrdinal(id, "ED0017") <= 0, pipelines[i]);
            var problems = RuntimeProblems(builds[i]);
            Assert.True(expected[i] == messages.Length, $"pipeline {i}: {string.Join(" | ", messages)}");
            Assert.All(messages, message => Assert.Contains(message, problems));
        }
    }

    private static IReadOnlyList<string> RuntimeProblems(Action build)
    {
        var exception = Assert.Throws<PipelineValidationException>(build);
        return exception.Problems;
    }

    private static Task<string[]> AnalyzerMessages(string id, string statements) => AnalyzerMessages(reported => reported == id, statements);

    private static async Task<string[]> AnalyzerMessages(Func<string, bool> ids, string statements)
    {
        var tree = CSharpSyntaxTree.ParseText(Verify.Usings + statements, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("parity", [tree], TestReferences.All,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        ImmutableArray<DiagnosticAnalyzer> analyzers =
        [
            new InvalidNameAnalyzer(), new StageOrderAnalyzer(), new DuplicateConfigurationAnalyzer(),
            new DevelopmentMigrationAnalyzer(), new LiteralSecretAnalyzer(), new StrategyLoadBalancerAnalyzer(), new StrategyRangeAnalyzer(),
            new CircuitBreakerIgnoredAnalyzer(), new TestTrafficListenerAnalyzer(), new BakeLongerThanWaitAnalyzer(), new PauseHookStageAnalyzer(),
        ];
        var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        return [.. diagnostics.Where(d => ids(d.Id)).Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture))];
    }
}
