using System.Globalization;
using System.Text;

namespace EcsDeploy.Reporting;

/// <summary>
/// The GitHub Actions reporter: a collapsible log group per stage, <c>::add-mask::</c> for every secret value the
/// run holds (announced the moment the masker learns it, so before any line that could contain it), error and
/// warning annotations, and a markdown step summary. The lines inside the groups are those of <see cref="TextReporter"/>.
/// The script host chooses it when <c>GITHUB_ACTIONS=true</c>.
/// </summary>
public sealed class GitHubActionsReporter : IPipelineReporter
{
    private readonly Lock _gate = new();
    private readonly TextWriter _writer;
    private readonly TextReporter _lines;
    private readonly SecretMasker _masker;
    private string? _openGroup;

    /// <summary>Creates the reporter; it announces the values <paramref name="masker"/> holds now and every value added later.</summary>
    public GitHubActionsReporter(TextWriter writer, SecretMasker masker, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(masker);
        _writer = writer;
        _masker = masker;
        _lines = new TextReporter(writer, verbose);
        masker.Added += (_, value) => AddMask(value);
        foreach (var value in masker.Values)
        {
            AddMask(value);
        }
    }

    /// <summary>True when the environment says the process runs in a GitHub Actions job (<c>GITHUB_ACTIONS=true</c>).</summary>
    public static bool IsGitHubActions(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public void Report(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        switch (pipelineEvent)
        {
            case StagePlanned p:
                Group($"Plan: {p.Plan.Stage}");
                _lines.Report(p);
                EndGroup();
                break;
            case StageStarted s:
                Group(s.Stage);
                _lines.Report(s);
                break;
            case StageFinished f:
                _lines.Report(f);
                EndGroup();
                if (f.Status == StageStatus.Failed)
                {
                    Write(Command("error", $"{f.Stage} failed", f.Message ?? "failed"));
                }
                break;
            case StageMessage { Level: MessageLevel.Warning } m:
                Write(Command("warning", m.Stage, m.Message));
                break;
            case StageMessage { Level: MessageLevel.Error } m:
                Write(Command("error", m.Stage, m.Message));
                break;
            default:
                _lines.Report(pipelineEvent);
                break;
        }
    }

    /// <summary>
    /// Ends the run in the log: closes a group left open (a cancelled stage), annotates a failed outcome that no stage
    /// reported, and appends the step summary to <paramref name="stepSummaryPath"/> (<c>GITHUB_STEP_SUMMARY</c>) when given.
    /// </summary>
    public async Task CompleteAsync(PipelineResult result, string? stepSummaryPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        EndGroup();
        if (!result.Outcome.IsSuccess() && result.Stages.All(s => s.Status != StageStatus.Failed) && result.Error is not null)
        {
            Write(Command("error", $"{result.Pipeline} {result.Outcome.ToText()}", _masker.Apply(result.Error)));
        }
        if (!string.IsNullOrEmpty(stepSummaryPath))
        {
            // Other steps append to the same file: no byte-order mark in the middle of it.
            await File.AppendAllTextAsync(stepSummaryPath, _masker.Apply(StepSummary(result)), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The markdown step summary of a run: outcome, service, task definition, image, OLLAMA_URL, deployment, stages.</summary>
    public static string StepSummary(PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var icon = result.Outcome.IsSuccess() ? "✅" : "❌";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## {icon} {Cell(result.Pipeline)}: {result.Outcome.ToText()}\n\n");
        text.Append("| | |\n|---|---|\n");
        void Row(string name, string? value)
        {
            if (value is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {name} | {Cell(value)} |\n");
            }
        }
        Row("Outcome", $"{result.Outcome.ToText()} (exit code {result.ExitCode.ToString(CultureInfo.InvariantCulture)})");
        Row("Target", result.Target);
        Row("Service", result.Service is null ? null : result.Cluster is null ? result.Service : $"{result.Service} in {result.Cluster}");
        Row("Task definition", result.TaskDefinitionArn is null ? null : result.TaskDefinitionArn + (result.TaskDefinitionReused == true ? " (reused)" : ""));
        Row("Image", result.Image?.Reference);
        Row("Tags", result.Image is null ? null : string.Join(", ", result.Image.Tags));
        Row("Image scan", result.ImageScan is null ? null
            : $"{result.ImageScan.Status}: {string.Join(", ", result.ImageScan.SeverityCounts.Select(c => $"{c.Key} {c.Value.ToString(CultureInfo.InvariantCulture)}"))}{(result.ImageScan.Blocked ? $" (blocked: threshold {result.ImageScan.FailAt})" : "")}");
        Row("OLLAMA_URL", result.Ollama is null ? null : $"{result.Ollama.Url} (from {result.Ollama.Source})");
        Row("Deployment", result.Deployment is null ? null : $"{result.Deployment.DeploymentId} {result.Deployment.RolloutState}{(result.Deployment.Confirmed ? "" : " (not confirmed: --no-wait)")}");
        Row("Rolled back to", result.RolledBack ? result.RolledBackTo : null);
        Row("Error", result.Error);
        text.Append("\n| Stage | Status | Duration | |\n|---|---|---:|---|\n");
        foreach (var stage in result.Stages)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {Cell(stage.Name)} | {StatusText(stage.Status)} | {Duration(stage.Duration)} | {Cell(stage.Message ?? "")} |\n");
        }
        text.Append('\n');
        return text.ToString();
    }

    /// <summary>Escapes a workflow command's data (the message): <c>%</c>, CR and LF.</summary>
    public static string EscapeData(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace("%", "%25", StringComparison.Ordinal)
            .Replace("\r", "%0D", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal);
    }

    /// <summary>Escapes a workflow command's property value: as data, and <c>:</c> and <c>,</c>.</summary>
    public static string EscapeProperty(string value)
        => EscapeData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    private void AddMask(string value)
    {
        var lines = new List<string> { Command("add-mask", null, value) };
        // The log is matched line by line: a multi-line secret is masked line by line too.
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            lines.AddRange(value.Split('\n').Select(l => l.Trim().TrimEnd('\r')).Where(l => l.Length >= 8).Distinct(StringComparer.Ordinal).Select(l => Command("add-mask", null, l)));
        }
        foreach (var line in lines)
        {
            Write(line);
        }
    }

    private void Group(string name)
    {
        lock (_gate)
        {
            if (_openGroup is not null)
            {
                WriteLocked("::endgroup::");
            }
            _openGroup = name;
            WriteLocked("::group::" + EscapeData(name));
        }
    }

    private void EndGroup()
    {
        lock (_gate)
        {
            if (_openGroup is not null)
            {
                _openGroup = null;
                WriteLocked("::endgroup::");
            }
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            WriteLocked(line);
        }
    }

    private void WriteLocked(string line)
    {
        _writer.WriteLine(line);
        _writer.Flush();
    }

    private static string Command(string name, string? title, string message)
        => title is null ? $"::{name}::{EscapeData(message)}" : $"::{name} title={EscapeProperty(title)}::{EscapeData(message)}";

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal);

    private static string StatusText(StageStatus status) => status switch
    {
        StageStatus.Succeeded => "✅ succeeded",
        StageStatus.Failed => "❌ failed",
        StageStatus.Skipped => "⏭️ skipped",
        _ => "📝 planned",
    };

    private static string Duration(TimeSpan duration) => duration.TotalSeconds < 1
        ? $"{duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms"
        : duration.TotalMinutes < 1
            ? $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
            : $"{((int)duration.TotalMinutes).ToString(CultureInfo.InvariantCulture)} min {duration.Seconds.ToString(CultureInfo.InvariantCulture)} s";
}
