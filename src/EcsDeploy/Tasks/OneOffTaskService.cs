using EcsDeploy.Aws;
using EcsDeploy.Deployments;

namespace EcsDeploy.Tasks;

/// <summary>
/// Runs a one-off ECS task to completion and judges it on its essential containers. Reached through
/// <see cref="PipelineContext.Tasks"/>; the Migrate stage and any user's stage run tasks this way.
/// </summary>
public sealed class OneOffTaskService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(3);
    private readonly PipelineContext _context;

    internal OneOffTaskService(PipelineContext context) => _context = context;

    /// <summary>
    /// Starts the task (or follows one an earlier run started with the same <see cref="OneOffTaskRequest.StartedBy"/>),
    /// waits until it is STOPPED, and reads its containers' exit codes and log tails. A task ECS refuses to place fails
    /// with <see cref="FailureKind.Failed"/>; one that does not stop in time with <see cref="FailureKind.NeedsAttention"/>.
    /// The result, not an exception, says whether the command failed.
    /// </summary>
    public async Task<OneOffTaskResult> RunAsync(OneOffTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.TaskDefinitionArn);
        var cluster = _context.Definition.Cluster;
        var definition = (await _context.Aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(request.TaskDefinitionArn, IncludeTags: false), cancellationToken).ConfigureAwait(false)).TaskDefinition;

        var (taskArn, earlier) = await StartAsync(request, cluster, cancellationToken).ConfigureAwait(false);
        var task = await WaitStoppedAsync(request, cluster, taskArn, definition, cancellationToken).ConfigureAwait(false);

        var essentials = (definition.ContainerDefinitions ?? []).Where(c => c.Essential != false).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var containers = task.Containers.Select(c => new ContainerExit(c.Name ?? "", essentials.Contains(c.Name ?? ""), c.ExitCode, c.Reason)).ToList();
        var deciding = containers.Where(c => c.Essential).ToList();
        if (deciding.Count == 0)
        {
            deciding = containers; // A definition that marks nothing essential: ECS treats the task's containers alike.
        }
        var failed = deciding.FirstOrDefault(c => c.ExitCode != 0);
        var logs = await TaskLogs.TailAsync(_context, task, request.LogLines, cancellationToken).ConfigureAwait(false);
        return new OneOffTaskResult
        {
            TaskArn = task.TaskArn,
            Succeeded = failed is null && task.StopCode != StopCodes.TaskFailedToStart,
            ExitCode = failed is null ? 0 : failed.ExitCode,
            StopCode = task.StopCode,
            StoppedReason = task.StoppedReason,
            Containers = containers,
            LogTail = logs,
            StartedByEarlierRun = earlier,
        };
    }

    private async Task<(string TaskArn, bool Earlier)> StartAsync(OneOffTaskRequest request, string cluster, CancellationToken cancellationToken)
    {
        if (request.StartedBy is not null)
        {
            var running = await _context.Aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = cluster, StartedBy = request.StartedBy, DesiredStatus = TaskStatuses.Running }, cancellationToken).ConfigureAwait(false);
            if (running.TaskArns.Count > 0)
            {
                _context.NoteLeftByEarlierRun($"{request.Purpose} {ShortId(running.TaskArns[0])} from an earlier run was still running: waited for it instead of starting another");
                return (running.TaskArns[0], true);
            }
        }
        var response = await _context.Aws.Ecs.RunTaskAsync(new RunTaskRequest
        {
            Cluster = cluster,
            TaskDefinition = request.TaskDefinitionArn,
            NetworkConfiguration = request.NetworkConfiguration,
            StartedBy = request.StartedBy,
            // One token per call of this method: a retry of the same call starts no second task, while a later run
            // (after the cause was fixed, say) really runs the task again.
            ClientToken = Guid.NewGuid().ToString("n"),
            Overrides = request.Command is null || request.Container is null
                ? null
                : new TaskOverride([new ContainerOverride { Name = request.Container, Command = request.Command }]),
        }, cancellationToken).ConfigureAwait(false);
        if (response.Tasks.Count == 0)
        {
            var failure = response.Failures.FirstOrDefault();
            throw new OneOffTaskException($"The {request.Purpose} did not start: {failure?.Reason} {failure?.Detail}".TrimEnd(), OneOffTaskFailure.FailedToStart, FailureKind.Failed);
        }
        var taskArn = response.Tasks[0].TaskArn;
        _context.Info($"started {request.Purpose} {ShortId(taskArn)} on {RolloutTracker.ShortTaskDefinition(request.TaskDefinitionArn)}" + (request.Command is null ? "" : $": {string.Join(' ', request.Command)}"));
        return (taskArn, false);
    }

    private async Task<EcsTask> WaitStoppedAsync(OneOffTaskRequest request, string cluster, string taskArn, TaskDefinition definition, CancellationToken cancellationToken)
    {
        try
        {
            return await FollowAsync(request, cluster, taskArn, definition, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && request.StopOnCancel)
        {
            await StopAsync(request, cluster, taskArn, "cancelled").ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>StopTask, so that a task this run gives up on does not keep running; the reason is the task's stoppedReason.</summary>
    private async Task StopAsync(OneOffTaskRequest request, string cluster, string taskArn, string why)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _context.Aws.Ecs.StopTaskAsync(new StopTaskRequest(cluster, taskArn, $"EcsDeploy: {request.Purpose} {why}"), timeout.Token).ConfigureAwait(false);
        _context.Warn($"stopped {request.Purpose} {ShortId(taskArn)} (StopTask): {why}");
    }

    private async Task<EcsTask> FollowAsync(OneOffTaskRequest request, string cluster, string taskArn, TaskDefinition definition, CancellationToken cancellationToken)
    {
        var deadline = _context.Time.GetUtcNow() + request.Timeout;
        var logs = request.OnLogLine is null ? null : new TaskLogFollower(_context, taskArn, definition, request.OnLogLine);
        string? lastStatus = null;
        while (true)
        {
            var described = await _context.Aws.Ecs.DescribeTasksAsync(new DescribeTasksRequest(cluster, [taskArn]), cancellationToken).ConfigureAwait(false);
            var task = described.Tasks.FirstOrDefault()
                ?? throw new PipelineStageException($"The {request.Purpose} {taskArn} is MISSING: {described.Failures.FirstOrDefault()?.Reason}", FailureKind.NeedsAttention);
            if (task.LastStatus != lastStatus)
            {
                lastStatus = task.LastStatus;
                _context.Verbose($"{request.Purpose} {lastStatus}");
            }
            if (logs is not null)
            {
                await logs.PollAsync(cancellationToken).ConfigureAwait(false);
            }
            if (task.LastStatus == TaskStatuses.Stopped)
            {
                return task;
            }
            if (_context.Time.GetUtcNow() >= deadline)
            {
                await StopAsync(request, cluster, taskArn, $"timed out after {request.Timeout.TotalMinutes:0.#} min").ConfigureAwait(false);
                throw new OneOffTaskException($"The {request.Purpose} {ShortId(taskArn)} did not stop within {request.Timeout.TotalMinutes:0.#} min (it was {task.LastStatus}): it was stopped (StopTask). Allow it longer if it needs the time.", OneOffTaskFailure.TimedOut, FailureKind.NeedsAttention);
            }
            await Clock.DelayAsync(_context.Time, Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ShortId(string taskArn) => taskArn.Split('/')[^1];
}
