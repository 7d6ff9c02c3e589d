using System.Diagnostics;
using System.Globalization;
using EcsDeploy.Hosting;
using EcsDeploy.Reporting;
using Spectre.Console;
using Spectre.Console.Rendering;

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

/// <summary>
/// A live terminal view of a run (Spectre.Console). At the bottom of the screen, redrawn in place: one line per stage
/// with a status glyph or spinner and its elapsed time, and during a rollout each deployment's rollout state with its
/// desired, running, pending and failed counts and the service's latest event. Above it, printed once and kept in the
/// scrollback: the plan with a coloured task-definition diff (<c>+</c> green, <c>-</c> red, <c>~</c> yellow), every
/// ECS service event, warnings and errors. At the end: a summary table and the outcome.
/// Every string goes through the run's <see cref="SecretMasker"/> before it reaches the console.
/// </summary>
public sealed class TerminalReporter : IConsoleReporter
{
    private const int TailLines = 20;
    private static readonly string[] UnicodeSpinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private static readonly string[] AsciiSpinner = ["|", "/", "-", "\\"];

    private readonly IAnsiConsole _console;
    private readonly SecretMasker _masker;
    private readonly TerminalReporterOptions _options;
    private readonly bool _virtualClock;
    private readonly bool _unicode;
    private readonly bool _ansi;
    private readonly Lock _gate = new();
    private readonly List<StageRow> _stages = [];
    private readonly List<DeploymentRow> _deployments = [];
    private readonly Queue<string> _tail = new();
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _live;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LiveDisplayContext? _context;
    private bool _planHeaderWritten;

    /// <summary>Starts the live view on <paramref name="console"/>.</summary>
    public TerminalReporter(IAnsiConsole console, SecretMasker masker, TerminalReporterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(masker);
        _console = console;
        _masker = masker;
        _options = options ?? new TerminalReporterOptions();
        _virtualClock = _options.TimeProvider is IVirtualClock;
        _unicode = console.Profile.Capabilities.Unicode;
        _ansi = console.Profile.Capabilities.Ansi;
        _live = Task.Run(() => _console.Live(Render(final: false))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Top)
            .StartAsync(LoopAsync));
        // Wait (briefly) until the view is up, so that the first stage's events are drawn as they come.
        Task.WhenAny(_started.Task, _live, Task.Delay(TimeSpan.FromSeconds(5))).GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public void Report(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        // Events reach reporters masked; mask again so that nothing reaches the screen around the masker.
        var e = _masker.Mask(pipelineEvent);
        lock (_gate)
        {
            switch (e)
            {
                case StagePlanned p:
                    OnPlanned(p.Plan);
                    break;
                case StageStarted s:
                    _tail.Clear();
                    var started = Row(s.Stage);
                    started.State = StageStatus.Succeeded;
                    started.Running = true;
                    started.WallStart = _wall.Elapsed;
                    started.SimStart = s.At;
                    started.Note = null;
                    break;
                case StageFinished f:
                    OnFinished(f);
                    break;
                case StageMessage { Level: MessageLevel.Verbose } m:
                    if (_options.Verbose)
                    {
                        Print($"[grey]{Esc(m.Stage)} │ {Esc(m.Message)}[/]");
                    }
                    break;
                case StageMessage { Level: MessageLevel.Warning } m:
                    Print($"[yellow]{Glyph("⚠", "!")} {Esc(m.Stage)}: warning: {Esc(m.Message)}[/]");
                    break;
                case StageMessage { Level: MessageLevel.Error } m:
                    Print($"[red]{Glyph("✖", "x")} {Esc(m.Stage)}: error: {Esc(m.Message)}[/]");
                    break;
                case StageMessage m:
                    Print($"[grey]{Esc(m.Stage)} │[/] {Esc(m.Message)}");
                    Row(m.Stage).Note = m.Message;
                    break;
                case CommandOutput o:
                    _tail.Enqueue(o.Line);
                    while (_tail.Count > TailLines)
                    {
                        _tail.Dequeue();
                    }
                    Row(o.Stage).Note = "| " + o.Line;
                    if (_options.Verbose)
                    {
                        Print($"[grey]{Esc(o.Stage)} │ | {Esc(o.Line)}[/]");
                    }
                    break;
                case DeploymentProgress d:
                    var deployment = _deployments.Find(x => x.Service == d.Service && x.Id == d.DeploymentId);
                    if (deployment is null)
                    {
                        deployment = new DeploymentRow(d.Service, d.DeploymentId);
                        _deployments.Add(deployment);
                    }
                    deployment.Progress = d;
                    break;
                case ServiceEventObserved s:
                    Print($"[grey]{s.CreatedAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}[/] [blue]{Esc(s.Service)}[/] {Esc(s.Message)}");
                    foreach (var row in _deployments.Where(x => x.Service == s.Service))
                    {
                        row.LastEvent = s.Message;
                    }
                    break;
            }
            // A change of state is drawn at once, not at the next tick: on the virtual clock a whole rollout can
            // pass between two ticks, and every count it went through deserves a frame.
            if (e is StageStarted or StageFinished or DeploymentProgress && _context is { } context)
            {
                context.UpdateTarget(Render(final: false));
            }
        }
    }

