namespace EcsDeploy.Terminal;

/// <summary>Settings of a <see cref="TerminalReporter"/>.</summary>
public sealed record TerminalReporterOptions
{
    /// <summary>Show verbose messages and every line of command output (otherwise: the last lines of the running stage).</summary>
    public bool Verbose { get; init; }
    /// <summary>The run's clock. On a virtual clock (the simulated AWS) the view shows simulated time beside wall time.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    /// <summary>Where the run deploys (the header line).</summary>
    public string? Target { get; init; }
    /// <summary>How often the live view redraws (spinner, elapsed time).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
