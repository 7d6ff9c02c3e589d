namespace EcsDeploy.Samples.Tests;

/// <summary>
/// `dotnet run samples/pr-check.cs`: as the README gives it with nothing configured (the drift check has no database, so
/// the pull request is not verified: exit 1), and with what its header says a CI runner gives it (a PostgreSQL server for
/// the drift check, a registry mirror serving the Dockerfile's base image) so that every check runs and passes: exit 0.
/// The dependency audit is turned off by configuration there, with a reason: no registry here serves npm's audit
/// endpoint, and a stub answering "no advisories" would prove nothing.
/// </summary>
public sealed class PrCheckSampleTests : IDisposable
{
    private readonly SampleCheckout _samples = new();

    public void Dispose() => _samples.Dispose();

    /// <summary>The table's line of one check, for example <c>passed            TypeCheck           8.3s  no type errors</c>.</summary>
    private static string CheckLine(SampleResult result, string check)
        => result.Stdout.Split('\n').Select(l => l.Trim())
            .LastOrDefault(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var name, ..] && name == check
                && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0] is "passed" or "failed" or "could-not-run" or "skipped-by-config") ?? $"(no line for {check})";

    private static string Status(SampleResult result, string check) => CheckLine(result, check).Split(' ')[0];

    [Fact]
    public async Task PrCheck_AsTheReadmeGivesIt_WithNoDatabase_IsNotVerified_Exit1()
    {
        var result = await _samples.RunAsTheReadmeGivesItAsync("pr-check.cs", []);

        Assert.True(result.ExitCode == 1, result.Output);
        foreach (var check in new[] { "Install", "TypeCheck", "Lint", "PrismaValidate" })
        {
            Assert.True(Status(result, check) == "passed", $"{check}: {CheckLine(result, check)}\n{result.Output}");
        }
        Assert.Equal("could-not-run", Status(result, "MigrationDrift"));
        Assert.Contains("no database to replay the migrations on: set PRISMA_SHADOW_SERVER_URL", CheckLine(result, "MigrationDrift"), StringComparison.Ordinal);
        Assert.Contains("the pull request is NOT verified", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrCheck_WithADatabaseAndABaseImageMirror_RunsEveryCheck_Exit0()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var mirror = await BaseImageMirror.StartAsync("library/node", "20-alpine");

        var result = await _samples.RunAsync("pr-check.cs", [], new Dictionary<string, string>
        {
            ["PRISMA_SHADOW_SERVER_URL"] = postgres.Url,
            ["BASE_IMAGE_REGISTRY"] = mirror.Address,
            ["PR_CHECK_SKIP_AUDIT"] = "no audit endpoint in the test environment",
        });

        Assert.True(result.ExitCode == 0, result.Output);
        foreach (var check in new[] { "Install", "TypeCheck", "Lint", "PrismaValidate", "ImageBuild", "MigrationDrift" })
        {
            Assert.True(Status(result, check) == "passed", $"{check}: {CheckLine(result, check)}\n{result.Output}");
        }
        Assert.Equal("skipped-by-config", Status(result, "DependencyAudit"));
        Assert.Contains("no audit endpoint in the test environment", CheckLine(result, "DependencyAudit"), StringComparison.Ordinal);
        Assert.True(mirror.ManifestRequests > 0, "the image build never asked the mirror for node:20-alpine");
    }
}
