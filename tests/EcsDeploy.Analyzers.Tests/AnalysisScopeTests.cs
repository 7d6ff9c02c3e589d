using System.Collections.Immutable;
using EcsDeploy.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace EcsDeploy.Analyzers.Tests;

/// <summary>
/// The analyzer reads each file once: it finds the file's executable blocks in the syntax, asks the semantic model for
/// their operation trees, and builds the pipelines once the whole file was walked, reading helper methods from the
/// trees it has seen (or binding them when they live in another file). These tests pin that scope: every kind of
/// place C# runs code in, and every place a helper can be declared, is analysed.
/// </summary>
public class AnalysisScopeTests
{
    private static readonly string OutOfOrder = StageOrderingRules.OutOfOrder("Deploy", "Migrate");

    [Fact]
    public Task HelperDeclaredAfterItsCaller_InTheSameType()
        => Run("""
            static class Deploys
            {
                public static Task<int> RunAsync(string[] args) => Create().{|#0:Migrate(m => m.Prisma())|}.RunAsync(args);
                static PipelineBuilder Create() => Pipeline.For("api").Deploy(d => d.Service("api-service"));
            }
            """);

    [Fact]
    public Task HelperInAnotherFile_AndAnotherType()
        => Run("""
            static class Deploys
            {
                public static Task<int> RunAsync(string[] args) => Helpers.Create().{|#0:Migrate(m => m.Prisma())|}.RunAsync(args);
            }
            """,
            """
            using EcsDeploy;
            static class Helpers
            {
                public static PipelineBuilder Create() => Pipeline.For("api").Deploy(d => d.Service("api-service"));
            }
            """);

    [Fact]
    public Task HelperInTheOtherPartOfAPartialType()
        => Run("""
            static partial class Deploys
            {
                public static Task<int> RunAsync(string[] args) => Create().{|#0:Migrate(m => m.Prisma())|}.RunAsync(args);
            }
            """,
            """
            using EcsDeploy;
            static partial class Deploys
            {
                static PipelineBuilder Create() => Pipeline.For("api").Deploy(d => d.Service("api-service"));
            }
            """);

    [Fact]
    public Task PipelineInANestedType()
        => Run("""
            class Outer
            {
                static class Inner
                {
                    public static Task<int> RunAsync(string[] args)
                        => Pipeline.For("api").Deploy(d => d.Service("api-service")).{|#0:Migrate(m => m.Prisma())|}.RunAsync(args);
                }
            }
            """);

    [Fact]
    public Task PipelineInAFieldInitializer_AndARecord()
        => Run("""
            record Deploys
            {
                public static readonly PipelineBuilder Api = Pipeline.For("api").Deploy(d => d.Service("api-service")).{|#0:Migrate(m => m.Prisma())|};
                public Task<int> RunAsync(string[] args) => Api.RunAsync(args);
            }
            """);

    [Fact]
    public Task PipelineInAConstructor_AndALocalFunctionHelper()
        => Run("""
            class Deploys
            {
                private readonly PipelineBuilder _pipeline;
                public Deploys()
                {
                    _pipeline = Start().{|#0:Migrate(m => m.Prisma())|};
                    PipelineBuilder Start() => Pipeline.For("api").Deploy(d => d.Service("api-service"));
                }
                public Task<int> RunAsync(string[] args) => _pipeline.RunAsync(args);
            }
            """);

    [Fact]
    public Task TopLevelStatements_WithAHelperTypeBelow()
        => Run("""
            await Helpers.Create().{|#0:Migrate(m => m.Prisma())|}.RunAsync(args);

            static class Helpers
            {
                public static PipelineBuilder Create() => Pipeline.For("api").Deploy(d => d.Service("api-service"));
            }
            """);

