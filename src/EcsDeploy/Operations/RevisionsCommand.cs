using System.CommandLine;
using System.Globalization;
using EcsDeploy.Hosting;

namespace EcsDeploy.Operations;

/// <summary>The answer of <c>revisions</c>.</summary>
internal sealed record RevisionsReport(string Service, string Family, IReadOnlyList<RevisionInfo> Revisions);

/// <summary><c>revisions</c>: the family's revisions, newest first, marking those in use and why.</summary>
internal static class RevisionsCommand
{
    public static PipelineCommand Create()
    {
        var all = new Option<bool>("--all") { Description = "Include INACTIVE (deregistered) revisions" };
        var command = new PipelineCommand("revisions", "Lists the family's revisions, newest first, marking those in use (service, running tasks, rollback target, deployment in progress)",
            (context, ct) => RunAsync(context, all, ct))
        {
            IamGrants = CommandIam.Revisions,
        };
        command.Options.Add(all);
        return command;
    }

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, Option<bool> all, CancellationToken cancellationToken)
    {
        var operation = Operation.Open(command);
        var (family, revisions) = await Revisions.ListAsync(operation, operation.Value(all), cancellationToken).ConfigureAwait(false);
        await operation.WriteAsync(new RevisionsReport(operation.ServiceName, family, revisions), Text).ConfigureAwait(false);
        return null;
    }

    private static IEnumerable<string> Text(RevisionsReport report)
    {
        yield return $"{report.Family}: {report.Revisions.Count} revision(s) of service {report.Service}";
        foreach (var r in report.Revisions)
        {
            yield return $"  {r.Revision.ToString(CultureInfo.InvariantCulture),5}  {r.Status,-8}  {r.RegisteredAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "",-16}  {r.Image}"
                + (r.IsInUse ? $"  [in use: {string.Join(", ", r.InUse)}]" : "");
        }
    }
}
