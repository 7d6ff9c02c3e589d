#:project ../../src/EcsDeploy/EcsDeploy.csproj
#:project ../../analyzers/EcsDeploy.Analyzers/EcsDeploy.Analyzers.csproj
#:package Microsoft.CodeAnalysis.CSharp@5.9.0
#:property PublishAot=false
#:property ManagePackageVersionsCentrally=false
#:property NoWarn=$(NoWarn);RS1001;RS1036;RS1038;RS1041;RS2008

// Analyzer benchmark in one process (a benchmark, not a timed test). Run:
//   dotnet run tests/benchmarks/analyzer-floor.cs [files=500] [rounds=9]
// It compiles the same 500-file consumer as analyzer-overhead.sh, with its diagnostics, several times in one
// process with a warm JIT, the way a compiler server or the IDE runs analyzers. The builds are interleaved and
// compared with the compilation alone:
//   driver-only     an analyzer that registers nothing: the analyzer driver's own cost, which any analyzer brings;
//   operation-noop  a no-op operation action on every invocation: the floor of an analyzer built on operation actions
//                   (the driver builds an IOperation tree for every method body and dispatches every operation);
//   operation-blocks a symbol start action per type with an operation block action and an end action, all no-ops: the
//                   floor of the shape EcsDeploy's analyzer had before it moved to one semantic model action per file;
//   syntax-symbols  a syntax node action on every invocation that asks the semantic model for its symbol: the floor of
//                   an analyzer that reads syntax and symbols;
//   semantic-ops    one semantic model action per file that asks for the operation tree of every method and walks it:
//                   the floor of EcsDeploy's design, which reads every block of a consumer made only of pipelines;
//   EcsDeploy       the EcsDeploy analyzer as built from this tree.
// The host references Microsoft.CodeAnalysis 5.9, the compiler of the .NET 10 SDK, whose driver is what a build runs.
// Whole builds (analyzer-overhead.sh) add csc's start-up and the analyzer's JIT; this isolates steady-state analysis,
// which is steadier on a shared machine. Compare the ratios, not the absolute numbers.

using System.Collections.Immutable;
using System.Diagnostics;
using EcsDeploy.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

int files = args.Length > 0 ? int.Parse(args[0]) : 500;
int rounds = args.Length > 1 ? int.Parse(args[1]) : 9;

var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
    .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll" or "mscorlib.dll")
    .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
    .Append(MetadataReference.CreateFromFile(typeof(EcsDeploy.Pipeline).Assembly.Location))
    .ToList();
var parse = new CSharpParseOptions(LanguageVersion.Latest);
var trees = Enumerable.Range(1, files).Select(i => CSharpSyntaxTree.ParseText(Consumer(i), parse, $"Pipeline{i}.cs")).ToList();
var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

var configurations = new (string Name, DiagnosticAnalyzer? Analyzer)[]
{
    ("compilation", null),
    ("driver-only", new FloorAnalyzer(_ => { })),
    ("operation-noop", new FloorAnalyzer(context => context.RegisterOperationAction(_ => { }, OperationKind.Invocation))),
    ("operation-blocks", new FloorAnalyzer(context => context.RegisterSymbolStartAction(type =>
    {
        type.RegisterOperationBlockAction(_ => { });
        type.RegisterSymbolEndAction(_ => { });
    }, SymbolKind.NamedType))),
    ("syntax-symbols", new FloorAnalyzer(context => context.RegisterSyntaxNodeAction(
        node => node.SemanticModel.GetSymbolInfo((InvocationExpressionSyntax)node.Node, node.CancellationToken), SyntaxKind.InvocationExpression))),
    ("semantic-ops", new FloorAnalyzer(context => context.RegisterSemanticModelAction(WalkEveryMethod))),
    ("EcsDeploy", new EcsDeployPipelineAnalyzer()),
};
var wall = configurations.ToDictionary(c => c.Name, _ => new List<double>());
int? reported = null;
Console.WriteLine($"{files} files, {rounds} rounds after one warm-up round, interleaved; seconds per compilation with its diagnostics");
for (int round = 0; round <= rounds; round++)
{
    foreach (var (name, analyzer) in configurations)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var compilation = CSharpCompilation.Create("Consumer", trees, references, options);
        var stopwatch = Stopwatch.StartNew();
        ImmutableArray<Diagnostic> diagnostics = analyzer is null
            ? compilation.GetDiagnostics()
            : await compilation.WithAnalyzers([analyzer]).GetAllDiagnosticsAsync();
        stopwatch.Stop();
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("ED", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("the consumer does not compile: " + diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
        }
        if (name == "EcsDeploy") reported = diagnostics.Count(d => d.Id.StartsWith("ED", StringComparison.Ordinal));
        if (round > 0) wall[name].Add(stopwatch.Elapsed.TotalSeconds);
    }
}
double baseline = Median(wall["compilation"]);
Console.WriteLine($"{"configuration",-16} {"median",8} {"min",8} {"max",8}  vs compilation");
foreach (var (name, _) in configurations)
{
    var values = wall[name];
    Console.WriteLine($"{name,-16} {Median(values),8:F3} {values.Min(),8:F3} {values.Max(),8:F3}  {(Median(values) / baseline - 1) * 100,+6:+0.0;-0.0} %");
}
Console.WriteLine($"EcsDeploy diagnostics on the consumer: {reported} (expected 0)");
return reported == 0 ? 0 : 1;

// The operation tree of every method of the file, walked: what EcsDeploy's analyzer does before any rule runs.
static void WalkEveryMethod(SemanticModelAnalysisContext file)
{
    var root = file.SemanticModel.SyntaxTree.GetRoot(file.CancellationToken);
    foreach (var method in root.DescendantNodes(node => node is not BaseMethodDeclarationSyntax).OfType<BaseMethodDeclarationSyntax>())
    {
        var block = file.SemanticModel.GetOperation(method, file.CancellationToken);
        if (block != null) foreach (var _ in block.Descendants()) { }
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// The same consumer file as analyzer-overhead.sh generates.
static string Consumer(int i) => $$"""
    using System;
    using System.Threading.Tasks;
    using EcsDeploy;

    namespace Consumer;

    public static class Pipeline{{i}}
    {
        public static Task<int> RunAsync(string[] args) => Create().Verify(v => v.Http("/health")).RunAsync(args);

        public static PipelineBuilder Create()
        {
            var pipeline = Pipeline.For("service-{{i}}")
                .InRegion("eu-central-1")
                .OnCluster("cluster-{{i % 7}}")
                .Build(b => b.Run("npm", "ci").Run("npm run build").Image("Dockerfile"))
                .Push(p => p.Repository("team/service-{{i}}").Tags(PushOptions.GitSha, "latest"));
            pipeline.Migrate(m => m.Prisma());
            return pipeline
                .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds({{i % 50 + 10}})))
                .Deploy(d => d.Service("service-{{i}}-service")
                    .Container("service-{{i}}")
                    .Environment("NODE_ENV", "production")
                    .Environment("PORT", "{{3000 + i}}")
                    .Secret("DATABASE_URL", "service-{{i}}/DATABASE_URL")
                    .WaitTimeout(TimeSpan.FromMinutes(10))
                    .RollbackOnFailure());
        }
    }
    """;

/// <summary>A peer that reports nothing: its cost is what registering <paramref name="register"/>'s actions costs.</summary>
sealed class FloorAnalyzer(Action<AnalysisContext> register) : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Rule = new("FLOOR", "No-op", "No-op", "Benchmark", DiagnosticSeverity.Hidden, true);
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        register(context);
    }
}
