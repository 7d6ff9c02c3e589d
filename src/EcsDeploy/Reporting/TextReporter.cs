using System.Globalization;

namespace EcsDeploy.Reporting;

/// <summary>Plain lines for a terminal or a CI log: stage by stage, with rollout counts and service events.</summary>
public sealed class TextReporter(TextWriter writer, bool verbose) : IPipelineReporter
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void Report(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        var line = pipelineEvent switch
        {
            StagePlanned p => FormatPlan(p.Plan),
            StageStarted s => $"==> {s.Stage}",
            StageFinished { Status: StageStatus.Succeeded } f => $"<== {f.Stage} succeeded in {Format(f.Duration)}",
            StageFinished { Status: StageStatus.Skipped } f => $"--- {f.Stage} skipped: {f.Message}",
            StageFinished f => $"<== {f.Stage} FAILED after {Format(f.Duration)}: {f.Message}",
            StageMessage { Level: MessageLevel.Verbose } m when !verbose => null,
            StageMessage { Level: MessageLevel.Warning } m => $"    warning: {m.Message}",
            StageMessage { Level: MessageLevel.Error } m => $"    error: {m.Message}",
            StageMessage m => $"    {m.Message}",
            CommandOutput o => $"    | {o.Line}",
            DeploymentProgress d => $"    {d.Service} {d.DeploymentId}: {d.RolloutState} desired {d.Desired}, running {d.Running}, pending {d.Pending}{(d.FailedTasks > 0 ? $", failed {d.FailedTasks}" : "")}",
            ImageScanned s => $"    scan {s.Report.Status} {s.Report.Repository}@{s.Report.Digest[..Math.Min(s.Report.Digest.Length, 19)]}: {string.Join(", ", s.Report.SeverityCounts.Select(c => $"{c.Key} {c.Value}"))}{(s.Report.Blocked ? $" (blocked: threshold {s.Report.FailAt})" : "")}",
            ServiceEventObserved e => $"    [{e.CreatedAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {e.Message}",
            _ => null,
        };
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    private string FormatPlan(StagePlan plan)
    {
        var lines = new List<string> { $"plan {plan.Stage}: {plan.Summary}" };
        if (verbose || plan.Diff.Count > 0)
        {
            lines.AddRange(plan.Details.Select(d => $"    {d.Key}: {d.Value}"));
        }
        if (plan.Diff.Count > 0)
        {
            lines.Add("    task definition diff:");
            lines.AddRange(plan.Diff.Select(d => "      " + d));
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Writes the closing summary of a run.</summary>
    public static void WriteSummary(TextWriter writer, PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteLine();
        writer.WriteLine($"{result.Pipeline} on {result.Target}: {result.Outcome.ToText()} (exit code {result.ExitCode})");
        if (result.Image is { } image)
        {
            writer.WriteLine($"  image:           {image.Reference} (tags: {string.Join(", ", image.Tags)})");
        }
        if (result.Ollama is { } ollama)
        {
            writer.WriteLine($"  OLLAMA_URL:      {ollama.Url} (from {ollama.Source})");
        }
        if (result.OllamaService is { } ollamaService)
        {
            writer.WriteLine($"  Ollama service:  {ollamaService.Service} {ollamaService.TaskDefinitionArn} ({ollamaService.ImageReference})"
                + (ollamaService.Deployment is { } rollout ? $" {rollout.RolloutState}{(rollout.RolledBack ? ", rolled back" : "")}" : ""));
        }
        if (result.TaskDefinitionArn is not null)
        {
            writer.WriteLine($"  task definition: {result.TaskDefinitionArn}{(result.TaskDefinitionReused == true ? " (reused)" : "")}");
        }
        if (result.Deployment is { } deployment)
        {
            writer.WriteLine($"  deployment:      {deployment.DeploymentId} {deployment.RolloutState}{(deployment.Confirmed ? "" : " (not confirmed: --no-wait)")}");
        }
        if (result.RolledBack)
        {
            writer.WriteLine($"  rolled back to:  {result.RolledBackTo}");
        }
        foreach (var found in result.LeftByEarlierRuns)
        {
            writer.WriteLine($"  picked up:       {found}");
        }
        foreach (var stage in result.Stages)
        {
            writer.WriteLine($"  {stage.Status.ToString().ToLowerInvariant(),-10} {stage.Name,-11} {Format(stage.Duration),8}{(stage.Message is null ? "" : "  " + stage.Message)}");
        }
        if (result.Error is not null)
        {
            writer.WriteLine();
            writer.WriteLine($"error: {result.Error}");
        }
    }

    private static string Format(TimeSpan duration) => duration.TotalSeconds < 1
        ? $"{duration.TotalMilliseconds:0} ms"
        : duration.TotalMinutes < 1 ? $"{duration.TotalSeconds:0.0} s" : $"{(int)duration.TotalMinutes} min {duration.Seconds} s";
}
