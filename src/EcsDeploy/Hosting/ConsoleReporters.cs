using EcsDeploy.Reporting;

namespace EcsDeploy.Hosting;

/// <summary>How the script host reports a run's progress.</summary>
public enum ReporterKind
{
    /// <summary>Plain lines (<see cref="TextReporter"/>) and the plain summary: redirected output, <c>TERM=dumb</c>, <c>CI=true</c>, <c>--plain</c>, <c>--output text</c>.</summary>
    Text,
    /// <summary><c>--output json</c>: plain progress on stderr, the JSON result on stdout.</summary>
    Json,
    /// <summary><c>GITHUB_ACTIONS=true</c>: <see cref="GitHubActionsReporter"/>.</summary>
    GitHubActions,
    /// <summary>An interactive terminal: the live view of a registered <see cref="IConsoleReporterFactory"/> (EcsDeploy.Terminal).</summary>
    Terminal,
}

/// <summary>What the script host hands a console reporter for one run.</summary>
public sealed record ConsoleReporterContext
{
    /// <summary>The script's stdout (the terminal).</summary>
    public required TextWriter Out { get; init; }
    /// <summary>The run's options (<c>--verbose</c>, <c>--dry-run</c>, ...).</summary>
    public required HostOptions Options { get; init; }
    /// <summary>The run's masker: every string the reporter shows must go through it.</summary>
    public required SecretMasker Masker { get; init; }
    /// <summary>The run's clock (the simulated AWS's virtual clock for <c>--target local</c>).</summary>
    public required TimeProvider TimeProvider { get; init; }
    /// <summary>Where the run deploys, for example <c>simulated AWS</c>.</summary>
    public required string Target { get; init; }
    /// <summary>Reads environment variables (<c>NO_COLOR</c>, <c>TERM</c>).</summary>
    public required Func<string, string?> Environment { get; init; }
}

/// <summary>A reporter that owns the console for one run: it shows progress, then the closing summary.</summary>
public interface IConsoleReporter : IPipelineReporter
{
    /// <summary>Ends the live view and writes the run's closing summary and outcome.</summary>
    Task CompleteAsync(PipelineResult result, CancellationToken cancellationToken);
}

/// <summary>Creates the console reporter for a run: given to the host (<see cref="PipelineHost.ConsoleReporter"/>), or announced on an assembly with <see cref="ConsoleReporterAttribute"/>.</summary>
public interface IConsoleReporterFactory
{
    /// <summary>Creates the reporter, writing to <see cref="ConsoleReporterContext.Out"/>.</summary>
    IConsoleReporter Create(ConsoleReporterContext context);
}

/// <summary>Declares, on an assembly, the console reporter the script host uses on an interactive terminal when none was given to it.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ConsoleReporterAttribute(Type factoryType) : Attribute
{
    /// <summary>A type implementing <see cref="IConsoleReporterFactory"/> with a public parameterless constructor.</summary>
    public Type FactoryType { get; } = factoryType;
}

/// <summary>
/// Chooses the script host's reporter. The core library has no UI dependency: the live view lives in EcsDeploy.Terminal
/// (Spectre.Console); give it to the host (<see cref="PipelineHost.ConsoleReporter"/>), or reference it from the script
/// (<c>#:project .../EcsDeploy.Terminal</c> or <c>#:package EcsDeploy.Terminal</c>) and the host finds it through its
/// <see cref="ConsoleReporterAttribute"/>.
/// </summary>
public static class ConsoleReporters
{
    /// <summary>
    /// The reporter for a run: <c>--output json</c> first, then <c>GITHUB_ACTIONS=true</c>, then plain text when
    /// asked (<c>--plain</c>, <c>--output text</c>) or when stdout is not an interactive terminal (redirected,
    /// <c>TERM=dumb</c>, <c>CI=true</c>); otherwise the live terminal view. <c>NO_COLOR</c> keeps the live view
    /// but drops its colours.
    /// </summary>
    public static ReporterKind Choose(CommandLineOptions options, Func<string, string?> environment, bool stdoutIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (options.Output == "json")
        {
            return ReporterKind.Json;
        }
        if (GitHubActionsReporter.IsGitHubActions(environment))
        {
            return ReporterKind.GitHubActions;
        }
        if (options.Plain || !stdoutIsTerminal
            || string.Equals(environment("TERM"), "dumb", StringComparison.OrdinalIgnoreCase)
            || string.Equals(environment("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return ReporterKind.Text;
        }
        return ReporterKind.Terminal;
    }

    /// <summary>True when <paramref name="stdout"/> is this process's console output and it is not redirected.</summary>
    public static bool IsInteractiveConsole(TextWriter stdout) => ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
}
