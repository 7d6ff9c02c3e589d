using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Hosting;

/// <summary>How one script run shows itself on the console: the chosen reporter, then the result (text, JSON, the live view's summary).</summary>
internal sealed class ConsoleRun
{
    private readonly CommandLineOptions _options;
    private readonly TextWriter _stdout;
    private readonly Func<string, string?> _environment;
    private readonly GitHubActionsReporter? _github;
    private readonly IConsoleReporter? _terminal;

    public ConsoleRun(PipelineHost host, CommandLineOptions options, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, AwsEnvironment aws)
    {
        _options = options;
        _stdout = stdout;
        _environment = environment;
        var log = options.Output == "json" ? stderr : stdout;
        var kind = ConsoleReporters.Choose(options, environment, ConsoleReporters.IsInteractiveConsole(stdout));
        _github = kind == ReporterKind.GitHubActions ? new GitHubActionsReporter(log, Masker, options.Host.Verbose) : null;
        _terminal = kind == ReporterKind.Terminal
            ? host.ConsoleReporter?.Create(new ConsoleReporterContext
            {
                Out = stdout,
                Options = options.Host,
                Masker = Masker,
                TimeProvider = aws.TimeProvider,
                Target = aws.Description,
                Environment = environment,
            })
            : null;
        Progress = _github ?? _terminal ?? (IPipelineReporter)new TextReporter(log, options.Host.Verbose);
    }

    /// <summary>The run's masker.</summary>
    public SecretMasker Masker { get; } = new();

    /// <summary>Where the run's progress goes.</summary>
    public IPipelineReporter Progress { get; }

    /// <summary>Ends the progress and prints the result.</summary>
    public async Task CompleteAsync(PipelineResult result)
    {
        if (_github is not null)
        {
            await _github.CompleteAsync(result, _environment("GITHUB_STEP_SUMMARY"), CancellationToken.None).ConfigureAwait(false);
        }
        if (_options.Output == "json")
        {
            await _stdout.WriteLineAsync(JsonSerializer.Serialize(result, ScriptHost.ResultJson)).ConfigureAwait(false);
        }
        else if (_terminal is not null)
        {
            await _terminal.CompleteAsync(result, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            TextReporter.WriteSummary(_stdout, result);
            Checks.CheckReport.Write(_stdout, result);
        }
        await _stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
