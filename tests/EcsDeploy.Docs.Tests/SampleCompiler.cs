using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EcsDeploy.Docs.Tests;

/// <summary>Compiles docs samples the way a user's project or file-based script would, against the real assemblies.</summary>
internal static partial class SampleCompiler
{
    /// <summary>The SDK's implicit usings (what a console project and a file-based script get).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    /// <summary>
    /// The running runtime's assemblies (TRUSTED_PLATFORM_ASSEMBLIES: the shared frameworks this test runs on, and
    /// its dependencies: EcsDeploy, EcsDeploy.Testing, EcsDeploy.Extensions, Microsoft.Extensions.*, xunit). The
    /// compiler and the analyzer are left out: no sample uses them.
    /// </summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
                && !Path.GetFileName(path).StartsWith("EcsDeploy.Analyzers", StringComparison.Ordinal)
                && !Path.GetFileName(path).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))]);

    /// <summary>The analyzers shipped in the package, created the way the compiler creates them.</summary>
    public static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> Analyzers = new(() =>
        [.. Assembly.Load("EcsDeploy.Analyzers").GetTypes()
            .Where(type => !type.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && type.GetCustomAttribute<DiagnosticAnalyzerAttribute>() != null)
            .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)]);

    /// <summary>The sample as a compilation: a program when it has top-level statements, a library otherwise.</summary>
    public static CSharpCompilation Compile(DocSample sample)
    {
        var tree = CSharpSyntaxTree.ParseText(SourceOf(sample), ParseOptions, path: sample.Page);
        var usings = CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "ImplicitUsings.cs");
        bool program = tree.GetCompilationUnitRoot().Members.Any(m => m is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax);
        var options = new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable);
        return CSharpCompilation.Create("DocSample", [usings, tree], References.Value, options);
    }

    /// <summary>The compiler's errors, each with the page and line it comes from.</summary>
    public static IReadOnlyList<string> Errors(DocSample sample)
    {
        var compilation = Compile(sample);
        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => Describe(sample, d))];
    }

    /// <summary>What the EcsDeploy analyzers report on the sample (all severities).</summary>
    public static async Task<IReadOnlyList<Diagnostic>> AnalyzeAsync(DocSample sample)
    {
        var compilation = Compile(sample).WithAnalyzers(Analyzers.Value);
        return await compilation.GetAnalyzerDiagnosticsAsync();
    }

    /// <summary><c>docs/page.md:LINE: CS0103: message</c>, the line counted in the Markdown page.</summary>
    public static string Describe(DocSample sample, Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        int line = span.Path == sample.Page ? sample.Line + span.StartLinePosition.Line - LinesBefore(sample) + 1 : 0;
        return $"{sample.Page}:{line}: {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// The block as C#: the <c>#:</c> directives of a file-based script become blank lines (the compiler here
    /// predates them; they are checked for shape instead), and a members or statements block is wrapped.
    /// </summary>
    private static string SourceOf(DocSample sample)
    {
        var lines = sample.Code.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var usings = new List<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].StartsWith("#:", StringComparison.Ordinal))
            {
                var kind = lines[i][2..].Split(' ', 2)[0];
                if (kind is not ("package" or "project" or "property" or "sdk"))
                {
                    throw new InvalidDataException($"{sample}: '#:{kind}' is not a file-based app directive (package, project, property, sdk).");
                }
                lines[i] = "";
            }
            else if (sample.Mode != "file" && UsingDirective().IsMatch(lines[i]))
            {
                // A wrapped block's own usings go above the wrapper.
                usings.Add(lines[i]);
                lines[i] = "";
            }
        }
        string body = string.Join('\n', lines);
        return sample.Mode switch
        {
            "file" => body,
            "members" => $"{string.Join(" ", usings)}\npublic sealed class DocSample\n{{\n{body}\n}}\n",
            "statements" => $"{string.Join(" ", usings)}\npublic static class DocSample\n{{\npublic static async Task RunAsync({sample.Parameters})\n{{\n{body}\n}}\n}}\n",
            _ => throw new InvalidDataException($"{sample}: unknown mode '{sample.Mode}'."),
        };
    }

    /// <summary>Lines the wrapper puts before the block's first line (usings moved up keep their place as blanks).</summary>
    private static int LinesBefore(DocSample sample) => sample.Mode switch
    {
        "members" => 3,
        "statements" => 5,
        _ => 0,
    };

    /// <summary>A using directive (not a using declaration such as <c>using var x = ...;</c>).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^using\s+(static\s+)?[A-Za-z_][\w.]*(\s*=\s*[\w.<>]+)?\s*;\s*$")]
    private static partial System.Text.RegularExpressions.Regex UsingDirective();
}
