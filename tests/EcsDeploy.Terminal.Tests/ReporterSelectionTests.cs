using EcsDeploy.Hosting;
using EcsDeploy.Testing;
using Spectre.Console;

namespace EcsDeploy.Terminal.Tests;

/// <summary>How the script host chooses a reporter, finds the terminal one, and keeps plain text off a terminal.</summary>
public sealed class ReporterSelectionTests
{
    private static CommandLineOptions Parse(params string[] args)
    {
        var options = new PipelineHost().Parse(args, out var problems);
        return problems.Count == 0 ? options : throw new InvalidOperationException(string.Join("; ", problems));
    }

    [Theory]
    [InlineData(new string[0], "", true, ReporterKind.Terminal)]
    [InlineData(new string[0], "", false, ReporterKind.Text)]
    [InlineData(new string[0], "TERM=dumb", true, ReporterKind.Text)]
    [InlineData(new string[0], "CI=true", true, ReporterKind.Text)]
    [InlineData(new string[0], "NO_COLOR=1", true, ReporterKind.Terminal)]
    [InlineData(new string[0], "TERM=xterm-256color", true, ReporterKind.Terminal)]
    [InlineData(new[] { "--plain" }, "", true, ReporterKind.Text)]
    [InlineData(new[] { "--output", "text" }, "", true, ReporterKind.Text)]
    [InlineData(new[] { "--output", "json" }, "", true, ReporterKind.Json)]
    [InlineData(new[] { "--output", "json" }, "GITHUB_ACTIONS=true", false, ReporterKind.Json)]
    [InlineData(new string[0], "GITHUB_ACTIONS=true", true, ReporterKind.GitHubActions)]
    [InlineData(new[] { "--plain" }, "GITHUB_ACTIONS=true", false, ReporterKind.GitHubActions)]
    public void Choose_FollowsOutputCiAndTerminal(string[] args, string variable, bool terminal, ReporterKind expected)
    {
        var environment = variable.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [variable.Split('=')[0]] = variable.Split('=')[1] };

        Assert.Equal(expected, ConsoleReporters.Choose(Parse(args), name => environment.GetValueOrDefault(name), terminal));
    }

    [Fact]
    public void Host_WithoutAConsoleReporterGiven_FindsTheTerminalReporterThroughItsAssemblyAttribute()
    {
        Assert.IsType<TerminalReporterFactory>(new PipelineHost().ConsoleReporter);
    }

    [Fact]
    public void Host_WithAConsoleReporterGiven_UsesItAndNotTheDiscoveredOne()
    {
        var own = new OwnFactory();

        Assert.Same(own, new PipelineHost { ConsoleReporter = own }.ConsoleReporter);
        Assert.Null(new PipelineHost { ConsoleReporter = null }.ConsoleReporter);
    }

    private sealed class OwnFactory : IConsoleReporterFactory
    {
        public IConsoleReporter Create(ConsoleReporterContext context) => throw new NotSupportedException();
    }

    [Fact]
    public void IsInteractiveConsole_IsFalseForAnyOtherWriter()
    {
        Assert.False(ConsoleReporters.IsInteractiveConsole(new StringWriter()));
    }

    [Fact]
    public async Task ScriptHost_OutputNotATerminal_WritesThePlainTextReporterLines()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var builder = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Deploy(d => d.Service("truecaller-backend-service").Environment("FEATURE", "on"));

        var code = await ScriptHost.RunAsync(builder, ["--git-sha", new string('1', 40)], stdout, stderr, _ => null);

        Assert.Equal(0, code);
        var text = stdout.ToString();
        Assert.DoesNotContain("\x1b[", text, StringComparison.Ordinal);
        Assert.Contains("==> Deploy", text, StringComparison.Ordinal);
        Assert.Matches(@"<== Deploy succeeded in [0-9.]+ (ms|s|min \d+ s)", text);
        Assert.Matches(@"      \+ containerDefinitions\[\S+\]\.environment\[FEATURE\]\.value: ""on""", text);
        Assert.Matches(@"    truecaller-backend-service ecs-svc/\S+: IN_PROGRESS desired 2, running \d, pending \d", text);
        Assert.Matches(@"    truecaller-backend-service ecs-svc/\S+: COMPLETED desired 2, running 2, pending 0", text);
        Assert.Matches(@"    \[\d\d:\d\d:\d\d\] \(service truecaller-backend-service\) has reached a steady state\.", text);
        Assert.Contains("truecaller-backend on simulated AWS: deployed (exit code 0)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("│", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Factory_NoColor_KeepsTheLiveViewWithoutColours(bool noColor)
    {
        var writer = new StringWriter();
        var environment = noColor ? new Dictionary<string, string> { ["NO_COLOR"] = "1" } : [];
        var context = new ConsoleReporterContext
        {
            Out = writer,
            Options = new HostOptions(),
            Masker = new Reporting.SecretMasker(),
            TimeProvider = new VirtualClock(),
            Target = "simulated AWS",
            Environment = name => environment.GetValueOrDefault(name),
        };
        var reporter = TerminalReporterFactory.Create(context, AnsiSupport.Yes, ColorSystemSupport.Standard);
        reporter.Report(new Reporting.StagePlanned(DateTimeOffset.UnixEpoch, new StagePlan("Deploy", "deploy") { Diff = ["+ environment.FOO: bar"] }));
        await reporter.CompleteAsync(new PipelineResult { Pipeline = "p", Target = "t", Outcome = RunOutcome.Planned }, CancellationToken.None);

        var output = writer.ToString();
        Assert.Contains("+ environment.FOO: bar", output, StringComparison.Ordinal);
        Assert.Equal(!noColor, output.Contains("\x1b[32m+ environment.FOO: bar", StringComparison.Ordinal));
    }
}
