namespace EcsDeploy.Docs.Tests;

/// <summary>The code in the docs is code: every C# block compiles against the real assemblies, and every rule page's examples show what the analyzer really does.</summary>
public sealed class DocsSamplesTests
{
    private static readonly string Root = RepositoryRoot();

    public static TheoryData<string> Samples() => [.. DocSample.All(Root).Select(s => s.ToString())];

    public static TheoryData<string> RulePages() =>
        [.. Directory.EnumerateFiles(Path.Combine(Root, "docs", "rules"), "ED*.md").Select(path => Path.GetFileNameWithoutExtension(path)!).Order(StringComparer.Ordinal)];

    private static DocSample Find(string where) => DocSample.All(Root).Single(s => s.ToString() == where);

    [Theory]
    [MemberData(nameof(Samples))]
    public void EveryCSharpBlockInTheDocs_Compiles(string where)
    {
        var errors = SampleCompiler.Errors(Find(where));
        Assert.True(errors.Count == 0, "The sample does not compile:\n" + string.Join('\n', errors));
    }

    [Fact]
    public void TheDocs_HaveSamplesInTheGettingStartedTestingAndRulePages()
    {
        var pages = DocSample.All(Root).Select(s => s.Page).ToHashSet();
        Assert.Contains("README.md", pages);
        Assert.Contains("docs/getting-started.md", pages);
        Assert.Contains("docs/testing.md", pages);
        Assert.Contains("docs/rules/ED0001.md", pages);
    }

    [Theory]
    [MemberData(nameof(RulePages))]
    public async Task RulePage_NonCompliantExamplesReportTheRule_AndTheFixedOnesDoNot(string id)
    {
        var samples = DocSample.All(Root).Where(s => s.Page == $"docs/rules/{id}.md").ToList();
        Assert.Single(samples, s => s.Heading == "Non-compliant");
        Assert.Single(samples, s => s.Heading == "Fixed");

        // A non-compliant example, or any example whose comment marks the rule, must report it; a fixed one must not.
        foreach (var sample in samples.Where(s => s.Heading == "Non-compliant" || s.Code.Contains("// " + id, StringComparison.Ordinal)))
        {
            var reported = await SampleCompiler.AnalyzeAsync(sample);
            Assert.True(reported.Any(d => d.Id == id), $"{sample}: the example reports no {id}; it reports: {Describe(sample, reported)}");
        }
        foreach (var sample in samples.Where(s => s.Heading?.StartsWith("Fixed", StringComparison.Ordinal) == true && !s.Code.Contains("// " + id, StringComparison.Ordinal)))
        {
            var reported = await SampleCompiler.AnalyzeAsync(sample);
            Assert.False(reported.Any(d => d.Id == id), $"{sample}: the fixed example still reports {id}: {Describe(sample, reported)}");
        }
    }

    [Fact]
    public async Task TheAnalyzers_AreLoaded_SoThatTheRulePageTestsCanFail()
    {
        Assert.NotEmpty(SampleCompiler.Analyzers.Value);
        var sample = DocSample.Read("inline.md", ["```csharp", "using EcsDeploy;", "Pipeline.For(\"Not_A_Valid_Name!\");", "```"]).Single();
        var reported = await SampleCompiler.AnalyzeAsync(sample);
        Assert.Contains(reported, d => d.Id == "ED0006");
    }

    [Fact]
    public void ABrokenSample_IsReportedWithItsPageAndLine()
    {
        var sample = DocSample.Read("docs/x.md", ["text", "<!-- docs-test: statements(int count) -->", "```csharp", "var a = count;", "var b = missing;", "```"]).Single();
        var error = Assert.Single(SampleCompiler.Errors(sample));
        Assert.StartsWith("docs/x.md:5: CS0103", error, StringComparison.Ordinal);
    }

    private static string Describe(DocSample sample, IEnumerable<Microsoft.CodeAnalysis.Diagnostic> diagnostics)
    {
        var list = diagnostics.Select(d => SampleCompiler.Describe(sample, d)).ToList();
        return list.Count == 0 ? "nothing" : string.Join("; ", list);
    }

    /// <summary>The repository root above the test output (not [CallerFilePath]: CI builds map source paths to /_/).</summary>
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
