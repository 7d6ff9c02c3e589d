using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>A task of the simulated ECS (a service task or a one-off RunTask).</summary>
internal sealed class SimTask(string arn, string id, string cluster, string taskDefinitionArn, string group, string? startedBy, TaskBehaviour behaviour, string? serviceName, DateTimeOffset createdAt)
{
    public string Arn { get; } = arn;
    public string Id { get; } = id;
    public string Cluster { get; } = cluster;
    public string TaskDefinitionArn { get; } = taskDefinitionArn;
    public string Group { get; } = group;
    public string? StartedBy { get; } = startedBy;
    public TaskBehaviour Behaviour { get; } = behaviour;
    public string? ServiceName { get; } = serviceName;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public string LastStatus { get; set; } = TaskStatuses.Provisioning;
    public string DesiredStatus { get; set; } = TaskStatuses.Running;
    /// <summary>Counts as healthy for the service scheduler (target healthy, container check passing, or 40 s without checks).</summary>
    public bool Healthy { get; set; }
    /// <summary>Whether an essential container has a health check.</summary>
    public bool HasContainerCheck { get; set; }
    /// <summary>The container health check's verdict; null before its first one (or without a check): UNKNOWN.</summary>
    public string? ContainerHealth { get; set; }
    public string? StopCode { get; set; }
    public string? StoppedReason { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    public TaskOverride? Overrides { get; init; }
    public List<SimContainer> Containers { get; init; } = [];

    public EcsTask Snapshot() => new()
    {
        TaskArn = Arn,
        TaskDefinitionArn = TaskDefinitionArn,
        LastStatus = LastStatus,
        DesiredStatus = DesiredStatus,
        HealthStatus = ContainerHealth ?? HealthStatuses.Unknown,
        StartedBy = StartedBy,
        Group = Group,
        StopCode = StopCode,
        StoppedReason = StoppedReason,
        CreatedAt = CreatedAt,
        StartedAt = StartedAt,
        StoppedAt = StoppedAt,
        Overrides = Overrides,
        Containers = [.. Containers.Select(c => new TaskContainer
        {
            Name = c.Name,
            Image = c.Image,
            LastStatus = c.LastStatus,
            ExitCode = c.ExitCode,
            Reason = c.Reason ?? (StopCode == StopCodes.TaskFailedToStart ? StoppedReason : null),
        })],
    };
}

/// <summary>A container of a simulated task.</summary>
internal sealed class SimContainer(string name, string? image)
{
    public string Name { get; } = name;
    public string? Image { get; } = image;
    public string LastStatus { get; set; } = TaskStatuses.Pending;
    public int? ExitCode { get; set; }
    /// <summary>The container's reason, as the agent reports it (OutOfMemoryError, or why it never started).</summary>
    public string? Reason { get; set; }
}
