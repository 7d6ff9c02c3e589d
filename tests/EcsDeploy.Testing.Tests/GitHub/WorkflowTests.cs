using EcsDeploy.GitHub;
using EcsDeploy.Hosting;
using YamlDotNet.RepresentationModel;

namespace EcsDeploy.Testing.Tests;

/// <summary>The generated GitHub Actions workflows: valid YAML, the seed's triggers, inputs and paths, and the script calls.</summary>
public sealed class WorkflowTests
{
    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] keys)
    {
        foreach (var key in keys)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return node;
    }

    private static List<string> Strings(YamlNode node) => [.. ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value!)];

    private static List<YamlMappingNode> Steps(YamlMappingNode workflow, string job) => [.. ((YamlSequenceNode)At(workflow, "jobs", job, "steps")).Children.Cast<YamlMappingNode>()];

    private static string? Get(YamlMappingNode step, string key) => step.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static async Task<(int Code, string Root, string Stdout)> EmitAsync(string? root = null, bool withPrCheck = false)
    {
        root ??= Directory.CreateTempSubdirectory("ecsdeploy-workflows-").FullName;
        if (withPrCheck)
        {
            Directory.CreateDirectory(Path.Combine(root, "samples"));
            await File.WriteAllTextAsync(Path.Combine(root, "samples", "pr-check.cs"), "return 0;\n");
        }
        var stdout = new StringWriter();
        var code = await ScriptHost.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), ["--emit-workflows", root], stdout, new StringWriter(), _ => null);
        return (code, root, stdout.ToString());
    }

    [Fact]
    public async Task Deploy_OnPushToMainOrProductionAndManualDispatchWithDeployOllama_AssumesTheRoleThroughOidc()
    {
        var (code, root, _) = await EmitAsync();

        Assert.Equal(0, code);
        var workflow = Parse(await File.ReadAllTextAsync(Path.Combine(root, ".github", "workflows", "deploy.yml")));
        Assert.Equal(["main", "production"], Strings(At(workflow, "on", "push", "branches")));
        var input = (YamlMappingNode)At(workflow, "on", "workflow_dispatch", "inputs", "deploy_ollama");
        Assert.Equal("boolean", Get(input, "type"));
        Assert.Equal("false", Get(input, "default"));
        Assert.Equal("write", ((YamlScalarNode)At(workflow, "permissions", "id-token")).Value);
        Assert.Equal("read", ((YamlScalarNode)At(workflow, "permissions", "contents")).Value);

        var steps = Steps(workflow, "deploy");
        Assert.Contains(steps, s => Get(s, "uses") == "actions/setup-dotnet@v4" && ((YamlScalarNode)At(s, "with", "dotnet-version")).Value == "10.0.x");
        var credentials = steps.Single(s => Get(s, "uses")?.StartsWith("aws-actions/configure-aws-credentials@", StringComparison.Ordinal) == true);
        Assert.Equal("${{ vars.AWS_ROLE_TO_ASSUME }}", ((YamlScalarNode)At(credentials, "with", "role-to-assume")).Value);
        Assert.Equal("eu-central-1", ((YamlScalarNode)At(credentials, "with", "aws-region")).Value);
        var yaml = await File.ReadAllTextAsync(Path.Combine(root, ".github", "workflows", "deploy.yml"));
        Assert.DoesNotContain("AWS_ACCESS_KEY_ID", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("aws-secret-access-key", yaml, StringComparison.Ordinal);
        var run = Get(steps[^1], "run")!.Trim();
        Assert.Equal("dotnet run samples/deploy.cs -- --target aws ${{ inputs.deploy_ollama && '--deploy-ollama' || '' }}", run);
        Assert.True(steps.IndexOf(credentials) < steps.Count - 1);
    }

    [Fact]
    public async Task PrCheck_OnPullRequestsToMainOrProduction_FilteredToTheSeedPaths_RunsThePrCheckScriptWhenPresent()
    {
        var (_, without, _) = await EmitAsync();
        var (code, with, _) = await EmitAsync(withPrCheck: true);

        Assert.Equal(0, code);
        var workflow = Parse(await File.ReadAllTextAsync(Path.Combine(with, ".github", "workflows", "pr-check.yml")));
        Assert.Equal(["main", "production"], Strings(At(workflow, "on", "pull_request", "branches")));
        Assert.Equal(["src/**", "prisma/**", "package.json", "package-lock.json", "Dockerfile", ".github/workflows/**"], Strings(At(workflow, "on", "pull_request", "paths")));
        Assert.Equal("read", ((YamlScalarNode)At(workflow, "permissions", "contents")).Value);
        var steps = Steps(workflow, "check");
        Assert.Equal(["Check out", "Set up .NET", "Set up Node.js", "Check", "Configure AWS credentials (OIDC, read-only role)", "Dry run against AWS"],
            steps.Select(s => Get(s, "name")));
        // The PR checks as samples/pr-check.cs runs them: install, compile, lint, Prisma, image build, audit, drift.
        Assert.Equal("dotnet run samples/pr-check.cs", Get(steps[3], "run")!.Trim());
        // The MigrationDrift check's database: a PostgreSQL service and the variable the check reads.
        Assert.Equal("postgres:15", ((YamlScalarNode)At(workflow, "jobs", "check", "services", "postgres", "image")).Value);
        Assert.Equal(["5432:5432"], Strings(At(workflow, "jobs", "check", "services", "postgres", "ports")));
        Assert.Equal("postgresql://postgres:postgres@127.0.0.1:5432/postgres", ((YamlScalarNode)At(workflow, "jobs", "check", "env", EcsDeploy.Checks.MigrationDriftOptions.DefaultServerVariable)).Value);

        var fallback = Parse(await File.ReadAllTextAsync(Path.Combine(without, ".github", "workflows", "pr-check.yml")));
        Assert.Equal("dotnet run samples/deploy.cs -- --dry-run", Get(Steps(fallback, "check")[3], "run")!.Trim());
        Assert.False(((YamlMappingNode)At(fallback, "jobs", "check")).Children.ContainsKey(new YamlScalarNode("services")));
    }

    [Fact]
    public async Task Regenerating_ChangesNothing()
    {
        var (_, root, first) = await EmitAsync();
        var before = Directory.GetFiles(Path.Combine(root, ".github", "workflows")).ToDictionary(f => f, File.ReadAllText);

        var (code, _, second) = await EmitAsync(root);

        Assert.Equal(0, code);
        Assert.Contains("wrote     .github/workflows/deploy.yml", first, StringComparison.Ordinal);
        Assert.Contains("unchanged .github/workflows/deploy.yml", second, StringComparison.Ordinal);
        Assert.Contains("unchanged .github/workflows/pr-check.yml", second, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(Path.Combine(root, ".github", "workflows")).ToDictionary(f => f, File.ReadAllText));
    }

    [Fact]
    public void PrCheck_WithAReadOnlyRole_PlansAgainstAwsThroughOidc_OnlyForBranchesOfTheRepository()
    {
        var yaml = GitHubWorkflows.Render(new WorkflowSettings
        {
            Region = "eu-central-1",
            PrCheckScript = "samples/pr-check.cs",
            PrCheckReadOnlyRole = "arn:aws:iam::123456789012:role/truecaller-backend-plan",
        })["pr-check.yml"];

        var workflow = Parse(yaml);
        Assert.Equal("write", ((YamlScalarNode)At(workflow, "permissions", "id-token")).Value);
        var steps = Steps(workflow, "check");
        var credentials = steps.Single(s => Get(s, "uses") == "aws-actions/configure-aws-credentials@v4");
        Assert.Equal("arn:aws:iam::123456789012:role/truecaller-backend-plan", ((YamlScalarNode)At(credentials, "with", "role-to-assume")).Value);
        Assert.Equal("eu-central-1", ((YamlScalarNode)At(credentials, "with", "aws-region")).Value);
        Assert.Equal("${{ github.event.pull_request.head.repo.full_name == github.repository }}", Get(credentials, "if"));
        var dryRun = steps[^1];
        Assert.Equal("dotnet run samples/deploy.cs -- --target aws --dry-run", Get(dryRun, "run")!.Trim());
        Assert.Equal(Get(credentials, "if"), Get(dryRun, "if"));
        Assert.True(steps.IndexOf(credentials) == steps.Count - 2, "the credentials come right before the dry run");
        Assert.DoesNotContain("AWS_ACCESS_KEY_ID", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void PrCheck_DefaultRole_IsTheRepositoryVariable_AndTheStepsRunOnlyWhenItIsSet_NullLeavesThemOut()
    {
        var byVariable = Parse(GitHubWorkflows.Render(new WorkflowSettings { Region = "eu-central-1", PrCheckScript = "samples/pr-check.cs" })["pr-check.yml"]);
        var without = Parse(GitHubWorkflows.Render(new WorkflowSettings { Region = "eu-central-1", PrCheckScript = "samples/pr-check.cs", PrCheckReadOnlyRole = null })["pr-check.yml"]);

        var dryRun = Steps(byVariable, "check")[^1];
        Assert.Equal("${{ vars.AWS_READ_ONLY_ROLE != '' && github.event.pull_request.head.repo.full_name == github.repository }}", Get(dryRun, "if"));
        Assert.Equal("${{ vars.AWS_READ_ONLY_ROLE }}", ((YamlScalarNode)At(Steps(byVariable, "check")[^2], "with", "role-to-assume")).Value);
        Assert.Equal("dotnet run samples/pr-check.cs", Get(Steps(without, "check")[^1], "run")!.Trim());
        Assert.False(((YamlMappingNode)At(without, "permissions")).Children.ContainsKey(new YamlScalarNode("id-token")));
        Assert.DoesNotContain(Steps(without, "check"), s => Get(s, "uses")?.StartsWith("aws-actions/", StringComparison.Ordinal) == true);
    }
}
