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
        var result = await Samples.RunAsync("deploy.cs", []);

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
