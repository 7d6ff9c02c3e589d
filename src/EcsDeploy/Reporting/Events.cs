using System.Text.RegularExpressions;

namespace EcsDeploy.Reporting;

/// <summary>Something that happened during a run.</summary>
public abstract record PipelineEvent(DateTimeOffset At);

/// <summary>How loud a message is.</summary>
public enum MessageLevel
{
    /// <summary>Shown with --verbose only.</summary>
    Verbose,
    /// <summary>Shown always.</summary>
    Info,
    /// <summary>A warning.</summary>
    Warning,
    /// <summary>An error.</summary>
    Error,
}

/// <summary>A stage starts.</summary>
public sealed record StageStarted(DateTimeOffset At, string Stage) : PipelineEvent(At);

/// <summary>How a stage ended.</summary>
public enum StageStatus
{
    /// <summary>It did its work.</summary>
    Succeeded,
    /// <summary>It failed.</summary>
    Failed,
    /// <summary>It did not run (dry run, --image-tag, --no-wait, an earlier failure).</summary>
    Skipped,
    /// <summary>It planned only.</summary>
    Planned,
}

/// <summary>A stage ends.</summary>
public sealed record StageFinished(DateTimeOffset At, string Stage, StageStatus Status, TimeSpan Duration, string? Message) : PipelineEvent(At);

/// <summary>A stage's plan.</summary>
public sealed record StagePlanned(DateTimeOffset At, StagePlan Plan) : PipelineEvent(At);

/// <summary>A line from a stage.</summary>
public sealed record StageMessage(DateTimeOffset At, string Stage, string Message, MessageLevel Level) : PipelineEvent(At);

/// <summary>A line of a command's output.</summary>
public sealed record CommandOutput(DateTimeOffset At, string Stage, string Command, string Line) : PipelineEvent(At);

/// <summary>A deployment's counts changed.</summary>
public sealed record DeploymentProgress(
    DateTimeOffset At, string Service, string DeploymentId, string? RolloutState, int Desired, int Running, int Pending, int FailedTasks) : PipelineEvent(At);

/// <summary>A new ECS service event was seen.</summary>
public sealed record ServiceEventObserved(DateTimeOffset At, string Service, DateTimeOffset CreatedAt, string Message) : PipelineEvent(At);

/// <summary>The ECR scan gate read an image's findings.</summary>
public sealed record ImageScanned(DateTimeOffset At, string Stage, ImageScanReport Report) : PipelineEvent(At);

/// <summary>Receives a run's events. Implementations: text, JSON, or a test's list.</summary>
public interface IPipelineReporter
{
    /// <summary>Handles one event; events arrive masked and in order.</summary>
    void Report(PipelineEvent pipelineEvent);
}

/// <summary>A reporter that keeps every event, for tests and for the final result.</summary>
public sealed class RecordingReporter : IPipelineReporter
{
    private readonly List<PipelineEvent> _events = [];

    /// <summary>The events, in order.</summary>
    public IReadOnlyList<PipelineEvent> Events { get { lock (_events) { return [.. _events]; } } }

    /// <inheritdoc />
    public void Report(PipelineEvent pipelineEvent) { lock (_events) { _events.Add(pipelineEvent); } }
}

/// <summary>Sends each event to several reporters.</summary>
public sealed class CompositeReporter(params IPipelineReporter[] reporters) : IPipelineReporter
{
    /// <inheritdoc />
    public void Report(PipelineEvent pipelineEvent)
    {
        foreach (var reporter in reporters)
        {
            reporter.Report(pipelineEvent);
        }
    }
}

/// <summary>
/// Replaces every secret value the run holds by <c>***</c> in every string of every event, exception message
/// and result. Stages register values the moment they read them.
/// </summary>
public sealed class SecretMasker
{
    private const string Placeholder = "***";
    private readonly Lock _gate = new();
    private readonly List<string> _values = [];

    /// <summary>Registers a value to mask (values shorter than 4 characters would mask noise and are kept whole
    /// only as part of longer values).</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }
        var added = false;
        lock (_gate)
        {
            if (!_values.Contains(secret))
            {
                _values.Add(secret);
                // Longest first, so a secret that contains another is masked whole.
                _values.Sort((a, b) => b.Length.CompareTo(a.Length));
                added = true;
            }
        }
        if (added)
        {
            Added?.Invoke(this, secret);
        }
        // A connection string's password is a secret on its own too.
        var password = Regex.Match(secret, "^[a-z][a-z0-9+.-]*://[^:/@]+:([^@/]+)@", RegexOptions.IgnoreCase);
        if (password.Success)
        {
            Add(Uri.UnescapeDataString(password.Groups[1].Value));
            Add(password.Groups[1].Value);
        }
    }

    /// <summary>
    /// Raised with each new value, synchronously inside <see cref="Add"/> and so before any event that could
    /// contain it is reported (GitHub's <c>::add-mask::</c> must precede the value in the log).
    /// </summary>
    public event EventHandler<string>? Added;

    /// <summary>The values registered so far (for reporters that must announce them, such as GitHub's add-mask).</summary>
    public IReadOnlyList<string> Values { get { lock (_gate) { return [.. _values]; } } }

    /// <summary>Masks a string.</summary>
    public string Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            foreach (var value in _values)
            {
                text = text.Replace(value, Placeholder, StringComparison.Ordinal);
            }
        }
        return text;
    }

    /// <summary>Masks every string member of an event.</summary>
    public PipelineEvent Mask(PipelineEvent pipelineEvent) => pipelineEvent switch
    {
        StageMessage m => m with { Message = Apply(m.Message) },
        CommandOutput o => o with { Line = Apply(o.Line), Command = Apply(o.Command) },
        StageFinished f when f.Message is not null => f with { Message = Apply(f.Message) },
        ServiceEventObserved s => s with { Message = Apply(s.Message) },
        StagePlanned p => p with
        {
            Plan = p.Plan with
            {
                Summary = Apply(p.Plan.Summary),
                Details = [.. p.Plan.Details.Select(d => new KeyValuePair<string, string>(d.Key, Apply(d.Value)))],
                Diff = [.. p.Plan.Diff.Select(Apply)],
            },
        },
        _ => pipelineEvent,
    };
}
