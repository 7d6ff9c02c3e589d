using System.CommandLine;
using System.Globalization;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Hosting;

namespace EcsDeploy.Operations;

/// <summary>A deployment of the service as <c>status</c> shows it.</summary>
internal sealed record DeploymentStatus(string Id, string Status, string TaskDefinition, string? RolloutState, string? RolloutStateReason,
    int DesiredCount, int RunningCount, int PendingCount, int FailedTasks, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A task of the service as <c>status</c> shows it.</summary>
internal sealed record TaskStatus(string TaskId, string TaskDefinition, string? LastStatus, string? HealthStatus, string? Deployment, DateTimeOffset? StartedAt);

/// <summary>The answer of <c>status</c>.</summary>
internal sealed record StatusReport
{
    public required string Service { get; init; }
    public required string Cluster { get; init; }
    public string? Status { get; init; }
    public int DesiredCount { get; init; }
    public int RunningCount { get; init; }
    public int PendingCount { get; init; }
    public required string TaskDefinition { get; init; }
    public string? Image { get; init; }
    public string? ImageDigest { get; init; }
    public IReadOnlyList<string> RevisionsInUse { get; init; } = [];
    public IReadOnlyList<DeploymentStatus> Deployments { get; init; } = [];
    public IReadOnlyList<TaskStatus> Tasks { get; init; } = [];
    public IReadOnlyList<ServiceEvent> Events { get; init; } = [];
    /// <summary>The service's Application Auto Scaling, when it has a scalable target.</summary>
    public AutoScalingStatus? AutoScaling { get; init; }

    /// <summary>True while a deployment is rolling out.</summary>
    public bool Settling => Deployments.Count != 1 || Deployments[0].RolloutState == RolloutStates.InProgress;
}

/// <summary>The Application Auto Scaling part of <c>status</c>.</summary>
/// <param name="MinCapacity">The range's minimum.</param>
/// <param name="MaxCapacity">The range's maximum.</param>
/// <param name="Suspended">What is suspended (<c>nothing suspended</c>).</param>
/// <param name="SuspendedByDeployAt">When a deploy that has not restored it (yet) suspended it; null when none did.</param>
/// <param name="Note">What that means and how to resume, when a deploy suspended it.</param>
internal sealed record AutoScalingStatus(int MinCapacity, int MaxCapacity, string Suspended, DateTimeOffset? SuspendedByDeployAt, string? Note);

/// <summary>
/// <c>status</c>: the service's deployments with rollout state and counts, the last events, the running revision and
/// its image digest, the revisions in use, the tasks and their health. <c>--watch</c> repeats until no deployment is
/// in progress (exit 1 when the PRIMARY deployment ended FAILED).
/// </summary>
internal static class StatusCommand
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(5);

    public static PipelineCommand Create()
    {
        var watch = new Option<bool>("--watch") { Description = "Repeat every 5 s until no deployment is in progress" };
        var events = new Option<int>("--events") { Description = "How many of the last service events to show (default 10)", DefaultValueFactory = _ => 10, HelpName = "N" };
        var command = new PipelineCommand("status", "Shows the service: deployments with rollout state and counts, last events, the running revision and image digest, tasks and their health",
            (context, ct) => RunAsync(context, watch, events, ct))
        {
            IamGrants = CommandIam.Status,
        };
        command.Options.Add(watch);
        command.Options.Add(events);
        return command;
    }

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, Option<bool> watchOption, Option<int> eventsOption, CancellationToken cancellationToken)
    {
        var operation = Operation.Open(command);
        var events = operation.Value(eventsOption);
        if (events < 0)
        {
            throw new PipelineStageException($"--events must be 0 or more, not {events.ToString(CultureInfo.InvariantCulture)}.", FailureKind.Invalid);
        }
        while (true)
        {
            var report = await ReadAsync(operation, events, cancellationToken).ConfigureAwait(false);
            await operation.WriteAsync(report, Text).ConfigureAwait(false);
            if (!operation.Value(watchOption) || !report.Settling)
            {
                return operation.Value(watchOption) && report.Deployments[0].RolloutState == RolloutStates.Failed ? FailureKind.Failed : null;
            }
            await Clock.DelayAsync(operation.Context.Time, WatchInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the service, its tasks and the running image's digest (read-only calls only).</summary>
    internal static async Task<StatusReport> ReadAsync(Operation operation, int events, CancellationToken cancellationToken)
    {
        var running = await operation.DescribeServiceAsync(cancellationToken).ConfigureAwait(false);
        var service = running.Service;
        var tasks = await ServiceTasks.DescribeAsync(operation, cancellationToken).ConfigureAwait(false);
        var image = running.TaskDefinition.ContainerDefinitions?.FirstOrDefault(c => c.Essential != false)?.Image;
        string? digest = null;
        try
        {
            digest = await EcrImages.DigestAsync(operation.Command.Aws, image, await operation.RegistryHostAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is "ImageNotFoundException" or "RepositoryNotFoundException")
        {
            operation.Context.Warn($"the running image {image} is no longer in ECR ({ex.ErrorCode})");
        }
        var (target, marker) = await AutoScalingSuspension.ReadAsync(operation.Context, operation.ServiceName, cancellationToken).ConfigureAwait(false);
        AutoScalingStatus? autoScaling = null;
        if (target is not null)
        {
            var state = (target.SuspendedState ?? SuspendedState.None).Explicit();
            var rollingOut = service.Deployments.Count != 1 || service.Deployments[0].RolloutState == RolloutStates.InProgress;
            var note = marker is null ? null
                : rollingOut ? $"suspended by a deploy at {marker.When} while it rolls out; if no deploy is running, the one that suspended it did not finish: resume with 'scale --resume'"
                : $"scaling suspended by a previous deploy at {marker.When} that did not finish: resume with 'scale --resume' (back to {AutoScalingSuspension.Describe(marker.Restore.Explicit())}), or the next deploy restores it";
            autoScaling = new AutoScalingStatus(target.MinCapacity, target.MaxCapacity, AutoScalingSuspension.Describe(state), marker?.At, note);
        }
        return new StatusReport
        {
            AutoScaling = autoScaling,
            Service = service.ServiceName,
            Cluster = operation.Cluster,
            Status = service.Status,
            DesiredCount = service.DesiredCount,
            RunningCount = service.RunningCount,
            PendingCount = service.PendingCount,
            TaskDefinition = service.TaskDefinition ?? "",
            Image = image,
            ImageDigest = digest,
            RevisionsInUse = [.. service.Deployments.Select(d => d.TaskDefinition).Concat(tasks.Select(t => t.TaskDefinitionArn ?? "")).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal)],
            Deployments = [.. service.Deployments.Select(d => new DeploymentStatus(d.Id, d.Status, d.TaskDefinition, d.RolloutState, d.RolloutStateReason,
                d.DesiredCount, d.RunningCount, d.PendingCount, d.FailedTasks, d.CreatedAt, d.UpdatedAt))],
            Tasks = [.. tasks.Select(t => new TaskStatus(Operation.TaskId(t.TaskArn), t.TaskDefinitionArn ?? "", t.LastStatus, t.HealthStatus, t.StartedBy, t.StartedAt))],
            Events = [.. service.Events.Take(events)],
        };
    }

    private static IEnumerable<string> Text(StatusReport report)
    {
        yield return $"service      {report.Service} in {report.Cluster} ({report.Status}): desired {report.DesiredCount}, running {report.RunningCount}, pending {report.PendingCount}";
        yield return $"revision     {Operation.Short(report.TaskDefinition)}";
        yield return $"image        {report.Image ?? "(none)"}" + (report.ImageDigest is null || report.Image?.Contains(report.ImageDigest, StringComparison.Ordinal) == true ? "" : $" ({report.ImageDigest})");
        if (report.AutoScaling is { } scaling)
        {
            yield return $"auto scaling range {scaling.MinCapacity}-{scaling.MaxCapacity}, {scaling.Suspended}" + (scaling.Note is null ? "" : $": {scaling.Note}");
        }
        yield return "deployments";
        foreach (var d in report.Deployments)
        {
            yield return $"  {d.Status,-8} {d.Id}  {Operation.Short(d.TaskDefinition)}  {d.RolloutState ?? "-"}  desired {d.DesiredCount}, running {d.RunningCount}, pending {d.PendingCount}, failed {d.FailedTasks}"
                + (d.RolloutStateReason is null ? "" : $"  ({d.RolloutStateReason})");
        }
        yield return $"tasks ({report.Tasks.Count})";
        foreach (var t in report.Tasks)
        {
            yield return $"  {t.TaskId}  {Operation.Short(t.TaskDefinition)}  {t.LastStatus}  health {t.HealthStatus ?? HealthStatuses.Unknown}";
        }
        yield return "events";
        foreach (var e in report.Events)
        {
            yield return $"  {e.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}  {e.Message}";
        }
    }
}
