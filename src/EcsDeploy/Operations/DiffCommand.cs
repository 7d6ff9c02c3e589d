using System.CommandLine;
using EcsDeploy.Aws;
using EcsDeploy.Hosting;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy.Operations;

/// <summary>The answer of <c>diff</c>.</summary>
internal sealed record DiffReport
{
    public required string Service { get; init; }
    public required string RunningTaskDefinition { get; init; }
    /// <summary>The image compared: the one <c>--image-tag</c> names, or the running one (the run would build a new one).</summary>
    public required string ImageCompared { get; init; }
    public IReadOnlyList<string> TaskDefinition { get; init; } = [];
    public IReadOnlyList<string> ServiceSettings { get; init; } = [];
    public bool Differs => TaskDefinition.Count > 0 || ServiceSettings.Count > 0;
}

/// <summary>
/// <c>diff [--exit-code]</c>: the normalised difference between what the pipeline would deploy and what runs now: the
/// task definition (rendered as Deploy renders it, ECS defaults normalised away) and the deployment configuration the
/// pipeline owns (<see cref="Deployments.DeploymentConfigurationChanges"/>). Read-only. <c>--exit-code</c> exits 1 when there is a difference.
/// </summary>
internal static class DiffCommand
{
    public static PipelineCommand Create()
    {
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit 1 when there is a difference, 0 when there is none (as git diff --exit-code)" };
        var command = new PipelineCommand("diff", "Shows what the pipeline would change: the task definition and the service settings it owns, against what runs now",
            (context, ct) => RunAsync(context, exitCode, ct))
        {
            IamGrants = CommandIam.Diff,
        };
        command.Options.Add(exitCode);
        return command;
    }

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, Option<bool> exitCode, CancellationToken cancellationToken)
    {
        var operation = Operation.Open(command);
        var spec = command.Definition.DeployedService!.Target;
        ServiceRevisionBasis basis;
        try
        {
            basis = await operation.Context.TaskDefinitions.PrepareAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ClusterNotFoundException")
        {
            await operation.DescribeServiceAsync(cancellationToken).ConfigureAwait(false); // Names the cluster and the fix.
            throw;
        }
        var running = basis.Running.TaskDefinition;
        var runningImage = running.ContainerDefinitions?.FirstOrDefault(c => c.Name == basis.ContainerName)?.Image ?? "";
        var image = command.Options.Host.ImageTag is { } tag ? WithTag(runningImage, tag) : null;
        var rendered = operation.Context.TaskDefinitions.Render(basis, image);
        var report = new DiffReport
        {
            Service = operation.ServiceName,
            RunningTaskDefinition = running.TaskDefinitionArn ?? "",
            ImageCompared = image ?? runningImage,
            TaskDefinition = TaskDefinitionRenderer.Diff(running, rendered),
            ServiceSettings = ServiceSettings(basis.Running.Service, RollbackCommand.Settings(command.Definition)),
        };
        await operation.WriteAsync(report, r => Text(r, image is null)).ConfigureAwait(false);
        return operation.Value(exitCode) && report.Differs ? FailureKind.Failed : null;
    }

    /// <summary>
    /// The differences in the deployment configuration Deploy applies to the service: the strategy and what goes with it
    /// (bakes, steps, lifecycle hooks, the load balancer's advanced configuration), alarms, the circuit breaker.
    /// </summary>
    internal static IReadOnlyList<string> ServiceSettings(EcsService service, Deployments.RolloutSettings settings)
        => Deployments.DeploymentConfigurationChanges.Lines(service, settings);

    /// <summary>The image reference with its tag (or digest) replaced by <paramref name="tag"/>.</summary>
    internal static string WithTag(string image, string tag)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at > 0 ? image[..at] : image;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            name = name[..colon];
        }
        return $"{name}:{tag}";
    }

    private static IEnumerable<string> Text(DiffReport report, bool imageKept)
    {
        yield return $"{report.Service}: running {Operation.Short(report.RunningTaskDefinition)}" + (imageKept ? " (image not compared: the run builds a new one; give --image-tag TAG to compare one)" : $" (image {report.ImageCompared})");
        yield return "task definition";
        foreach (var line in report.TaskDefinition.DefaultIfEmpty("  (no difference)"))
        {
            yield return line.StartsWith("  ", StringComparison.Ordinal) ? line : "  " + line;
        }
        yield return "service";
        foreach (var line in report.ServiceSettings.DefaultIfEmpty("  (no difference)"))
        {
            yield return line.StartsWith("  ", StringComparison.Ordinal) ? line : "  " + line;
        }
    }
}
