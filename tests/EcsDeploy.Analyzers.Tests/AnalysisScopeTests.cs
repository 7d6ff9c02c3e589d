using EcsDeploy.Analyzers.Tests.Infrastructure;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace EcsDeploy.Analyzers.Tests;

/// <summary>
/// The analyzer walks each operation block as the driver hands it out and builds the pipelines when the block's type
/// ends, reading helper methods from the blocks it has seen (or binding them when their type comes later). These
/// tests pin that scope: every kind of place a pipeline or a helper can be declared is still analysed.
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
