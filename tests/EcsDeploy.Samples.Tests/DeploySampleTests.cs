using System.Text.Json;

namespace EcsDeploy.Samples.Tests;

/// <summary>
/// `dotnet run samples/deploy.cs` on the local target, and each variation the README gives, with the exit code and the
/// closing line the README and docs/cli.md say. The variants share one checkout (they build the same backend folder),
/// so they run one after another; the other samples' classes run beside them.
/// </summary>
public sealed class DeploySampleTests(DeploySampleTests.Checkout checkout) : IClassFixture<DeploySampleTests.Checkout>
{
    public sealed class Checkout : IDisposable
    {
        internal SampleCheckout Samples { get; } = new();

        public void Dispose() => Samples.Dispose();
    }

    private SampleCheckout Samples => checkout.Samples;

    private static string ClosingLine(SampleResult result)
        => result.Stdout.Split('\n').LastOrDefault(l => l.StartsWith("truecaller-backend on ", StringComparison.Ordinal)) ?? "";

    [Fact]
    public async Task Deploy_AsTheReadmeGivesIt_DeploysAndVerifies_Exit0()
    {
        var result = await Samples.RunAsTheReadmeGivesItAsync("deploy.cs", []);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("truecaller-backend on simulated AWS: deployed (exit code 0)", ClosingLine(result));
        foreach (var stage in new[] { "Build", "Push", "Migrate", "WithOllama", "Deploy", "Verify" })
        {
            Assert.Contains(result.Stdout.Split('\n'), l => l.TrimStart().StartsWith($"succeeded  {stage} ", StringComparison.Ordinal));
        }
        Assert.Contains($"(tags: {Samples.GitSha}, latest)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_DryRun_PlansEveryStageAndChangesNothing_Exit0()
    {
        var result = await Samples.RunAsync("deploy.cs", ["--dry-run"]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("truecaller-backend on simulated AWS: planned (exit code 0)", ClosingLine(result));
        Assert.Contains("update truecaller-backend-service and wait up to 10 min (circuit breaker on, rollback on)", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("succeeded  Deploy", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_OutputJson_IsOneDocumentNamingTheCompletedDeployment_Exit0()
    {
        var result = await Samples.RunAsync("deploy.cs", ["--output", "json"]);

        Assert.True(result.ExitCode == 0, result.Output);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("deployed", root.GetProperty("outcome").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.Equal("truecaller-backend-service", root.GetProperty("service").GetString());
        Assert.Equal("COMPLETED", root.GetProperty("deployment").GetProperty("rolloutState").GetString());
        Assert.Equal([Samples.GitSha, "latest"], root.GetProperty("image").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Terraform output ollama_alb_dns_name", root.GetProperty("ollama").GetProperty("source").GetString());
    }

    [Fact]
    public async Task Deploy_DeployOllama_OutputJson_PushesTwoImagesAndRollsOutOllamaFirst_TheBackendPointingAtIt_Exit0()
    {
        var result = await Samples.RunAsync("deploy.cs", ["--deploy-ollama", "--output", "json"]);

        Assert.True(result.ExitCode == 0, result.Output);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("deployed", root.GetProperty("outcome").GetString());
        // The names came from the simulated environment's Terraform outputs.
        var names = root.GetProperty("plan")[0];
        Assert.Equal("Names", names.GetProperty("stage").GetString());
        Assert.Contains(names.GetProperty("details").EnumerateArray(), d => d.GetProperty("key").GetString() == "Ollama service"
            && d.GetProperty("value").GetString() == "truecaller-backend-ollama-service (Terraform output ollama_service_name)");
        // Two pushed images, each tagged with the git SHA and latest.
        Assert.Equal([Samples.GitSha, "latest"], root.GetProperty("image").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var ollama = root.GetProperty("ollamaService");
        Assert.Equal("truecaller-backend-ollama", ollama.GetProperty("image").GetProperty("repositoryName").GetString());
        Assert.Equal([Samples.GitSha, "latest"], ollama.GetProperty("image").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        // Two new revisions, the Ollama one running the pushed image.
        Assert.EndsWith("task-definition/truecaller-backend-ollama:2", ollama.GetProperty("taskDefinitionArn").GetString(), StringComparison.Ordinal);
        Assert.Equal(ollama.GetProperty("image").GetProperty("reference").GetString(), ollama.GetProperty("imageReference").GetString());
        Assert.Equal("COMPLETED", ollama.GetProperty("deployment").GetProperty("rolloutState").GetString());
        Assert.EndsWith("task-definition/truecaller-backend:2", root.GetProperty("taskDefinitionArn").GetString(), StringComparison.Ordinal);
        Assert.Equal("COMPLETED", root.GetProperty("deployment").GetProperty("rolloutState").GetString());
        // Ollama first: its stage finished before Deploy started, and the backend's OLLAMA_URL is its load balancer.
        var stages = root.GetProperty("stages").EnumerateArray().Select(st => st.GetProperty("name").GetString()).ToList();
        Assert.True(stages.IndexOf("WithOllama") < stages.IndexOf("Deploy"));
        var ollamaDns = names.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("key").GetString() == "Ollama load balancer").GetProperty("value").GetString()!.Split(' ')[0];
        Assert.Equal("http://" + ollamaDns, root.GetProperty("ollama").GetProperty("url").GetString());
        var ollamaPlan = root.GetProperty("plan").EnumerateArray().Single(p => p.GetProperty("stage").GetString() == "WithOllama").GetProperty("details").EnumerateArray()
            .Single(d => d.GetProperty("key").GetString() == "ollama image").GetProperty("value").GetString();
        Assert.StartsWith("daemonless build of Dockerfile.pull", ollamaPlan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_DeployOllama_UnhealthyOllama_RollsOllamaBackAndLeavesTheBackendUntouched_Exit1()
    {
        var result = await Samples.RunAsync("deploy.cs", ["--deploy-ollama", "--fault", "unhealthy-ollama"]);

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal("truecaller-backend on simulated AWS: rolled-back (exit code 1)", ClosingLine(result));
        Assert.Contains("rolled back to:  arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend-ollama:1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("The backend was not touched.", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(result.Stdout.Split('\n'), l => l.TrimStart().StartsWith("skipped    Deploy ", StringComparison.Ordinal));
    }

    /// <summary>The README's faults, with the exit code and outcome each must give (README, docs/cli.md, docs/getting-started.md).</summary>
    public static TheoryData<string, int, string> Faults => new()
    {
        // The circuit breaker trips and the service is rolled back: exit 1.
        { "unhealthy-tasks", 1, "rolled-back" },
        // New tasks cannot pull their image: the circuit breaker rolls back, exit 1.
        { "image-pull-failure", 1, "rolled-back" },
        // The migration fails before the service is touched: exit 1.
        { "migration-failure", 1, "failed" },
        // No Ollama URL can be found: the environment is invalid, found before any change, exit 2.
        { "no-ollama", 2, "invalid" },
        // Every third AWS call throttled: the retries absorb it, exit 0.
        { "throttling", 0, "deployed" },
        // The scan gate stops the run before anything is deployed: exit 1.
        { "critical-vulnerability", 1, "failed" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Deploy_WithEachFaultOfTheReadme_EndsWithItsExitCode(string fault, int exitCode, string outcome)
    {
        var result = await Samples.RunAsync("deploy.cs", ["--fault", fault]);

        Assert.True(result.ExitCode == exitCode, $"--fault {fault}: expected exit code {exitCode}, got {result.ExitCode}.\n{result.Output}");
        Assert.Equal($"truecaller-backend on simulated AWS: {outcome} (exit code {exitCode})", ClosingLine(result));
    }
}
