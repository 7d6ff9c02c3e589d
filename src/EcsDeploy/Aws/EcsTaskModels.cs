namespace EcsDeploy.Aws;

// Shapes of ECS tasks as RunTask, DescribeTasks and the task's containers return them (JSON 1.1, camelCase on
// the wire), limited to the members EcsDeploy reads or writes; names follow the API reference.

/// <summary>A container of a running or stopped task.</summary>
public sealed record TaskContainer
{
    /// <summary>The container name.</summary>
    public string? Name { get; init; }
    /// <summary>The image.</summary>
    public string? Image { get; init; }
    /// <summary>The container's last status.</summary>
    public string? LastStatus { get; init; }
    /// <summary>The exit code; absent if the container never started.</summary>
    public int? ExitCode { get; init; }
    /// <summary>Why it stopped, for example <c>OutOfMemoryError: ...</c>.</summary>
    public string? Reason { get; init; }
    /// <summary>HEALTHY, UNHEALTHY or UNKNOWN.</summary>
    public string? HealthStatus { get; init; }
}

/// <summary>The per-container overrides of a RunTask call.</summary>
public sealed record ContainerOverride
{
    /// <summary>The container to override.</summary>
    public required string Name { get; init; }
    /// <summary>The command to run instead of the image's.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Extra environment variables.</summary>
    public IReadOnlyList<EcsKeyValuePair>? Environment { get; init; }
}

/// <summary>Overrides of a RunTask call.</summary>
public sealed record TaskOverride(IReadOnlyList<ContainerOverride> ContainerOverrides);

/// <summary>An ECS task (<c>Task</c> in the API).</summary>
public sealed record EcsTask
{
    /// <summary>The task ARN.</summary>
    public required string TaskArn { get; init; }
    /// <summary>The cluster ARN.</summary>
    public string? ClusterArn { get; init; }
    /// <summary>The task definition ARN.</summary>
    public string? TaskDefinitionArn { get; init; }
    /// <summary>PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING or STOPPED.</summary>
    public string? LastStatus { get; init; }
    /// <summary>RUNNING or STOPPED.</summary>
    public string? DesiredStatus { get; init; }
    /// <summary>HEALTHY, UNHEALTHY or UNKNOWN.</summary>
    public string? HealthStatus { get; init; }
    /// <summary>For a service task, the deployment id; for RunTask, what the caller gave.</summary>
    public string? StartedBy { get; init; }
    /// <summary><c>service:NAME</c> or <c>family:NAME</c>.</summary>
    public string? Group { get; init; }
    /// <summary>TaskFailedToStart, EssentialContainerExited, UserInitiated, ServiceSchedulerInitiated, ...</summary>
    public string? StopCode { get; init; }
    /// <summary>Why the task stopped.</summary>
    public string? StoppedReason { get; init; }
    /// <summary>The containers.</summary>
    public IReadOnlyList<TaskContainer> Containers { get; init; } = [];
    /// <summary>When the task was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>When it started running.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it stopped.</summary>
    public DateTimeOffset? StoppedAt { get; init; }
    /// <summary>Overrides given to RunTask.</summary>
    public TaskOverride? Overrides { get; init; }
}
