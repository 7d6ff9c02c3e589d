using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace EcsDeploy.Analyzers.Tests.Infrastructure;

/// <summary>Runs analyzer and code-fix tests on offline references. Sources are top-level programs unless they say otherwise.</summary>
internal static class Verify
{
    public const string Usings = """
        using System;
        using System.Threading.Tasks;
        using EcsDeploy;

        """;

    public static Task Analyzer<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test, source);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task CodeFix<TAnalyzer, TCodeFix>(string source, string fixedSource, int? iterations = null, string? equivalenceKey = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        if (iterations != null)
        {
            test.NumberOfIncrementalIterations = iterations;
            test.NumberOfFixAllIterations = iterations;
        }
        Configure(test, source);
        return test.RunAsync();
    }

    /// <summary>A diagnostic of <paramref name="id"/> with the given message, at the n-th marked span.</summary>
    public static DiagnosticResult Diagnostic(string id, string message, int markupKey = 0)
        => new DiagnosticResult(id, DiagnosticSeverity.Hidden).WithLocation(markupKey).WithMessage(message).WithSeverity(SeverityOf(id));

    private static DiagnosticSeverity SeverityOf(string id) => id switch
    {
        "ED0002" or "ED0004" or "ED0006" or "ED0008" or "ED0012" or "ED0013" or "ED0014" or "ED0015" or "ED0016" or "ED0017" => DiagnosticSeverity.Error,
        _ => DiagnosticSeverity.Warning,
    };

    /// <summary>Offline references, the latest language, nullable on; a top-level program unless the source starts with a declaration.</summary>
    internal static void Configure<TVerifier>(AnalyzerTest<TVerifier> test, string source)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = TestReferences.None;
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        bool topLevel = !source.TrimStart().StartsWith("static class", StringComparison.Ordinal)
            && !source.TrimStart().StartsWith("static partial class", StringComparison.Ordinal)
            && !source.TrimStart().StartsWith("class", StringComparison.Ordinal)
            && !source.TrimStart().StartsWith("record", StringComparison.Ordinal)
            && !source.TrimStart().StartsWith("namespace", StringComparison.Ordinal)
            && !source.TrimStart().StartsWith("public", StringComparison.Ordinal);
        test.TestState.OutputKind = topLevel ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            var parse = ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest);
            var options = ((CSharpCompilationOptions)project.CompilationOptions!).WithNullableContextOptions(NullableContextOptions.Enable);
            return solution.WithProjectParseOptions(projectId, parse).WithProjectCompilationOptions(projectId, options);
        });
    }
}