    /// <summary>Stops the live view (its last frame stays on screen), then writes the summary table and the outcome.</summary>
    public async Task CompleteAsync(PipelineResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            // Stages the run never reached (after a failure, or cancelled) end the view as the result says.
            foreach (var stage in result.Stages)
            {
                var row = Row(stage.Name);
                if (!row.Running && row.State == StageStatus.Planned && stage.Status != StageStatus.Planned)
                {
                    row.State = stage.Status;
                    row.Note = stage.Message is null ? null : _masker.Apply(stage.Message);
                }
            }
        }
        _done.TrySetResult();
        try
        {
            await _live.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            // Another live display owned the console: the lines above were printed all the same.
            _console.MarkupLine($"[grey]live view unavailable: {Esc(ex.Message)}[/]");
        }
        _console.WriteLine();
        _console.Write(Summary(result));
        var ok = result.ExitCode == ExitCodes.Success;
        _console.MarkupLine($"{(ok ? "[green]" : "[red]")}{Glyph(ok ? "✔" : "✖", ok ? "OK" : "X")} {Esc(result.Pipeline)} on {Esc(result.Target)}: [bold]{Esc(result.Outcome.ToText())}[/] (exit code {result.ExitCode.ToString(CultureInfo.InvariantCulture)})[/]");
        if (result.Error is not null)
        {
            _console.MarkupLine($"[red]error: {Esc(_masker.Apply(result.Error))}[/]");
        }
    }

    private async Task LoopAsync(LiveDisplayContext context)
    {
        lock (_gate)
        {
            _context = context;
        }
        _started.TrySetResult();
        while (true)
        {
            var finished = _done.Task.IsCompleted;
            IRenderable frame;
            lock (_gate)
            {
                frame = Render(finished);
            }
            context.UpdateTarget(frame);
            if (finished)
            {
                lock (_gate)
                {
                    _context = null;
                }
                return;
            }
            await Task.WhenAny(_done.Task, Task.Delay(_options.RefreshInterval)).ConfigureAwait(false);
        }
    }

    private void OnPlanned(StagePlan plan)
    {
        var row = Row(plan.Stage);
        row.State = plan.Skipped ? StageStatus.Skipped : StageStatus.Planned;
        row.Note = plan.Summary;
        if (!_planHeaderWritten)
        {
            _planHeaderWritten = true;
            Print(new Rule($"[bold]Plan[/]{(_options.Target is null ? "" : " · " + Esc(_options.Target))}").LeftJustified());
        }
        Print($"[bold]{Esc(plan.Stage)}[/]: {Esc(plan.Summary)}{(plan.Skipped ? " [grey](skipped)[/]" : "")}");
        if (_options.Verbose || plan.Diff.Count > 0)
        {
            foreach (var detail in plan.Details)
            {
                Print($"    [grey]{Esc(detail.Key)}:[/] {Esc(detail.Value)}");
            }
        }
        if (plan.Diff.Count > 0)
        {
            Print("    [bold]task definition diff:[/]");
            foreach (var line in plan.Diff)
            {
                Print("      " + DiffLine(line));
            }
        }
    }

    /// <summary>A diff line in its colour: <c>+</c> added (green), <c>-</c> removed (red), <c>~</c> changed (yellow).</summary>
    internal static string DiffLine(string line) => line switch
    {
        _ when line.StartsWith('+') => $"[green]{Esc(line)}[/]",
        _ when line.StartsWith('-') => $"[red]{Esc(line)}[/]",
        _ when line.StartsWith('~') => $"[yellow]{Esc(line)}[/]",
        _ => Esc(line),
    };

    private void OnFinished(StageFinished f)
    {
        var row = Row(f.Stage);
        row.Running = false;
        row.State = f.Status;
        row.Duration = f.Duration;
        if (row.WallStart is { } wallStart)
        {
            row.WallDuration = _wall.Elapsed - wallStart;
        }
        if (row.SimStart is { } simStart)
        {
            row.SimDuration = f.At - simStart;
        }
        row.Note = f.Message;
        if (f.Status == StageStatus.Failed)
        {
            Print($"[red bold]{Glyph("✖", "x")} {Esc(f.Stage)} failed after {Format(f.Duration)}:[/] [red]{Esc(f.Message ?? "failed")}[/]");
            if (!_options.Verbose && _tail.Count > 0)
            {
                Print($"[grey]  last {_tail.Count.ToString(CultureInfo.InvariantCulture)} lines of output:[/]");
                foreach (var line in _tail)
                {
                    Print($"[grey]  | {Esc(line)}[/]");
                }
            }
        }
        _tail.Clear();
    }

    private StageRow Row(string stage)
    {
        var row = _stages.Find(s => s.Name == stage);
        if (row is null)
        {
            row = new StageRow(stage);
            _stages.Add(row);
        }
        return row;
    }

    private void Print(string markup) => Print(new Markup(markup));

    /// <summary>
    /// Prints above the live view. Spectre.Console moves the cursor back to the top of the last frame and writes over
    /// it without erasing, so a line shorter than the frame's would keep the frame's tail: erase to the end of the
    /// screen first, in the same write (a separate write would redraw the frame in between).
    /// </summary>
    private void Print(IRenderable renderable) => _console.Write(new Line(renderable, _ansi));

    private IRenderable Render(bool final)
    {
        var items = new List<IRenderable>();
        var clock = _virtualClock ? " · [grey]times: wall clock, sim = simulated time on the virtual clock[/]" : "";
        items.Add(new Markup($"[bold]Run[/]{(_options.Target is null ? "" : " · " + Esc(_options.Target))}{clock}"));
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn(new GridColumn().NoWrap().PadRight(2))
            .AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var stage in _stages)
        {
            grid.AddRow(new Markup(StageGlyph(stage, final)), new Markup($"[bold]{Esc(stage.Name)}[/]"), new Markup(StageTime(stage)), new Markup(Note(stage, Math.Max(20, _console.Profile.Width - 45))));
        }
        items.Add(grid);
        if (_deployments.Count > 0)
        {
            var rollouts = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn(new GridColumn().NoWrap().PadRight(2))
                .AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
            foreach (var deployment in _deployments)
            {
                var p = deployment.Progress!;
                var failed = p.FailedTasks > 0 ? $"[red]failed {p.FailedTasks.ToString(CultureInfo.InvariantCulture)}[/]" : "failed 0";
                rollouts.AddRow(
                    new Markup($"  [blue]{Esc(p.Service)}[/]"),
                    new Markup(Esc(p.DeploymentId)),
                    new Markup(RolloutState(p.RolloutState)),
                    new Markup($"desired {p.Desired.ToString(CultureInfo.InvariantCulture)} · running [green]{p.Running.ToString(CultureInfo.InvariantCulture)}[/] · pending [yellow]{p.Pending.ToString(CultureInfo.InvariantCulture)}[/] · {failed}"));
                if (deployment.LastEvent is { } last)
                {
                    rollouts.AddRow(new Markup(""), new Markup("[grey]latest event[/]"), new Markup(""), new Markup($"[grey]{Esc(Truncate(last, Math.Max(20, _console.Profile.Width - 80)))}[/]"));
                }
            }
            items.Add(new Markup("[bold]Rollout[/]"));
            items.Add(rollouts);
        }
        return new Rows(items);
    }

    private string StageGlyph(StageRow stage, bool final)
    {
        if (stage.Running)
        {
            if (final)
            {
                return $"[yellow]{Glyph("■", "*")}[/]";
            }
            var frames = _unicode ? UnicodeSpinner : AsciiSpinner;
            return $"[yellow]{frames[(int)(_wall.ElapsedMilliseconds / 80 % frames.Length)]}[/]";
        }
        return stage.State switch
        {
            StageStatus.Succeeded => $"[green]{Glyph("✔", "+")}[/]",
            StageStatus.Failed => $"[red]{Glyph("✖", "x")}[/]",
            StageStatus.Skipped => $"[grey]{Glyph("↷", "-")}[/]",
            _ => $"[grey]{Glyph("·", ".")}[/]",
        };
    }

    private string StageTime(StageRow stage)
    {
        if (stage.Running && stage.WallStart is { } wallStart)
        {
            var wall = _wall.Elapsed - wallStart;
            var sim = _virtualClock && stage.SimStart is { } simStart ? _options.TimeProvider.GetUtcNow() - simStart : (TimeSpan?)null;
            return sim is null ? Format(wall) : $"{Format(wall)} [grey]· sim {Format(sim.Value)}[/]";
        }
        if (stage.Duration is not { } duration || stage.State is StageStatus.Skipped or StageStatus.Planned)
        {
            return "";
        }
        if (_virtualClock && stage.WallDuration is { } wallDuration && stage.SimDuration is { } simDuration)
        {
            return $"{Format(wallDuration)} [grey]· sim {Format(simDuration)}[/]";
        }
        return Format(duration);
    }

    private static string Note(StageRow stage, int width)
    {
        if (stage.Note is null)
        {
            return stage.State == StageStatus.Planned && !stage.Running ? "[grey]waiting[/]" : "";
        }
        var text = Esc(Truncate(stage.Note, width));
        return stage.State == StageStatus.Failed && !stage.Running ? $"[red]{text}[/]" : $"[grey]{text}[/]";
    }

    private static string RolloutState(string? state) => state switch
    {
        "COMPLETED" => "[green]COMPLETED[/]",
        "FAILED" => "[red]FAILED[/]",
        null => "[grey]-[/]",
        _ => $"[yellow]{Esc(state)}[/]",
    };

    private IRenderable Summary(PipelineResult result)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Esc(result.Pipeline)}[/]").HideHeaders()
            .AddColumn(new TableColumn("").NoWrap()).AddColumn(new TableColumn(""));
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                table.AddRow(new Markup($"[grey]{Esc(name)}[/]"), new Markup(Esc(_masker.Apply(value))));
            }
        }
        Add("Outcome", $"{result.Outcome.ToText()} (exit code {result.ExitCode.ToString(CultureInfo.InvariantCulture)})");
        Add("Target", result.Target);
        Add("Service", result.Service is null ? null : result.Cluster is null ? result.Service : $"{result.Service} in {result.Cluster}");
        Add("Task definition", result.TaskDefinitionArn is null ? null : result.TaskDefinitionArn + (result.TaskDefinitionReused == true ? " (reused)" : ""));
        Add("Image", result.Image?.Reference);
        Add("Tags", result.Image is null ? null : string.Join(", ", result.Image.Tags));
        Add("OLLAMA_URL", result.Ollama is null ? null : $"{result.Ollama.Url} (from {result.Ollama.Source})");
        Add("Deployment", result.Deployment?.DeploymentId);
        Add("Rollout state", result.Deployment is null ? null
            : (result.Deployment.RolloutState ?? "-") + (result.Deployment.RolloutStateReason is { } reason ? $": {reason}" : "")
              + (result.Deployment.Confirmed ? "" : " (not confirmed: --no-wait)"));
        Add("Rolled back to", result.RolledBack ? result.RolledBackTo : null);
        foreach (var found in result.LeftByEarlierRuns)
        {
            Add("Picked up", found);
        }

        var notes = result.Stages.Any(s => !string.IsNullOrEmpty(s.Message));
        var stages = new Table().Border(TableBorder.Rounded)
            .AddColumn("Stage").AddColumn("Status").AddColumn(new TableColumn("Duration").RightAligned());
        if (notes)
        {
            stages.AddColumn("Note");
        }
        foreach (var stage in result.Stages)
        {
            var status = stage.Status switch
            {
                StageStatus.Succeeded => $"[green]{Glyph("✔", "+")} succeeded[/]",
                StageStatus.Failed => $"[red]{Glyph("✖", "x")} failed[/]",
                StageStatus.Skipped => $"[grey]{Glyph("↷", "-")} skipped[/]",
                _ => $"{Glyph("·", ".")} planned",
            };
            var cells = new List<IRenderable> { new Markup(Esc(stage.Name)), new Markup(status), new Markup(Format(stage.Duration)) };
            if (notes)
            {
                cells.Add(new Markup($"[grey]{Esc(_masker.Apply(stage.Message ?? ""))}[/]"));
            }
            stages.AddRow(cells);
        }
        return _virtualClock
            ? new Rows(table, stages, new Markup("[grey]Durations as in the JSON result: the larger of simulated and wall time.[/]"))
            : new Rows(table, stages);
    }

    private string Glyph(string unicode, string ascii) => _unicode ? unicode : ascii;

    private static string Esc(string text) => Markup.Escape(text);

    private static string Truncate(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : string.Concat(line.AsSpan(0, length - 1), "…");
    }

    /// <summary>A duration as the plain reporter writes it: <c>350 ms</c>, <c>4.2 s</c>, <c>3 min 12 s</c>.</summary>
    internal static string Format(TimeSpan duration) => duration.TotalSeconds < 1
        ? $"{duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms"
        : duration.TotalMinutes < 1
            ? $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
            : $"{((int)duration.TotalMinutes).ToString(CultureInfo.InvariantCulture)} min {duration.Seconds.ToString(CultureInfo.InvariantCulture)} s";

    /// <summary>A renderable that ends with a line break, optionally after erasing from the cursor to the end of the screen.</summary>
    private sealed class Line(IRenderable inner, bool eraseBelow) : IRenderable
    {
        public Measurement Measure(RenderOptions options, int maxWidth) => inner.Measure(options, maxWidth);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
        {
            var segments = inner.Render(options, maxWidth).ToList();
            if (segments.Count == 0 || !segments[^1].IsLineBreak)
            {
                segments.Add(Segment.LineBreak);
            }
            if (eraseBelow)
            {
                segments.Insert(0, Segment.Control("\u001b[J"));
            }
            return segments;
        }
    }

    private sealed class StageRow(string name)
    {
        public string Name { get; } = name;
        public StageStatus State { get; set; } = StageStatus.Planned;
        public bool Running { get; set; }
        public TimeSpan? WallStart { get; set; }
        public DateTimeOffset? SimStart { get; set; }
        public TimeSpan? Duration { get; set; }
        public TimeSpan? WallDuration { get; set; }
        public TimeSpan? SimDuration { get; set; }
        public string? Note { get; set; }
    }

    private sealed class DeploymentRow(string service, string id)
    {
        public string Service { get; } = service;
        public string Id { get; } = id;
        public DeploymentProgress? Progress { get; set; }
        public string? LastEvent { get; set; }
    }
}
