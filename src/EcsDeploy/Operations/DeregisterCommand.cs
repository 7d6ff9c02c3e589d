using System.CommandLine;
using System.Globalization;
using EcsDeploy.Aws;
using EcsDeploy.Hosting;

namespace EcsDeploy.Operations;

/// <summary>The answer of <c>deregister</c>.</summary>
internal sealed record DeregisterReport
{
    public required string Family { get; init; }
    public required int Keep { get; init; }
    public bool DryRun { get; init; }
    public IReadOnlyList<string> Kept { get; init; } = [];
    public IReadOnlyList<string> KeptInUse { get; init; } = [];
    public IReadOnlyList<string> Deregistered { get; init; } = [];
    public IReadOnlyList<string> Deleted { get; init; } = [];
    public IReadOnlyList<EcsFailure> Failures { get; init; } = [];
}

/// <summary>
/// <c>deregister --keep N [--dry-run] [--delete]</c>: deregisters the family's ACTIVE revisions beyond the newest N,
/// never one in use (the service, running tasks, a deployment in progress, the rollback target); <c>--delete</c> then
/// deletes them (DeleteTaskDefinitions), with the revisions deregistered earlier.
/// </summary>
internal static class DeregisterCommand
{
    public static PipelineCommand Create()
    {
        var keep = new Option<int?>("--keep") { Description = "How many of the newest ACTIVE revisions to keep (1 or more; in-use revisions are always kept)", HelpName = "N", Required = true };
        var delete = new Option<bool>("--delete") { Description = "Also delete the deregistered revisions (DeleteTaskDefinitions): this cannot be undone" };
        var command = new PipelineCommand("deregister", "Deregisters the family's revisions beyond the newest N, never one in use; --dry-run lists what would go",
            (context, ct) => RunAsync(context, keep, delete, ct))
        {
            IamGrants = CommandIam.Deregister,
        };
        command.Options.Add(keep);
        command.Options.Add(delete);
        return command;
    }

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, Option<int?> keepOption, Option<bool> deleteOption, CancellationToken cancellationToken)
    {
        var keep = command.ParseResult.GetValue(keepOption) ?? 0;
        if (keep < 1)
        {
            throw new PipelineStageException($"--keep {keep.ToString(CultureInfo.InvariantCulture)} would deregister every revision: keep at least 1 (--keep 5 keeps the five newest).", FailureKind.Invalid);
        }
        var operation = Operation.Open(command);
        var delete = operation.Value(deleteOption);
        var (family, revisions) = await Revisions.ListAsync(operation, includeInactive: delete, cancellationToken).ConfigureAwait(false);
        var active = revisions.Where(r => r.Status == ResourceStatuses.Active).ToList();
        var beyond = active.Skip(keep).ToList();
        var go = beyond.Where(r => !r.IsInUse).Select(r => r.TaskDefinitionArn).ToList();
        var report = new DeregisterReport
        {
            Family = family,
            Keep = keep,
            DryRun = operation.DryRun,
            Kept = [.. active.Take(keep).Select(r => r.TaskDefinitionArn)],
            KeptInUse = [.. beyond.Where(r => r.IsInUse).Select(r => $"{r.TaskDefinitionArn} ({string.Join(", ", r.InUse)})")],
            Deregistered = go,
        };
        var toDelete = delete ? go.Concat(revisions.Where(r => r.Status == ResourceStatuses.Inactive && !r.IsInUse).Select(r => r.TaskDefinitionArn)).ToList() : [];
        if (operation.DryRun)
        {
            await operation.WriteAsync(report with { Deleted = toDelete }, Text).ConfigureAwait(false);
            return null;
        }
        await Revisions.DeregisterAsync(operation, go, cancellationToken).ConfigureAwait(false);
        var failures = toDelete.Count > 0 ? await Revisions.DeleteAsync(operation, toDelete, cancellationToken).ConfigureAwait(false) : [];
        report = report with { Deleted = [.. toDelete.Where(a => failures.All(f => f.Arn != a))], Failures = failures };
        await operation.WriteAsync(report, Text).ConfigureAwait(false);
        return failures.Count > 0 ? FailureKind.NeedsAttention : null;
    }

    private static IEnumerable<string> Text(DeregisterReport report)
    {
        var verb = report.DryRun ? "would deregister" : "deregistered";
        yield return $"{report.Family}: keeping the newest {report.Keep.ToString(CultureInfo.InvariantCulture)}: {string.Join(", ", report.Kept.Select(Operation.Short))}";
        foreach (var kept in report.KeptInUse)
        {
            yield return $"  kept (in use)  {Operation.Short(kept)}";
        }
        foreach (var arn in report.Deregistered)
        {
            yield return $"  {verb,-16} {Operation.Short(arn)}";
        }
        foreach (var arn in report.Deleted)
        {
            yield return $"  {(report.DryRun ? "would delete" : "deleted"),-16} {Operation.Short(arn)}";
        }
        foreach (var failure in report.Failures)
        {
            yield return $"  not deleted     {Operation.Short(failure.Arn)}: {failure.Reason} {failure.Detail}";
        }
        if (report.Deregistered.Count == 0 && report.Deleted.Count == 0)
        {
            yield return "  nothing to deregister";
        }
    }
}
