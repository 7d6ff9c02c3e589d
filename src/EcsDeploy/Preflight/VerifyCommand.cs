using EcsDeploy.Hosting;
using EcsDeploy.Preflight;

namespace EcsDeploy.Operations;

/// <summary>
/// <c>verify</c>: the preflight alone, for each service the pipeline deploys: the checks as a tree of ok / failed /
/// skipped (text, or JSON with <c>--output json</c>), each failure naming the resource and the fix. Read-only. Exit 2
/// when a check fails, 0 otherwise. With <c>--image-tag</c> the image checked is that tag; otherwise it is the image the
/// service runs now (the pipeline run would build a new one).
/// </summary>
internal static class VerifyCommand
{
    public static PipelineCommand Create() => new("verify",
        "Checks, read-only, what AWS would refuse at launch: cluster, network, Fargate size and platform, load balancers, roles and their trust, image and its platform, secrets and JSON keys, log groups, the alarms of RollbackOnAlarms; exit 2 when a check fails",
        RunAsync);

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, CancellationToken cancellationToken)
    {
        var operation = Operation.Open(command);
        var services = PreflightRunner.ServicesOf(command.Definition, operation.Context.Options, imageBuiltByRun: false);
        var report = await PreflightRunner.RunAsync(operation.Context, services, cancellationToken).ConfigureAwait(false);
        await operation.WriteAsync(report, r => r.Lines().Append(r.Failed ? $"verify: {r.Failures.Count} check(s) failed; nothing was changed" : "verify: every check passed or was skipped")).ConfigureAwait(false);
        return report.Failed ? FailureKind.Invalid : null;
    }
}
