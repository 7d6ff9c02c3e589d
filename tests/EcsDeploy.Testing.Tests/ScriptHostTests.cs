using System.Text.Json;
using EcsDeploy.Hosting;

namespace EcsDeploy.Testing.Tests;

/// <summary>The script host's command line, exit codes and outputs, with the local target.</summary>
public sealed class ScriptHostTests
{
    // Each test's own local target: its Created is the simulated AWS of that test's run, whatever runs beside it.
    private readonly LocalTarget _local = new();

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(PipelineBuilder builder, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new PipelineHost();
        host.Targets.Add("local", _local);
        var code = await host.RunAsync(builder, [.. args, "--git-sha", TestPipelines.GitSha], stdout, stderr, _ => null);
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
        Assert.EndsWith(":1", _local.Created!.Ecs.CurrentTaskDefinition("truecaller-backend-cluster", "truecaller-backend-service").TaskDefinitionArn);
    }

    [Theory]
    [InlineData("Unrecognized command or argument '--bogus'", "--bogus")]
    [InlineData("--target must be 'local' or 'aws', not 'mars'.", "--target", "mars")]
    [InlineData("--output must be 'text' or 'json', not 'yaml'.", "--output", "yaml")]
    [InlineData("'--image-tag'", "--image-tag")]
    [InlineData("--image-tag: ", "--image-tag", ".starts-with-a-dot")]
    [InlineData("--fault works with --target local only: faults are scenarios of the simulated AWS.", "--target", "aws", "--fault", "throttling")]
    [InlineData("--image-tag: Image tag '.starts-with-a-dot' is invalid: use 1-300 letters, digits, '_', '.' and '-', not starting with '.' or '-'.", "--image-tag", ".starts-with-a-dot")]
    [InlineData("--command status names the command whose IAM policy to print: add --print-iam-policy.", "--command", "status")]
    [InlineData("--command: no command named 'bogus': use one of ", "--print-iam-policy", "--command", "bogus")]
    [InlineData("--account-id must be the 12-digit AWS account id, not '12345'.", "--print-iam-policy", "--account-id", "12345")]
    [InlineData("'--emit-workflows'", "--emit-workflows")]
    public async Task BadArguments_ExitTwoNamingTheArgumentAndCreateNothing(string expected, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new PipelineHost();
        host.Targets.Add("local", _local);

        var code = await host.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), args, stdout, stderr, _ => null);

        Assert.Equal(2, code);
        Assert.Contains("error: ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("--help", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal("", stdout.ToString());
        Assert.Null(_local.Created);
    }

    [Fact]
    public async Task UnknownFault_ExitsTwoNamingTheFaultsThereAre()
    {
        var (code, _, stderr) = await RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), "--fault", "meteor-strike");

        Assert.Equal(2, code);
        Assert.Contains("error: Unknown fault 'meteor-strike': use one of unhealthy-tasks,", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
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
        Assert.Single(_local.Created!.Ecs.Revisions("truecaller-backend"));
    }

    [Fact]
    public async Task Help_ListsEveryOptionWithItsDescriptionAndTheExitCodes_ExitsZeroAndRunsNothing()
    {
        var (code, stdout, stderr) = await RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), "--help");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var expected = new Dictionary<string, string>
        {
            ["--target <local|aws>"] = "Where to deploy: local (default)",
            ["--dry-run"] = "Plan only: read-only calls",
            ["--no-wait"] = "Update the service but neither wait nor verify",
            ["--deploy-ollama"] = "Deploy the Ollama service too",
            ["--deploy-dependencies"] = "First roll out every service the deployed one depends on",
            ["--image-tag <TAG>"] = "Deploy an image already in ECR under this tag",
            ["--fault <NAME>"] = "Local target only: a failure scenario",
            ["--output <text|json>"] = "text (default) or json",
            ["--plain"] = "Plain lines even on an interactive terminal",
            ["--git-sha <SHA>"] = "The commit to tag the image with",
            ["--verbose"] = "More detail",
            ["--print-iam-policy"] = "Print the least-privilege IAM policy",
            ["--account-id <ID>"] = "The 12-digit AWS account id",
            ["--emit-workflows <DIR>"] = "Write DIR/.github/workflows/deploy.yml",
        };
        var lines = stdout.Split('\n');
        Assert.All(expected, option => Assert.Contains(lines, line => line.TrimStart().StartsWith(option.Key, StringComparison.Ordinal)
            && line.Contains(option.Value, StringComparison.Ordinal)));
        Assert.Contains("2    invalid definition, arguments or environment", stdout, StringComparison.Ordinal);
        Assert.Null(_local.Created);
    }

    [Fact]
    public async Task Help_NamesEveryFaultTheSimulatedAwsHas()
    {
        var (_, stdout, _) = await RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), "--help");

        // The --fault description wraps across lines: compare without the wrapping.
        var help = string.Join(' ', stdout.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.All(FaultScenarios.Names, fault => Assert.Contains(fault, help, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidDefinition_Json_WritesAnInvalidResultWithTheProblems()
    {
        var builder = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Deploy(d => d.Service("truecaller-backend-service").Environment("JWT_SECRET", "literal"));

        var (code, stdout, _) = await RunAsync(builder, "--output", "json");

        Assert.Equal(2, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("invalid", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Contains("JWT_SECRET", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Null(_local.Created);
    }
}
