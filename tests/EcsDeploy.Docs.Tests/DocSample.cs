using System.Text;
using System.Text.RegularExpressions;

namespace EcsDeploy.Docs.Tests;

/// <summary>
/// A C# code block of a Markdown page, with where it is and how it is compiled. A block is a whole file (a
/// file-based script or a class file) unless an HTML comment on the line before its fence says otherwise:
/// <c>&lt;!-- docs-test: members --&gt;</c> (members of a class, such as test methods) or
/// <c>&lt;!-- docs-test: statements(PipelineDefinition definition, RunOptions options) --&gt;</c> (statements
/// in an async method with those parameters: the names the surrounding prose introduced).
/// </summary>
public sealed partial record DocSample(string Page, int Line, string Code, string Mode, string? Parameters, string? Heading)
{
    /// <summary>Where the block starts, as <c>docs/page.md:LINE</c>: what a failing test names.</summary>
    public override string ToString() => $"{Page}:{Line}";

    /// <summary>Every C# block of README.md and docs/**/*.md under <paramref name="root"/>.</summary>
    public static IReadOnlyList<DocSample> All(string root)
    {
        var pages = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories)
            .Prepend(Path.Combine(root, "README.md"))
            .Order(StringComparer.Ordinal);
        return [.. pages.SelectMany(page => Read(Path.GetRelativePath(root, page).Replace('\\', '/'), File.ReadAllLines(page)))];
    }

    /// <summary>The C# blocks of one page.</summary>
    public static IEnumerable<DocSample> Read(string page, IReadOnlyList<string> lines)
    {
        string? heading = null;
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                heading = lines[i].TrimStart('#').Trim();
                continue;
            }
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    // Another language's block: its lines (a shell comment starting with '#') are not headings.
                    for (i++; i < lines.Count && lines[i].Trim() != "```"; i++)
                    {
                    }
                }
                continue;
            }
            int indent = fence.Groups["indent"].Length;
            int start = i;
            var code = new StringBuilder();
            for (i++; i < lines.Count && lines[i].Trim() != "```"; i++)
            {
                code.AppendLine(lines[i].Length >= indent && string.IsNullOrWhiteSpace(lines[i][..indent]) ? lines[i][indent..] : lines[i].TrimStart());
            }
            if (i == lines.Count)
            {
                throw new InvalidDataException($"{page}:{start + 1}: a ```csharp block is never closed.");
            }
            var (mode, parameters) = Directive(page, lines, start);
            yield return new DocSample(page, start + 1, code.ToString(), mode, parameters, heading);
        }
    }

    private static (string Mode, string? Parameters) Directive(string page, IReadOnlyList<string> lines, int fenceLine)
    {
        int previous = fenceLine - 1;
        while (previous >= 0 && string.IsNullOrWhiteSpace(lines[previous]))
        {
            previous--;
        }
        if (previous < 0 || !lines[previous].Contains("docs-test:", StringComparison.Ordinal))
        {
            return ("file", null);
        }
        var directive = DirectiveComment().Match(lines[previous]);
        if (!directive.Success)
        {
            throw new InvalidDataException($"{page}:{previous + 1}: unknown docs-test directive '{lines[previous].Trim()}': use 'members' or 'statements(Type name, ...)'.");
        }
        return (directive.Groups["mode"].Value, directive.Groups["parameters"].Success ? directive.Groups["parameters"].Value : null);
    }

    [GeneratedRegex(@"^(?<indent>\s*)```(csharp|cs|c#)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"<!--\s*docs-test:\s*(?<mode>members|statements)(\((?<parameters>[^)]*)\))?\s*-->")]
    private static partial Regex DirectiveComment();
}