    [Fact]
    public Task PipelineInAnExpressionBodiedProperty_InAFileScopedNamespace()
        => Run("""
            namespace Deploys;
            static class Api
            {
                public static PipelineBuilder Pipeline_ => Pipeline.For("api").Deploy(d => d.Service("api-service")).{|#0:Migrate(m => m.Prisma())|};
                public static Task<int> RunAsync(string[] args) => Pipeline_.RunAsync(args);
            }
            """);

    [Fact]
    public Task PipelineInAPropertyInitializer()
        => Run("""
            class Deploys
            {
                public PipelineBuilder Api { get; } = Pipeline.For("api").Deploy(d => d.Service("api-service")).{|#0:Migrate(m => m.Prisma())|};
                public Task<int> RunAsync(string[] args) => Api.RunAsync(args);
            }
            """);

    [Fact]
    public Task PipelineInAnAccessorBody()
        => Run("""
            class Deploys
            {
                public PipelineBuilder Api
                {
                    get { return Pipeline.For("api").Deploy(d => d.Service("api-service")).{|#0:Migrate(m => m.Prisma())|}; }
                }
                public Task<int> RunAsync(string[] args) => Api.RunAsync(args);
            }
            """);

    [Fact]
    public Task PipelineInAPrimaryConstructorsBaseArguments()
        => Run("""
            class Runner(PipelineBuilder pipeline)
            {
                public Task<int> RunAsync(string[] args) => pipeline.RunAsync(args);
            }
            class Deploys() : Runner(Pipeline.For("api").Deploy(d => d.Service("api-service")).{|#0:Migrate(m => m.Prisma())|});
            """);

    [Fact]
    public Task PipelineInAStaticConstructor_AndAnOperator()
        => Run("""
            class Deploys
            {
                private static readonly PipelineBuilder Api;
                static Deploys() { Api = Pipeline.For("api").Deploy(d => d.Service("api-service")).{|#0:Migrate(m => m.Prisma())|}; }
                public static Deploys operator +(Deploys left, Deploys right) => left;
                public static Task<int> RunAsync(string[] args) => Api.RunAsync(args);
            }
            """);

    /// <summary>The IDE asks for the diagnostics of the member being edited: a helper outside that span is still read.</summary>
    [Fact]
    public async Task OnePartOfAFile_AsTheIdeAsksForIt_StillReadsAHelperOutsideThatPart()
    {
        string source = Verify.Usings + """
            static class Deploys
            {
                public static Task<int> RunAsync(string[] args) => Create().Migrate(m => m.Prisma()).RunAsync(args);
                public static Task<int> OtherAsync(string[] args)
                    => Pipeline.For("other").Deploy(d => d.Service("other-service")).Migrate(m => m.Prisma()).RunAsync(args);
                static PipelineBuilder Create() => Pipeline.For("api").Deploy(d => d.Service("api-service"));
            }
            """;
        SyntaxTree tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        Compilation compilation = CSharpCompilation.Create("ide", [tree], TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        TextSpan runAsync = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == "RunAsync").Span;

        ImmutableArray<Diagnostic> diagnostics = await compilation.WithAnalyzers([new EcsDeployPipelineAnalyzer()])
            .GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), runAsync, CancellationToken.None);

        Diagnostic reported = Assert.Single(diagnostics);
        Assert.Equal("ED0002", reported.Id);
        Assert.Equal("Migrate(m => m.Prisma())", source.Substring(reported.Location.SourceSpan.Start, reported.Location.SourceSpan.Length));
        Assert.True(runAsync.Contains(reported.Location.SourceSpan));
    }

    private static Task Run(string source, string? second = null)
    {
        var test = new CSharpAnalyzerTest<EcsDeployPipelineAnalyzer, DefaultVerifier>();
        test.TestState.Sources.Add(Verify.Usings + source);
        if (second != null) test.TestState.Sources.Add(("Second.cs", second));
        Verify.Configure(test, source);
        test.ExpectedDiagnostics.Add(Verify.Diagnostic("ED0002", OutOfOrder));
        return test.RunAsync();
    }
}
