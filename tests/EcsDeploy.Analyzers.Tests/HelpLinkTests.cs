using EcsDeploy.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EcsDeploy.Analyzers.Tests;

public class HelpLinkTests
{
    private const string Prefix = "https://github.com/ecsdeploy/ecsdeploy/blob/main/";

    public static TheoryData<string> Descriptors()
    {
        var data = new TheoryData<string>();
        foreach (var descriptor in AllDescriptors()) data.Add(descriptor.Id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void EveryDescriptor_HelpLink_ResolvesToAPageInDocsRules(string id)
    {
        var descriptor = AllDescriptors().Single(d => d.Id == id);
        Assert.StartsWith(Prefix, descriptor.HelpLinkUri, StringComparison.Ordinal);
        var relative = descriptor.HelpLinkUri[Prefix.Length..];
        Assert.Equal($"docs/rules/{id}.md", relative);
        var page = Path.Combine(TestReferences.RepositoryRoot(), relative);
        Assert.True(File.Exists(page), $"{descriptor.HelpLinkUri} points to {page}, which does not exist");
        var text = File.ReadAllText(page);
        Assert.Contains($"# {id}", text, StringComparison.Ordinal);
        Assert.Contains("Non-compliant", text, StringComparison.Ordinal);
        Assert.Contains("Fixed", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRuleTable_ListsEveryRule_AndTheReleaseFileToo()
    {
        var root = TestReferences.RepositoryRoot();
        var table = File.ReadAllText(Path.Combine(root, "docs", "rules", "README.md"));
        var releases = File.ReadAllText(Path.Combine(root, "analyzers", "EcsDeploy.Analyzers", "AnalyzerReleases.Unshipped.md"));
        var ids = AllDescriptors().Select(d => d.Id).ToList();
        Assert.Equal(17, ids.Count);
        Assert.All(ids, id => Assert.Contains($"[{id}]({id}.md)", table, StringComparison.Ordinal));
        Assert.All(ids, id => Assert.Contains(id + " |", releases, StringComparison.Ordinal));
    }

    private static IEnumerable<DiagnosticDescriptor> AllDescriptors()
        => typeof(EcsDeployAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .SelectMany(t => ((DiagnosticAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics)
            .DistinctBy(d => d.Id)
            .OrderBy(d => d.Id, StringComparer.Ordinal);
}
