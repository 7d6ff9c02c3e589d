using System.Text.RegularExpressions;
using EcsDeploy.Hosting;
using EcsDeploy.Reporting;
using EcsDeploy.Testing;
using Spectre.Console;
using Spectre.Console.Testing;

namespace EcsDeploy.Terminal.Tests;

/// <summary>The live terminal view, driven by real pipeline runs against the simulated AWS on a TestConsole.</summary>
public sealed partial class TerminalReporterTests
{
    private const string GitSha = "1111111111111111111111111111111111111111";
    private static readonly string[] SeedStages = ["Build", "Push", "Migrate", "WithOllama", "Deploy", "Verify"];

    private sealed record Run(PipelineResult Result, string Raw, string Text);

    private static string CreateContext()
    {
        var directory = Directory.CreateTempSubdirectory("ecsdeploy-terminal-test-").FullName;
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n");
        File.WriteAllText(Path.Combine(directory, "server.js"), "console.log('hello');\n");
        return directory;
    }

    private static PipelineBuilder Seed() => Pipeline.For("truecaller-backend")
        .InRegion("eu-central-1")
        .OnCluster("truecaller-backend-cluster")
        .Build(b => b.WorkingDirectory(CreateContext()).Image("Dockerfile"))
        .Push()
        .Migrate(m => m.Prisma())
        .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds(30)))
        .Deploy(d => d.Service("truecaller-backend-service")
            .Container("truecaller-backend")
            .Environment("NODE_ENV", "production")
            .Environment("PORT", "3000")
            .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")
            .Secret("REDIS_URL", "truecaller-backend/REDIS_URL")
            .Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET")
            .Secret("GOOGLE_APPLICATION_CREDENTIALS_JSON", "truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON")
            .RollbackOnFailure())
        .Verify(v => v.Http("/health").Ollama());

    private static TestConsole Terminal() => new TestConsole().Interactive().EmitAnsiSequences().SupportsUnicode(true).Colors(ColorSystem.Standard).Width(220);

    /// <summary>Runs <paramref name="builder"/> against a freshly seeded simulated AWS with the live view on a test terminal.</summary>
    private static async Task<Run> RunLiveAsync(PipelineBuilder builder, bool dryRun = false, string? fault = null, bool verbose = false)
    {
        var definition = builder.Build();
        var aws = new SimulatedAws(region: definition.Region);
        EcsDeploy.Testing.Seed.Apply(aws, SeedSpec.From(definition));
        if (fault is not null)
        {
            aws.Faults.Arm(fault);
        }
        var environment = aws.CreateEnvironment();
        var masker = new SecretMasker();
        using var console = Terminal();
        var reporter = new TerminalReporter(console, masker, new TerminalReporterOptions
        {
            Verbose = verbose,
            TimeProvider = environment.TimeProvider,
            Target = environment.Description,
            RefreshInterval = TimeSpan.FromMilliseconds(5),
        });
        var result = await PipelineRunner.RunAsync(definition, environment, new RunOptions { GitSha = GitSha, DryRun = dryRun, Masker = masker }, reporter);
        await reporter.CompleteAsync(result, CancellationToken.None);
        if (Environment.GetEnvironmentVariable("ECSDEPLOY_TERMINAL_DUMP") is { Length: > 0 } dump)
        {
            File.WriteAllText(Path.Combine(dump, $"{(dryRun ? "dry" : fault ?? "run")}.txt"), console.Output);
        }
        return new Run(result, console.Output, StripAnsi(console.Output));
    }

    private static string StripAnsi(string text) => Ansi().Replace(text, "");

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();

    [Fact]
    public async Task Live_SeedRun_ShowsEveryStageLineWithItsDurationAndTheOutcome()
    {
        var run = await RunLiveAsync(Seed());

        Assert.Equal(ExitCodes.Success, run.Result.ExitCode);
        foreach (var stage in SeedStages)
        {
            // The live view's stage line: a check mark, the name, wall time and simulated time (virtual clock).
            Assert.Matches(new Regex($@"✔\s+{stage}\s+[0-9.]+ (ms|s|min \d+ s) · sim [0-9.]+ (ms|s|min \d+ s)"), run.Text);
            // The summary table's row: status and duration.
            Assert.Matches(new Regex($@"│ {stage}\s+│ ✔ succeeded\s+│\s+[0-9.]+ (ms|s|min \d+ s) │"), run.Text);
        }
        Assert.Contains("times: wall clock, sim = simulated time on the virtual clock", run.Text, StringComparison.Ordinal);
        Assert.Contains("✔ truecaller-backend on simulated AWS: deployed (exit code 0)", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_Deploy_ShowsTheRolloutStateAndCountsPerDeployment()
    {
        var run = await RunLiveAsync(Seed());

        var deploymentId = run.Result.Deployment!.DeploymentId;
        Assert.Matches(new Regex($@"truecaller-backend-service\s+{Regex.Escape(deploymentId)}\s+COMPLETED\s+desired 2 · running 2 · pending 0 · failed 0"), run.Text);
        // Every change of counts gets a frame, also on the virtual clock where a rollout passes in milliseconds.
        Assert.Matches(new Regex($@"truecaller-backend-service\s+{Regex.Escape(deploymentId)}\s+IN_PROGRESS\s+desired 2 · running [0-2] · pending [1-2] · failed 0"), run.Text);
        Assert.Matches(new Regex(@"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\s+Deploy\s+[0-9.]+ (ms|s) · sim [0-9.]+ (ms|s|min \d+ s)"), run.Text);
        Assert.Contains("Rollout", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_Deploy_StreamsTheServiceEvents()
    {
        var run = await RunLiveAsync(Seed());

        Assert.Matches(new Regex(@"\d\d:\d\d:\d\d truecaller-backend-service \(service truecaller-backend-service\) has started \d+ tasks"), run.Text);
        Assert.Matches(new Regex(@"\d\d:\d\d:\d\d truecaller-backend-service \(service truecaller-backend-service\) has reached a steady state\."), run.Text);
        Assert.Contains("latest event", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_Summary_NamesServiceTaskDefinitionImageTagsOllamaUrlAndDeployment()
    {
        var run = await RunLiveAsync(Seed());

        Assert.Matches(new Regex(@"│ Service\s+│ truecaller-backend-service in truecaller-backend-cluster"), run.Text);
        Assert.Matches(new Regex(@"│ Task definition\s+│ arn:aws:ecs:eu-central-1:\d+:task-definition/truecaller-backend:2"), run.Text);
        Assert.Matches(new Regex(@"│ Image\s+│ \S+/truecaller-backend@sha256:[0-9a-f]{64}"), run.Text);
        Assert.Matches(new Regex($@"│ Tags\s+│ {GitSha}, latest"), run.Text);
        Assert.Matches(new Regex(@"│ OLLAMA_URL\s+│ http://truecaller-backend-ollama-alb-\S+ \(from Terraform output ollama_alb_dns_name\)"), run.Text);
        Assert.Matches(new Regex($@"│ Deployment\s+│ {Regex.Escape(run.Result.Deployment!.DeploymentId)}"), run.Text);
        Assert.Matches(new Regex(@"│ Rollout state\s+│ COMPLETED"), run.Text);
    }

    [Fact]
    public async Task DryRun_TaskDefinitionDiff_IsColouredGreenRedYellow()
    {
        var run = await RunLiveAsync(Seed(), dryRun: true);

        Assert.Equal(ExitCodes.Success, run.Result.ExitCode);
        var diff = run.Result.Plan.Single(p => p.Stage == "Deploy").Diff;
        Assert.Contains(diff, l => l.StartsWith("+ ", StringComparison.Ordinal));
        Assert.Contains(diff, l => l.StartsWith("~ ", StringComparison.Ordinal));
        // Standard colours: green 32, (bright) red 91, (bright) yellow 93, each opening the diff line it colours.
        foreach (var line in diff)
        {
            var colour = line[0] switch { '+' => "32", '-' => "91", '~' => "93", _ => throw new InvalidOperationException(line) };
            // (a line longer than the terminal wraps, and each wrapped part carries the colour: compare the start)
            Assert.Contains($"\x1b[{colour}m{line[..Math.Min(line.Length, 60)]}", run.Raw, StringComparison.Ordinal);
        }
        Assert.Contains("task definition diff:", run.Text, StringComparison.Ordinal);
        Assert.Contains("truecaller-backend on simulated AWS: planned (exit code 0)", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void DiffLine_ColoursAdditionsRemovalsAndChanges()
    {
        using var console = Terminal();
        console.MarkupLine(TerminalStyle.DiffLine("+ environment.FOO: bar"));
        console.MarkupLine(TerminalStyle.DiffLine("- environment.OLD: [x]"));
        console.MarkupLine(TerminalStyle.DiffLine("~ image: a -> b"));

        Assert.Contains("\x1b[32m+ environment.FOO: bar", console.Output, StringComparison.Ordinal);
        Assert.Contains("\x1b[91m- environment.OLD: [x]", console.Output, StringComparison.Ordinal);
        Assert.Contains("\x1b[93m~ image: a -> b", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_CircuitBreakerRollback_ShowsTheFailureReasonAndWhereItRolledBackTo()
    {
        var run = await RunLiveAsync(Seed(), fault: "unhealthy-tasks");

        Assert.Equal(ExitCodes.Failed, run.Result.ExitCode);
        Assert.Matches(new Regex(@"✖ Deploy failed after [0-9.]+ (ms|s|min \d+ s): .*circuit breaker"), run.Text);
        Assert.Matches(new Regex(@"\s+FAILED\s+desired 2 · running \d+ · pending \d+ · failed [1-9]"), run.Text);
        Assert.Matches(new Regex(@"│ Rolled back to\s+│ \S+task-definition/truecaller-backend:1"), run.Text);
        Assert.Contains("✖ truecaller-backend on simulated AWS: rolled-back (exit code 1)", run.Text, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"error: Deploy: .*circuit breaker"), run.Text);
        Assert.Matches(new Regex(@"│ Verify\s+│ ↷ skipped"), run.Text);
        // The live view's last frame says so too.
        Assert.Matches(new Regex(@"↷\s+Verify\s+not run: Deploy failed"), run.Text);
    }

    [Fact]
    public async Task Live_SecretValuesTheRunReads_NeverReachTheScreen()
    {
        var context = CreateContext();
        var builder = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Migrate(m => m.Command("sh", "-c", "echo migrating with $DATABASE_URL").Locally(context))
            .Deploy(d => d.Service("truecaller-backend-service").Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL"));

        var run = await RunLiveAsync(builder, verbose: true);

        Assert.Equal(ExitCodes.Success, run.Result.ExitCode);
        Assert.Contains("migrating with ***", run.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(SeedSpec.Truecaller.Secrets["truecaller-backend/DATABASE_URL"], run.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain("Sim-db-Pa55w0rd-4f9a", run.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_MasksEventsAndResultsThatBypassedTheMasker()
    {
        const string secret = "hunter2-very-secret-token";
        var masker = new SecretMasker();
        masker.Add(secret);
        using var console = Terminal();
        var reporter = new TerminalReporter(console, masker, new TerminalReporterOptions { Verbose = true, RefreshInterval = TimeSpan.FromMilliseconds(5) });
        var at = DateTimeOffset.UnixEpoch;

        reporter.Report(new StagePlanned(at, new StagePlan("Deploy", $"deploy with {secret}") { Diff = [$"+ environment.TOKEN: {secret}"], Details = [new("token", secret)] }));
        reporter.Report(new StageStarted(at, "Deploy"));
        reporter.Report(new StageMessage(at, "Deploy", $"info {secret}", MessageLevel.Info));
        reporter.Report(new StageMessage(at, "Deploy", $"warn {secret}", MessageLevel.Warning));
        reporter.Report(new CommandOutput(at, "Deploy", "cmd", $"line {secret}"));
        reporter.Report(new ServiceEventObserved(at, "svc", at, $"event {secret}"));
        reporter.Report(new StageFinished(at, "Deploy", StageStatus.Failed, TimeSpan.FromSeconds(1), $"failed {secret}"));
        await reporter.CompleteAsync(new PipelineResult
        {
            Pipeline = "p",
            Target = "t",
            Outcome = RunOutcome.Failed,
            Error = $"error {secret}",
            Stages = [new StageResult("Deploy", StageStatus.Failed, TimeSpan.FromSeconds(1), $"stage {secret}")],
        }, CancellationToken.None);

        Assert.DoesNotContain(secret, console.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", console.Output, StringComparison.Ordinal);
        Assert.Contains("failed ***", StripAnsi(console.Output), StringComparison.Ordinal);
        Assert.Contains("error ***", StripAnsi(console.Output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_TextWithMarkupCharacters_IsShownLiterally()
    {
        using var console = Terminal();
        var reporter = new TerminalReporter(console, new SecretMasker(), new TerminalReporterOptions { RefreshInterval = TimeSpan.FromMilliseconds(5) });
        var at = DateTimeOffset.UnixEpoch;
        reporter.Report(new StageStarted(at, "Build"));
        reporter.Report(new StageMessage(at, "Build", "[bold]not markup[/] and [red]", MessageLevel.Warning));
        reporter.Report(new StageFinished(at, "Build", StageStatus.Succeeded, TimeSpan.FromMilliseconds(12), null));
        await reporter.CompleteAsync(new PipelineResult { Pipeline = "p", Target = "t", Outcome = RunOutcome.Deployed }, CancellationToken.None);

        Assert.Contains("[bold]not markup[/] and [red]", StripAnsi(console.Output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_WithoutUnicode_UsesAsciiGlyphs()
    {
        using var console = new TestConsole().Interactive().EmitAnsiSequences().SupportsUnicode(false).Width(200);
        var reporter = new TerminalReporter(console, new SecretMasker(), new TerminalReporterOptions { RefreshInterval = TimeSpan.FromMilliseconds(5) });
        var at = DateTimeOffset.UnixEpoch;
        reporter.Report(new StageStarted(at, "Build"));
        reporter.Report(new StageFinished(at, "Build", StageStatus.Succeeded, TimeSpan.FromMilliseconds(12), null));
        await reporter.CompleteAsync(new PipelineResult { Pipeline = "p", Target = "t", Outcome = RunOutcome.Deployed }, CancellationToken.None);

        var text = StripAnsi(console.Output);
        Assert.Matches(new Regex(@"\+\s+Build\s+\d+ ms"), text);
        Assert.DoesNotContain("✔", text, StringComparison.Ordinal);
    }
}
