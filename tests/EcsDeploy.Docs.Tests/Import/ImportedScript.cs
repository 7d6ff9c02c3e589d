using System.Reflection;
using System.Runtime.Loader;
using EcsDeploy.Hosting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EcsDeploy.Docs.Tests.Import;

/// <summary>
/// A script written by <c>import</c>, compiled as <c>dotnet run</c> would compile it (the SDK's implicit usings, the real
/// assemblies, the EcsDeploy analyzers), and run in this process on a host the test chooses: the script's last call,
/// <c>.RunAsync(args)</c>, is pointed at that host (<c>.RunAsync(host, args)</c>), nothing else of its text changes.
/// </summary>
internal sealed class ImportedScript(string text)
{
    private const string HostClass = "public static class ImportedScriptHost { public static EcsDeploy.Hosting.PipelineHost? Host; }";

    public string Text { get; } = text;

    private DocSample Sample => new("deploy.cs", 1, Text, "file", null, null);

    /// <summary>Compiler errors and warnings (hidden and info diagnostics aside).</summary>
    public IReadOnlyList<string> CompilerDiagnostics()
        => [.. SampleCompiler.Compile(Sample).GetDiagnostics()
            .Where(d => d.Severity is DiagnosticSeverity.Warning or DiagnosticSeverity.Error)
            .Select(d => SampleCompiler.Describe(Sample, d))];

    /// <summary>What the EcsDeploy analyzers report (every severity).</summary>
    public async Task<IReadOnlyList<string>> AnalyzerDiagnosticsAsync()
        => [.. (await SampleCompiler.AnalyzeAsync(Sample)).Where(d => !d.IsSuppressed).Select(d => SampleCompiler.Describe(Sample, d))];

    /// <summary>Runs the script's command line <paramref name="args"/> on <paramref name="host"/>; returns the exit code.</summary>
    public async Task<int> RunAsync(PipelineHost host, params string[] args)
    {
        const string call = ".RunAsync(args);";
        Assert.EndsWith(call + "\n", Text.Replace("\r\n", "\n", StringComparison.Ordinal));
        var pointed = Text[..Text.LastIndexOf(call, StringComparison.Ordinal)] + ".RunAsync(ImportedScriptHost.Host!, args);\n";
        var compilation = SampleCompiler.Compile(Sample with { Code = pointed })
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(HostClass, new CSharpParseOptions(LanguageVersion.Preview)));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        var context = new AssemblyLoadContext("imported-script", isCollectible: true);
        try
        {
            image.Position = 0;
            var assembly = context.LoadFromStream(image);
            assembly.GetType("ImportedScriptHost")!.GetField("Host")!.SetValue(null, host);
            var entry = assembly.EntryPoint!;
            // Off the test's synchronization context: the entry point blocks on the script's await.
            var result = await Task.Run(() => entry.Invoke(null, [args]));
            return result switch
            {
                int code => code,
                Task<int> task => await task,
                _ => throw new InvalidOperationException($"The script's entry point returned {result?.GetType().Name ?? "null"}."),
            };
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
        finally
        {
            context.Unload();
        }
    }
}
