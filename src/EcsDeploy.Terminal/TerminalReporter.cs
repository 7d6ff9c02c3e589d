using System.Diagnostics;
using System.Globalization;
using EcsDeploy.Hosting;
using EcsDeploy.Reporting;
using Spectre.Console;
using Spectre.Console.Rendering;
using static EcsDeploy.Terminal.TerminalStyle;

namespace EcsDeploy.Terminal;

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

    private readonly IAnsiConsole _console;
    private readonly SecretMasker _masker;
    private readonly TerminalReporterOptions _options;
    private readonly bool _virtualClock;
    private readonly TerminalStyle _style;
    private readonly RunView _view;
    private readonly bool _ansi;
    private readonly Lock _gate = new();
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
        _style = new TerminalStyle(console.Profile.Capabilities.Unicode);
        _ansi = console.Profile.Capabilities.Ansi;
        _view = new RunView(console, _style, _options, _virtualClock, _wall);
        _live = Task.Run(() => _console.Live(_view.Render(final: false))
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
                    var started = _view.Row(s.Stage);
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
                    Print($"[yellow]{_style.Glyph("⚠", "!")} {Esc(m.Stage)}: warning: {Esc(m.Message)}[/]");
                    break;
                case StageMessage { Level: MessageLevel.Error } m:
                    Print($"[red]{_style.Glyph("✖", "x")} {Esc(m.Stage)}: error: {Esc(m.Message)}[/]");
                    break;
                case StageMessage m:
                    Print($"[grey]{Esc(m.Stage)} │[/] {Esc(m.Message)}");
                    _view.Row(m.Stage).Note = m.Message;
                    break;
                case CommandOutput o:
                    _tail.Enqueue(o.Line);
                    while (_tail.Count > TailLines)
                    {
                        _tail.Dequeue();
                    }
                    _view.Row(o.Stage).Note = "| " + o.Line;
                    if (_options.Verbose)
                    {
                        Print($"[grey]{Esc(o.Stage)} │ | {Esc(o.Line)}[/]");
                    }
                    break;
                case DeploymentProgress d:
                    var deployment = _view.Deployments.Find(x => x.Service == d.Service && x.Id == d.DeploymentId);
                    if (deployment is null)
                    {
                        deployment = new DeploymentRow(d.Service, d.DeploymentId);
                        _view.Deployments.Add(deployment);
                    }
                    deployment.Progress = d;
                    break;
                case ServiceEventObserved s:
                    Print($"[grey]{s.CreatedAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}[/] [blue]{Esc(s.Service)}[/] {Esc(s.Message)}");
                    foreach (var row in _view.Deployments.Where(x => x.Service == s.Service))
                    {
                        row.LastEvent = s.Message;
                    }
                    break;
            }
            // A change of state is drawn at once, not at the next tick: on the virtual clock a whole rollout can
            // pass between two ticks, and every count it went through deserves a frame.
            if (e is StageStarted or StageFinished or DeploymentProgress && _context is { } context)
            {
                context.UpdateTarget(_view.Render(final: false));
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
                var row = _view.Row(stage.Name);
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
        _console.Write(RunSummary.Render(result, _masker, _style, _virtualClock));
        var ok = result.Outcome.IsSuccess();
        _console.MarkupLine($"{(ok ? "[green]" : "[red]")}{_style.Glyph(ok ? "✔" : "✖", ok ? "OK" : "X")} {Esc(result.Pipeline)} on {Esc(result.Target)}: [bold]{Esc(result.Outcome.ToText())}[/] (exit code {result.ExitCode.ToString(CultureInfo.InvariantCulture)})[/]");
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
                frame = _view.Render(finished);
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
        var row = _view.Row(plan.Stage);
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

    private void OnFinished(StageFinished f)
    {
        var row = _view.Row(f.Stage);
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
            Print($"[red bold]{_style.Glyph("✖", "x")} {Esc(f.Stage)} failed after {Format(f.Duration)}:[/] [red]{Esc(f.Message ?? "failed")}[/]");
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

    private void Print(string markup) => Print(new Markup(markup));

    /// <summary>
    /// Prints above the live view. Spectre.Console moves the cursor back to the top of the last frame and writes over
    /// it without erasing, so a line shorter than the frame's would keep the frame's tail: erase to the end of the
    /// screen first, in the same write (a separate write would redraw the frame in between).
    /// </summary>
    private void Print(IRenderable renderable) => _console.Write(new EraseBelowLine(renderable, _ansi));
}
