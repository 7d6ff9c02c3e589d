using System.Text.Json;
using EcsDeploy.Hosting;

namespace EcsDeploy.Testing.Tests;

/// <summary>The script host's command line, exit codes and outputs, with the local target.</summary>
public sealed class ScriptHostTests
{
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(PipelineBuilder builder, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ScriptHost.RunAsync(builder, [.. args, "--git-sha", TestPipelines.GitSha], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Json_OnSuccess_NamesServiceTaskDefinitionImageTagsOllamaDeploymentAndStages()
    {
        var (code, stdout, _) = await RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), "--output", "json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("deployed", root.GetProperty("outcome").GetString());
        Assert.Equal("truecaller-backend-service", root.GetProperty("service").GetString());
        Assert.EndsWith("task-definition/truecaller-backend:2", root.GetProperty("taskDefinitionArn").GetString());
        Assert.Equal([TestPipelines.GitSha, "latest"], root.GetProperty("image").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.StartsWith("sha256:", root.GetProperty("image").GetProperty("digest").GetString());
        Assert.StartsWith("http://truecaller-backend-ollama-alb-", root.GetProperty("ollama").GetProperty("url").GetString());
        Assert.Equal("Terraform output ollama_alb_dns_name", root.GetProperty("ollama").GetProperty("source").GetString());
        Assert.StartsWith("ecs-svc/", root.GetProperty("deployment").GetProperty("deploymentId").GetString());
        Assert.Equal("COMPLETED", root.GetProperty("deployment").GetProperty("rolloutState").GetString());
        Assert.False(root.GetProperty("rolledBack").GetBoolean());
        var stages = root.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(["Build", "Push", "Migrate", "WithOllama", "Deploy", "Verify"], stages.Select(s => s.GetProperty("name").GetString()));
        Assert.All(stages, s => Assert.Equal("succeeded", s.GetProperty("status").GetString()));
        Assert.All(stages, s => Assert.True(s.TryGetProperty("duration", out _)));
    }

    [Fact]
    public async Task Fault_UnhealthyTasks_ExitsOneAndSaysWhereItRolledBackTo()
    {
        var (code, stdout, _) = await RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), "--fault", "unhealthy-tasks", "--output", "json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.True(json.RootElement.GetProperty("rolledBack").GetBoolean());
        Assert.EndsWith(":1", json.RootElement.GetProperty("rolledBackTo").GetString());
        Assert.EndsWith(":1", LocalTarget.LastCreated!.Ecs.CurrentTaskDefinition("truecaller-backend-cluster", "truecaller-backend-service").TaskDefinitionArn);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--target", "mars")]
    [InlineData("--output", "yaml")]
    [InlineData("--image-tag")]
    [InlineData("--target", "aws", "--fault", "throttling")]
    [InlineData("--fault", "meteor-strike")]
    public async Task BadArguments_ExitTwoWithAMessage(params string[] args)
    {
        var (code, _, stderr) = await RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), args);

        Assert.Equal(2, code);
        Assert.Contains("error:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidDefinition_ExitsTwoListingTheProblemsBeforeAnyCall()
    {
        var builder = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Deploy(d => d.Service("truecaller-backend-service").Environment("JWT_SECRET", "literal"));

        var (code, _, stderr) = await RunAsync(builder);

        Assert.Equal(2, code);
        Assert.Contains("JWT_SECRET", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_OutputAndJson_NeverContainASecretValue()
    {
        var builder = TestPipelines.Seed(TestPipelines.CreateContext());
        var (code, stdout, stderr) = await RunAsync(builder, "--verbose", "--output", "json");

        Assert.Equal(0, code);
        var all = stdout + stderr;
        Assert.All(SeedSpec.Truecaller.Secrets.Values, value => Assert.DoesNotContain(value, all, StringComparison.Ordinal));
        Assert.Contains("secret DATABASE_URL: arn:aws:secretsmanager:", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalMigration_ReadsTheSecretButMasksItInTheCommandOutput()
    {
        var context = TestPipelines.CreateContext();
        var builder = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Migrate(m => m.Command("sh", "-c", "echo migrating with $DATABASE_URL").Locally(context))
            .Deploy(d => d.Service("truecaller-backend-service"));

        var (code, stdout, stderr) = await RunAsync(builder, "--verbose");

        Assert.Equal(0, code);
        Assert.Contains("migrating with ***", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SeedSpec.Truecaller.Secrets["truecaller-backend/DATABASE_URL"], stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_Text_PrintsTheTaskDefinitionDiff()
    {
        var (code, stdout, _) = await RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), "--dry-run");

        Assert.Equal(0, code);
        Assert.Contains("task definition diff:", stdout, StringComparison.Ordinal);
        Assert.Contains("planned (exit code 0)", stdout, StringComparison.Ordinal);
        Assert.Single(LocalTarget.LastCreated!.Ecs.Revisions("truecaller-backend"));
    }
}
