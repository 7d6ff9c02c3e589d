using System.Diagnostics;
using System.Globalization;
using EcsDeploy.Reporting;
using Spectre.Console;
using Spectre.Console.Rendering;
using static EcsDeploy.Terminal.TerminalStyle;

namespace EcsDeploy.Terminal;

/// <summary>
/// The part of the terminal view redrawn in place: one line per stage (glyph or spinner, elapsed wall and simulated
/// time, latest note) and, during a rollout, each deployment's state and task counts with the service's latest event.
/// Not thread-safe: the reporter holds its lock around every use.
/// </summary>
internal sealed class RunView
{
    private readonly IAnsiConsole _console;
    private readonly TerminalStyle _style;
    private readonly TerminalReporterOptions _options;
    private readonly bool _virtualClock;
    private readonly Stopwatch _wall;

    /// <summary>Creates the view.</summary>
    public RunView(IAnsiConsole console, TerminalStyle style, TerminalReporterOptions options, bool virtualClock, Stopwatch wall)
    {
        _console = console;
        _style = style;
        _options = options;
        _virtualClock = virtualClock;
        _wall = wall;
    }

    /// <summary>The stages, in the order they were first seen.</summary>
    public List<StageRow> Stages { get; } = [];

    /// <summary>The deployments seen during rollouts.</summary>
    public List<DeploymentRow> Deployments { get; } = [];

    /// <summary>The row of <paramref name="stage"/>, added when new.</summary>
    public StageRow Row(string stage)
    {
        var row = Stages.Find(s => s.Name == stage);
        if (row is null)
        {
            row = new StageRow(stage);
            Stages.Add(row);
        }
        return row;
    }

    /// <summary>The frame; <paramref name="final"/> for the last one (no spinner).</summary>
    public IRenderable Render(bool final)
    {
        var items = new List<IRenderable>();
        var clock = _virtualClock ? " · [grey]times: wall clock, sim = simulated time on the virtual clock[/]" : "";
        items.Add(new Markup($"[bold]Run[/]{(_options.Target is null ? "" : " · " + Esc(_options.Target))}{clock}"));
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn(new GridColumn().NoWrap().PadRight(2))
            .AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var stage in Stages)
        {
            grid.AddRow(new Markup(StageGlyph(stage, final)), new Markup($"[bold]{Esc(stage.Name)}[/]"), new Markup(StageTime(stage)), new Markup(Note(stage, Math.Max(20, _console.Profile.Width - 45))));
        }
        items.Add(grid);
        if (Deployments.Count > 0)
        {
            var rollouts = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn(new GridColumn().NoWrap().PadRight(2))
                .AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
            foreach (var deployment in Deployments)
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
                return $"[yellow]{_style.Glyph("■", "*")}[/]";
            }
            return $"[yellow]{_style.Spinner(_wall.Elapsed)}[/]";
        }
        return stage.State switch
        {
            StageStatus.Succeeded => $"[green]{_style.Glyph("✔", "+")}[/]",
            StageStatus.Failed => $"[red]{_style.Glyph("✖", "x")}[/]",
            StageStatus.Skipped => $"[grey]{_style.Glyph("↷", "-")}[/]",
            _ => $"[grey]{_style.Glyph("·", ".")}[/]",
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
}
