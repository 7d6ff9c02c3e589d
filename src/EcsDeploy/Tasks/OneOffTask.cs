using EcsDeploy.Aws;

namespace EcsDeploy.Tasks;

/// <summary>A one-off ECS task to run to completion (a migration, a maintenance command).</summary>
/// <param name="TaskDefinitionArn">The revision to run.</param>
public sealed record OneOffTaskRequest(string TaskDefinitionArn)
{
    /// <summary>What the task is, in messages (for example <c>migration task</c>).</summary>
    public string Purpose { get; init; } = "one-off task";
    /// <summary>The container whose command is replaced by <see cref="Command"/>.</summary>
    public string? Container { get; init; }
    /// <summary>The command to run instead of the image's (program and arguments), or null to run the image's own.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>The awsvpc network (usually the service's).</summary>
    public NetworkConfiguration? NetworkConfiguration { get; init; }
    /// <summary>
    /// Names this exact task (at most 128 characters). When a task started with the same value is still running (a run
    /// that crashed), it is followed instead of starting a second one.
    /// </summary>
    public string? StartedBy { get; init; }
    /// <summary>How long the task may take before the run gives up on it (default 15 minutes).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>How many of the last log lines of each container to read back (default 20).</summary>
    public int LogLines { get; init; } = 20;
    /// <summary>Receives each log line (awslogs) as the task logs it, secrets masked; null reads only the tail at the end.</summary>
    public Action<string>? OnLogLine { get; init; }
    /// <summary>
    /// Stop the task (StopTask) when the run is cancelled (Ctrl+C). Off by default: the task keeps running and a re-run
    /// with the same <see cref="StartedBy"/> follows it. A task that outlives <see cref="Timeout"/> is stopped either way.
    /// </summary>
    public bool StopOnCancel { get; init; }
}

/// <summary>How one container of a stopped task ended.</summary>
/// <param name="Name">The container.</param>
/// <param name="Essential">Whether its exit stops the task and decides the outcome.</param>
/// <param name="ExitCode">Its exit code; null when it never started.</param>
/// <param name="Reason">Why it stopped, when ECS says.</param>
public sealed record ContainerExit(string Name, bool Essential, int? ExitCode, string? Reason);

/// <summary>How a one-off task ended. Only essential containers decide: a sidecar's exit code does not.</summary>
public sealed record OneOffTaskResult
{
    /// <summary>The task.</summary>
    public required string TaskArn { get; init; }
    /// <summary>True when every essential container started and exited 0.</summary>
    public required bool Succeeded { get; init; }
    /// <summary>The first non-zero exit code of an essential container; 0 on success; null when one never started.</summary>
    public int? ExitCode { get; init; }
    /// <summary>The task's stopCode (for example <c>TaskFailedToStart</c>, <c>EssentialContainerExited</c>).</summary>
    public string? StopCode { get; init; }
    /// <summary>Why the task stopped.</summary>
    public string? StoppedReason { get; init; }
    /// <summary>Each container's end.</summary>
    public IReadOnlyList<ContainerExit> Containers { get; init; } = [];
    /// <summary>The last log lines of its containers (awslogs), secrets masked in what is reported.</summary>
    public IReadOnlyList<string> LogTail { get; init; } = [];
    /// <summary>True when the task was started by an earlier, interrupted run and this run followed it.</summary>
    public bool StartedByEarlierRun { get; init; }

    /// <summary>One line: the exit code, or why the task never ran.</summary>
    public string Describe() => Succeeded
        ? "exit code 0"
        : StopCode == StopCodes.TaskFailedToStart || ExitCode is null
            ? $"the task failed to start ({StoppedReason ?? "no reason given"})"
            : $"exit code {ExitCode.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
