using EcsDeploy.Hosting;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests;

/// <summary>The GitHub Actions reporter: groups, masks, annotations and the step summary, through the script host.</summary>
public sealed class GitHubActionsReporterTests
{
    private static async Task<(int ExitCode, string Stdout, string Stderr, string Summary)> RunInActionsAsync(PipelineBuilder builder, params string[] args)
    {
        var summaryPath = Path.Combine(Directory.CreateTempSubdirectory("ecsdeploy-summary-").FullName, "summary.md");
        var environment = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summaryPath };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ScriptHost.RunAsync(builder, [.. args, "--git-sha", TestPipelines.GitSha], stdout, stderr, name => environment.GetValueOrDefault(name));
        var summary = File.Exists(summaryPath) ? await File.ReadAllBytesAsync(summaryPath) : [];
        Assert.False(summary.AsSpan().StartsWith("\uFEFF"u8), "the step summary starts with a byte-order mark");
        return (code, stdout.ToString(), stderr.ToString(), System.Text.Encoding.UTF8.GetString(summary));
    }

    private static PipelineBuilder LocalMigration()
    {
        var context = TestPipelines.CreateContext();
        return Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Migrate(m => m.Command("sh", "-c", "echo migrating with $DATABASE_URL").Locally(context))
            .Deploy(d => d.Service("truecaller-backend-service").Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL"));
    }

    [Fact]
    public async Task InActions_MasksEverySecretValueBeforeAnyLineThatCouldContainIt()
    {
        var (code, stdout, stderr, summary) = await RunInActionsAsync(LocalMigration(), "--verbose");

        Assert.Equal(0, code);
        var url = SeedSpec.Truecaller.Secrets["truecaller-backend/DATABASE_URL"];
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var maskUrl = lines.IndexOf("::add-mask::" + url);
        var maskPassword = lines.IndexOf("::add-mask::Sim-db-Pa55w0rd-4f9a");
        var commandOutput = lines.FindIndex(l => l.Contains("migrating with ***", StringComparison.Ordinal));
        Assert.True(maskUrl >= 0, stdout);
        Assert.True(maskPassword >= 0, stdout);
        Assert.True(commandOutput > maskUrl && commandOutput > maskPassword, stdout);
        // Outside the add-mask commands, no secret value appears anywhere: log, stderr or step summary.
        var unmasked = string.Join('\n', lines.Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal))) + stderr + summary;
        Assert.DoesNotContain(url, unmasked, StringComparison.Ordinal);
        Assert.DoesNotContain("Sim-db-Pa55w0rd-4f9a", unmasked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InActions_GroupsEachStageAndWritesTheStepSummary()
    {
        var (code, stdout, _, summary) = await RunInActionsAsync(TestPipelines.Seed(TestPipelines.CreateContext()));

        Assert.Equal(0, code);
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        foreach (var stage in new[] { "Build", "Push", "Migrate", "WithOllama", "Deploy", "Verify" })
        {
            var open = lines.IndexOf("::group::" + stage);
            Assert.True(open >= 0, $"no group for {stage}:\n{stdout}");
            Assert.Equal("::endgroup::", lines.Skip(open + 1).First(l => l.StartsWith("::group::", StringComparison.Ordinal) || l == "::endgroup::"));
        }
        Assert.Equal(lines.Count(l => l.StartsWith("::group::", StringComparison.Ordinal)), lines.Count(l => l == "::endgroup::"));
        Assert.DoesNotContain("::error", stdout, StringComparison.Ordinal);

        Assert.Contains("## ✅ truecaller-backend: deployed", summary, StringComparison.Ordinal);
        Assert.Contains("| Service | truecaller-backend-service in truecaller-backend-cluster |", summary, StringComparison.Ordinal);
        Assert.Contains("task-definition/truecaller-backend:2", summary, StringComparison.Ordinal);
        Assert.Contains($"| Tags | {TestPipelines.GitSha}, latest |", summary, StringComparison.Ordinal);
        Assert.Contains("| OLLAMA_URL | http://truecaller-backend-ollama-alb-", summary, StringComparison.Ordinal);
        Assert.Contains("(from Terraform output ollama_alb_dns_name)", summary, StringComparison.Ordinal);
        Assert.Matches(@"\| Deployment \| ecs-svc/\S+ COMPLETED \|", summary);
        Assert.Contains("| Stage | Status | Duration |", summary, StringComparison.Ordinal);
        Assert.Matches(@"\| Deploy \| ✅ succeeded \| [0-9.]+ (ms|s|min \d+ s) \|", summary);
        Assert.DoesNotContain("Rolled back to", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InActions_FailedDeployment_AnnotatesTheErrorAndSummarisesTheRollback()
    {
        var (code, stdout, _, summary) = await RunInActionsAsync(TestPipelines.Seed(TestPipelines.CreateContext()), "--fault", "unhealthy-tasks");

        Assert.Equal(1, code);
        Assert.Contains("::error title=Deploy failed::Deployment of 'truecaller-backend-service' failed", stdout, StringComparison.Ordinal);
        Assert.Contains("## ❌ truecaller-backend: rolled-back", summary, StringComparison.Ordinal);
        Assert.Matches(@"\| Rolled back to \| arn:aws:ecs:\S+:task-definition/truecaller-backend:1 \|", summary);
        Assert.Contains("| Deploy | ❌ failed |", summary, StringComparison.Ordinal);
        Assert.Contains("| Verify | ⏭️ skipped |", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideActions_PrintsPlainLinesOnly()
    {
        var stdout = new StringWriter();
        var code = await ScriptHost.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), ["--git-sha", TestPipelines.GitSha], stdout, new StringWriter(), _ => null);

        Assert.Equal(0, code);
        Assert.DoesNotContain("::group::", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("==> Deploy", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reporter_AnnouncesAValueTheMomentTheMaskerLearnsIt_AndEscapesCommands()
    {
        var masker = new SecretMasker();
        masker.Add("known-before-start");
        var log = new StringWriter();
        var reporter = new GitHubActionsReporter(log, masker, verbose: false);
        reporter.Report(new StageStarted(DateTimeOffset.UnixEpoch, "Migrate"));

        masker.Add("line-one-secret\nline-two-secret%");
        reporter.Report(masker.Mask(new StageMessage(DateTimeOffset.UnixEpoch, "Migrate", "50% done: line-one-secret\nline-two-secret%", MessageLevel.Warning)));
        reporter.Report(new StageFinished(DateTimeOffset.UnixEpoch, "Migrate", StageStatus.Failed, TimeSpan.FromSeconds(2), "bad: a, b: c"));

        Assert.Equal(
            [
                "::add-mask::known-before-start",
                "::group::Migrate",
                "==> Migrate",
                "::add-mask::line-one-secret%0Aline-two-secret%25",
                "::add-mask::line-one-secret",
                "::add-mask::line-two-secret%25",
                "::warning title=Migrate::50%25 done: ***",
                "<== Migrate FAILED after 2.0 s: bad: a, b: c",
                "::endgroup::",
                "::error title=Migrate failed::bad: a, b: c",
            ],
            log.ToString().Split(Environment.NewLine)[..^1]);
        Assert.Equal("a%3Ab%2Cc%25%0A", GitHubActionsReporter.EscapeProperty("a:b,c%\n"));
        Assert.Equal("a:b,c%25%0D%0A", GitHubActionsReporter.EscapeData("a:b,c%\r\n"));
    }
}
