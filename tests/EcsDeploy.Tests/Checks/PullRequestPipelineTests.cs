using System.Text.Json;
using EcsDeploy.Checks;
using EcsDeploy.Hosting;
using EcsDeploy.Rules;

namespace EcsDeploy.Tests.Checks;

/// <summary>Pipelines of checks: no AWS needed, every check runs and reports, the exit code says whether the PR passes.</summary>
[Collection(ToolChecksCollection.Name)]
public sealed class PullRequestPipelineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ecsdeploy-prcheck-").FullName;

    public PullRequestPipelineTests()
    {
        File.WriteAllText(Path.Combine(_folder, "Dockerfile"), "FROM node:20-alpine\nWORKDIR /app\nCMD [\"node\", \"server.js\"]\n");
        File.WriteAllText(Path.Combine(_folder, "server.js"), "console.log('hi');\n");
    }

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void Build_PipelineOfChecksOnly_NeedsNoRegionClusterOrDeploy()
    {
        using var _ = new NoRegionInEnvironment();

        var definition = Pipeline.For("truecaller-backend").TypeCheck().Lint().PrismaValidate().ImageBuild().DependencyAudit().MigrationDrift().Build();

        Assert.False(definition.UsesAws);
        Assert.Equal("", definition.Region);
        Assert.Equal(["TypeCheck", "Lint", "PrismaValidate", "ImageBuild", "DependencyAudit", "MigrationDrift"], definition.Stages.Select(s => s.Descriptor.Name));
    }

    [Fact]
    public void Build_ChecksWithADeploy_StillNeedRegionAndCluster()
    {
        using var _ = new NoRegionInEnvironment();

        var error = Assert.Throws<PipelineValidationException>(() => Pipeline.For("truecaller-backend").TypeCheck().Deploy(d => d.Service("svc")).Build());

        Assert.Contains("No region: call .InRegion(\"eu-central-1\") or set AWS_REGION.", error.Problems);
        Assert.Contains("No cluster: call .OnCluster(\"my-cluster\").", error.Problems);
    }

    [Fact]
    public void Build_MisconfiguredChecks_ListsEveryProblemWithItsFix()
    {
        var builder = Pipeline.For("truecaller-backend")
            .MigrationDrift(d => d.ShadowServer("mysql://somewhere").Schema(""))
            .PrismaValidate()
            .Lint(l => l.Skip(" ").MaxWarnings(-1))
            .DependencyAudit(a => a.Timeout(TimeSpan.Zero))
            .Deploy(d => d.Service("svc"))
            .TypeCheck();

        var error = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Contains(StageOrderingRules.OutOfOrder("MigrationDrift", "PrismaValidate"), error.Problems);
        Assert.Contains(StageOrderingRules.OutOfOrder("Deploy", "TypeCheck"), error.Problems);
        Assert.Contains("MigrationDrift: .ShadowServer(...) must be a postgresql:// URL with a host, for example \"postgresql://postgres@127.0.0.1:5432/postgres\", not 'mysql://somewhere'.", error.Problems);
        Assert.Contains("MigrationDrift: the schema path is empty: give it, for example .Schema(\"prisma/schema.prisma\").", error.Problems);
        Assert.Contains("Lint: .Skip(...) needs a reason, for example .Skip(\"no database in this CI\"), so the result can say why the check was not done.", error.Problems);
        Assert.Contains("Lint: .MaxWarnings(-1) must be 0 or more.", error.Problems);
        Assert.Contains("DependencyAudit: the time limit must be positive, not 00:00:00: for example .Timeout(TimeSpan.FromMinutes(5)).", error.Problems);
    }

    [Fact]
    public async Task ScriptHost_ChecksOnly_RunWithoutATargetAndEveryCheckReportsInJson()
    {
        var builder = Pipeline.For("truecaller-backend")
            .TypeCheck(t => t.WorkingDirectory(_folder))                 // no node_modules: could not run
            .Lint(l => l.Skip("linted by another workflow"))            // skipped by configuration
            .ImageBuild(i => i.WorkingDirectory(_folder)                 // runs although TypeCheck did not; the base
                .With(b => b.Image("Dockerfile").Builder(ImageBuilderKind.Daemonless).BaseImage(BaseImagePolicy.Skip)));   // is not fetched: no network here
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = await ScriptHost.RunAsync(builder, ["--output", "json"], stdout, stderr, _ => null);

        Assert.Equal(ExitCodes.Failed, exitCode);
        using var json = JsonDocument.Parse(stdout.ToString());
        var root = json.RootElement;
        Assert.Equal("checks-incomplete", root.GetProperty("outcome").GetString());
        Assert.Equal(NoAwsEnvironment.Description, root.GetProperty("target").GetString());
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(["TypeCheck", "Lint", "ImageBuild"], checks.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["could-not-run", "skipped-by-config", "passed"], checks.Select(c => c.GetProperty("status").GetString()));
        Assert.Equal("skipped by configuration: linted by another workflow", checks[1].GetProperty("summary").GetString());
        Assert.StartsWith("image sha256:", checks[2].GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.True(checks.All(c => c.TryGetProperty("duration", out _) && c.TryGetProperty("findings", out _)));
    }

    [Fact]
    public async Task ScriptHost_AFailedCheck_ExitsOneAndTheTextSaysThePullRequestDoesNotPass()
    {
        File.Delete(Path.Combine(_folder, "Dockerfile"));
        Directory.CreateDirectory(Path.Combine(_folder, "node_modules"));
        var builder = Pipeline.For("truecaller-backend")
            .DependencyAudit(a => a.WorkingDirectory(_folder))          // no package-lock.json: fails
            .ImageBuild(i => i.WorkingDirectory(_folder).With(b => b.Image("Dockerfile.missing")));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = await ScriptHost.RunAsync(builder, [], stdout, stderr, _ => null);

        // The missing Dockerfile of ImageBuild is found when the check runs: a failed check, not an invalid pipeline.
        Assert.Equal(ExitCodes.Failed, exitCode);
        var text = stdout.ToString();
        Assert.Contains("checks-failed (exit code 1)", text, StringComparison.Ordinal);
        Assert.Contains("failed            DependencyAudit", text, StringComparison.Ordinal);
        Assert.Contains("failed            ImageBuild", text, StringComparison.Ordinal);
        Assert.Contains("0 passed, 2 failed, 0 could not run, 0 skipped by configuration: the pull request does not pass.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScriptHost_EveryCheckSkippedByConfiguration_IsIncompleteNeverAPass_Exit1()
    {
        var builder = Pipeline.For("truecaller-backend")
            .DependencyAudit(a => a.Skip("no audit endpoint here"))
            .MigrationDrift(d => d.Skip("no database in this CI"));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = await ScriptHost.RunAsync(builder, [], stdout, stderr, _ => null);

        Assert.Equal(1, exitCode);
        var text = stdout.ToString() + stderr;
        Assert.Contains("skipped-by-config DependencyAudit", text, StringComparison.Ordinal);
        Assert.Contains("checks-incomplete (exit code 1)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("checks-passed", text, StringComparison.Ordinal);
        Assert.Contains("every check was skipped by configuration (DependencyAudit, MigrationDrift): nothing was checked, so the pull request is NOT verified. Let at least one check run.", text, StringComparison.Ordinal);
        Assert.Contains("0 passed, 0 failed, 0 could not run, 2 skipped by configuration: the pull request is NOT verified (every check was skipped by configuration).", text, StringComparison.Ordinal);
    }

    /// <summary>Unsets AWS_REGION and AWS_DEFAULT_REGION for a test, and restores them.</summary>
    private sealed class NoRegionInEnvironment : IDisposable
    {
        private readonly string? _region = Environment.GetEnvironmentVariable("AWS_REGION");
        private readonly string? _default = Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");

        public NoRegionInEnvironment()
        {
            Environment.SetEnvironmentVariable("AWS_REGION", null);
            Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", null);
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable("AWS_REGION", _region);
            Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", _default);
        }
    }
}
