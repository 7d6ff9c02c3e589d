using System.Collections.Immutable;
using System.Reflection;
using EcsDeploy.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EcsDeploy.Analyzers.Tests;

/// <summary>The compiler loads one analyzer, which runs every rule: it must report exactly what the rules report one by one.</summary>
public class EcsDeployPipelineAnalyzerTests
{
    private const string Source = """
        var pipeline = Pipeline.For("api").InRegion("eu-central-1");
        pipeline.Deploy(d => d.Service("api-service").Environment("JWT_SECRET", "s3cr3t").Environment("PORT", "1").Environment("PORT", "2")
            .CircuitBreaker(false).Wait(false));
        pipeline = pipeline.Migrate(m => m.Command("npx prisma migrate dev"));
        pipeline.Push(p => p.Repository("Bad Name").Tags("latest"));
        pipeline.Verify(v => v.Http("/health"));
        pipeline.WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromMinutes(30)));
        var unused = Pipeline.For("never-run").Deploy(d => d.Service("x").Environment("AWS", "AKIAABCDEFGHIJKLMNOP"));
        await pipeline.RunAsync(args);
        await Pipeline.For("canary").Deploy(d => d.Service("canary-service").Strategy(DeploymentStrategy.Linear(2.5, TimeSpan.FromMinutes(4)))
            .CircuitBreaker().WaitTimeout(TimeSpan.FromMinutes(1))).RunAsync(args);
        await Pipeline.For("rolling").Deploy(d => d.Service("rolling-service").TestTraffic(t => t.Http("/health"))).RunAsync(args);
        await Pipeline.For("paused").Deploy(d => d.Service("paused-service").PauseHook("PRODUCTION_TRAFFIC_SHIFT")).RunAsync(args);
        """;

    private static readonly EcsDeployAnalyzer[] Rules =
    [
        new PipelineNeverRunAnalyzer(), new StageOrderAnalyzer(), new DuplicateConfigurationAnalyzer(), new HardCodedCredentialsAnalyzer(),
        new LiteralSecretAnalyzer(), new InvalidNameAnalyzer(), new OllamaConfigurationAnalyzer(), new DevelopmentMigrationAnalyzer(),
        new MutableImageTagAnalyzer(), new SafetyNetDisabledAnalyzer(), new VerifyWithoutWaitAnalyzer(), new StrategyLoadBalancerAnalyzer(),
        new StrategyRangeAnalyzer(), new CircuitBreakerIgnoredAnalyzer(), new TestTrafficListenerAnalyzer(), new BakeLongerThanWaitAnalyzer(),
        new PauseHookStageAnalyzer(),
    ];

    [Fact]
    public async Task OneAnalyzer_ReportsWhatEveryRuleReportsAlone()
    {
        Compilation compilation = Compile(Source);
        var alone = new List<string>();
        foreach (EcsDeployAnalyzer rule in Rules)
        {
            alone.AddRange(Describe(await compilation.WithAnalyzers([rule]).GetAnalyzerDiagnosticsAsync()));
        }
        string[] together = Describe(await compilation.WithAnalyzers([new EcsDeployPipelineAnalyzer()]).GetAnalyzerDiagnosticsAsync());

        Assert.Equal(alone.Order(StringComparer.Ordinal), together.Order(StringComparer.Ordinal));
        // The sample breaks every rule, so the comparison covers them all.
        Assert.Equal(Rules.Select(r => r.SupportedDiagnostics[0].Id).Order(StringComparer.Ordinal),
            together.Select(d => d[..6]).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OnlyTheCombinedAnalyzerIsExported_AndItSupportsEveryRule()
    {
        Type[] exported = [.. typeof(EcsDeployAnalyzer).Assembly.GetTypes().Where(t => t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() != null)];
        Assert.Equal([typeof(EcsDeployPipelineAnalyzer)], exported);
        Assert.Equal(Rules.SelectMany(r => r.SupportedDiagnostics).Select(d => d.Id).Order(StringComparer.Ordinal),
            new EcsDeployPipelineAnalyzer().SupportedDiagnostics.Select(d => d.Id).Order(StringComparer.Ordinal));
    }

    private static Compilation Compile(string statements)
    {
        var tree = CSharpSyntaxTree.ParseText(Verify.Usings + statements, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("combined", [tree], TestReferences.All,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation;
    }

    private static string[] Describe(ImmutableArray<Diagnostic> diagnostics)
        => [.. diagnostics.Select(d => d.Id + " " + d.Location.SourceSpan + " " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture))];
}
