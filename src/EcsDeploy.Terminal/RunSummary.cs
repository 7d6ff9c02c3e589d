using System.Globalization;
using EcsDeploy.Reporting;
using Spectre.Console;
using Spectre.Console.Rendering;
using static EcsDeploy.Terminal.TerminalStyle;

namespace EcsDeploy.Terminal;

/// <summary>The summary the terminal view writes at the end of a run: what was deployed, and each stage's status and duration.</summary>
internal static class RunSummary
{
    /// <summary>The result table and the stage table.</summary>
    public static IRenderable Render(PipelineResult result, SecretMasker masker, TerminalStyle style, bool virtualClock)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Esc(result.Pipeline)}[/]").HideHeaders()
            .AddColumn(new TableColumn("").NoWrap()).AddColumn(new TableColumn(""));
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                table.AddRow(new Markup($"[grey]{Esc(name)}[/]"), new Markup(Esc(masker.Apply(value))));
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
                StageStatus.Succeeded => $"[green]{style.Glyph("✔", "+")} succeeded[/]",
                StageStatus.Failed => $"[red]{style.Glyph("✖", "x")} failed[/]",
                StageStatus.Skipped => $"[grey]{style.Glyph("↷", "-")} skipped[/]",
                _ => $"{style.Glyph("·", ".")} planned",
            };
            var cells = new List<IRenderable> { new Markup(Esc(stage.Name)), new Markup(status), new Markup(Format(stage.Duration)) };
            if (notes)
            {
                cells.Add(new Markup($"[grey]{Esc(masker.Apply(stage.Message ?? ""))}[/]"));
            }
            stages.AddRow(cells);
        }
        return virtualClock
            ? new Rows(table, stages, new Markup("[grey]Durations as in the JSON result: the larger of simulated and wall time.[/]"))
            : new Rows(table, stages);
    }
}
