using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>What a simulated task does once launched.</summary>
public abstract record TaskBehaviour
{
    /// <summary>Starts, passes its health checks and keeps running.</summary>
    public static readonly TaskBehaviour Healthy = new HealthyTask();

    /// <summary>Starts, runs for <paramref name="runFor"/>, logs <paramref name="logLines"/> and exits with <paramref name="exitCode"/> (one-off tasks).</summary>
    public static TaskBehaviour Exits(int exitCode, IReadOnlyList<string> logLines, TimeSpan? runFor = null) => new ExitingTask(exitCode, logLines, runFor ?? TimeSpan.FromSeconds(20));

    /// <summary>
    /// Starts, runs for <paramref name="runFor"/>, logs <paramref name="logLines"/>, and each container exits with its code
    /// in <paramref name="exitCodes"/> (by container name; 0 for one not named): an essential container and a sidecar
    /// that end differently.
    /// </summary>
    public static TaskBehaviour ContainersExit(IReadOnlyDictionary<string, int> exitCodes, IReadOnlyList<string> logLines, TimeSpan? runFor = null)
        => new ExitingTask(0, logLines, runFor ?? TimeSpan.FromSeconds(20)) { ContainerExitCodes = exitCodes };

    /// <summary>Never reaches RUNNING: stopped with TaskFailedToStart and this reason (for example CannotPullContainerError).</summary>
    public static TaskBehaviour FailsToStart(string reason) => new FailingToStartTask(reason);

    /// <summary>Reaches RUNNING, then fails its health checks (HTTP 500 on the target group, or the container check).</summary>
    public static readonly TaskBehaviour FailsHealthChecks = new UnhealthyTask();

    /// <summary>
    /// The essential container starts, logs <paramref name="logLines"/> and exits with <paramref name="exitCode"/>
    /// within seconds, before ECS reports the task RUNNING (the crash loop of a service whose process dies at start).
    /// </summary>
    public static TaskBehaviour CrashesOnStart(int exitCode, IReadOnlyList<string> logLines) => new CrashingTask(exitCode, logLines);

    /// <summary>Starts and runs healthy for <paramref name="after"/>, then the kernel kills its essential container for exceeding its memory (exit 137).</summary>
    public static TaskBehaviour RunsOutOfMemory(TimeSpan after) => new OutOfMemoryTask(after);

    /// <summary>ECS cannot place the task (no capacity): no task is created and the service posts "unable to place a task".</summary>
    public static TaskBehaviour CannotBePlaced(string reason) => new UnplaceableTask(reason);
}

internal sealed record HealthyTask : TaskBehaviour;
internal sealed record ExitingTask(int ExitCode, IReadOnlyList<string> LogLines, TimeSpan RunFor) : TaskBehaviour
{
    public IReadOnlyDictionary<string, int>? ContainerExitCodes { get; init; }
}
internal sealed record FailingToStartTask(string Reason) : TaskBehaviour;
internal sealed record UnhealthyTask : TaskBehaviour;
internal sealed record CrashingTask(int ExitCode, IReadOnlyList<string> LogLines) : TaskBehaviour;
internal sealed record UnplaceableTask(string Reason) : TaskBehaviour;
internal sealed record OutOfMemoryTask(TimeSpan After) : TaskBehaviour;

/// <summary>What the behaviour rule is asked about a launch.</summary>
public sealed record TaskLaunch(TaskDefinition TaskDefinition, string? ServiceName, IReadOnlyList<string>? CommandOverride);
