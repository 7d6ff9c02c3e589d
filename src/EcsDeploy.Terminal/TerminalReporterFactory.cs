using EcsDeploy.Hosting;
using Spectre.Console;

[assembly: ConsoleReporter(typeof(EcsDeploy.Terminal.TerminalReporterFactory))]

namespace EcsDeploy.Terminal;

/// <summary>
/// The script host's terminal reporter: announced by this assembly, so a script that references EcsDeploy.Terminal
/// gets the live view whenever its stdout is an interactive terminal (see <see cref="ConsoleReporters.Choose"/>).
/// </summary>
public sealed class TerminalReporterFactory : IConsoleReporterFactory
{
    /// <inheritdoc />
    public IConsoleReporter Create(ConsoleReporterContext context) => Create(context, AnsiSupport.Detect, ColorSystemSupport.Detect);

    /// <summary>Creates the reporter with the given terminal capabilities; <c>NO_COLOR</c> overrides the colours.</summary>
    internal static IConsoleReporter Create(ConsoleReporterContext context, AnsiSupport ansi, ColorSystemSupport colours)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Out),
            Ansi = ansi,
            ColorSystem = NoColor(context.Environment) ? ColorSystemSupport.NoColors : colours,
            Interactive = InteractionSupport.Yes,
        });
        return new TerminalReporter(console, context.Masker, new TerminalReporterOptions
        {
            Verbose = context.Options.Verbose,
            TimeProvider = context.TimeProvider,
            Target = context.Target,
        });
    }

    /// <summary>True when <c>NO_COLOR</c> is set to anything (https://no-color.org).</summary>
    public static bool NoColor(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrEmpty(environment("NO_COLOR"));
    }
}
