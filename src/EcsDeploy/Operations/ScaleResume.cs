using EcsDeploy.Deployments;

namespace EcsDeploy.Operations;

/// <summary>The answer of <c>scale --resume</c>.</summary>
internal sealed record ResumeReport
{
    public required string Service { get; init; }
    /// <summary><c>resumed</c>, <c>unchanged</c> (nothing to put back) or <c>planned</c> (<c>--dry-run</c>).</summary>
    public required string Outcome { get; init; }
    /// <summary>What was suspended before (<c>scale in, scale out, scheduled scaling suspended</c>).</summary>
    public required string From { get; init; }
    /// <summary>What is suspended after (<c>nothing suspended</c>).</summary>
    public required string To { get; init; }
    /// <summary>When a deploy that did not finish suspended it, if one did.</summary>
    public DateTimeOffset? SuspendedByDeployAt { get; init; }
    public string? Summary { get; init; }
}

/// <summary>
/// <c>scale --resume</c>: puts back the Application Auto Scaling state a deploy with <c>d.SuspendAutoScaling()</c> found
/// before it suspended scaling and never restored (it was killed, or its restore failed): the state it recorded on the
/// service, or with no record, nothing suspended. Removes the record.
/// </summary>
internal static class ScaleResume
{
    public static async Task<ResumeReport> RunAsync(Operation operation, CancellationToken cancellationToken)
    {
        var resumed = await AutoScalingSuspension.ResumeAsync(operation.Context, operation.ServiceName, operation.DryRun, cancellationToken).ConfigureAwait(false)
            ?? throw new PipelineStageException($"{operation.ServiceName} has no Application Auto Scaling target, so there is no scaling to resume: leave out --resume.", FailureKind.Invalid);
        var (_, from, to, marker) = resumed;
        var outcome = operation.DryRun ? "planned" : from == to && marker is null ? "unchanged" : "resumed";
        var left = marker is null ? "" : $" (left so by a deploy at {marker.When} that did not finish)";
        return new ResumeReport
        {
            Service = operation.ServiceName,
            Outcome = outcome,
            From = AutoScalingSuspension.Describe(from),
            To = AutoScalingSuspension.Describe(to),
            SuspendedByDeployAt = marker?.At,
            Summary = outcome switch
            {
                "planned" => $"would put {operation.ServiceName}'s Application Auto Scaling back from {AutoScalingSuspension.Describe(from)}{left} to {AutoScalingSuspension.Describe(to)}",
                "unchanged" => $"{operation.ServiceName}'s Application Auto Scaling has {AutoScalingSuspension.Describe(from)}: nothing to resume",
                _ => $"{operation.ServiceName}'s Application Auto Scaling: {AutoScalingSuspension.Describe(from)}{left} -> {AutoScalingSuspension.Describe(to)}",
            },
        };
    }

    public static IEnumerable<string> Text(ResumeReport report)
    {
        yield return report.Summary ?? $"{report.Service}: {report.Outcome}";
    }
}
