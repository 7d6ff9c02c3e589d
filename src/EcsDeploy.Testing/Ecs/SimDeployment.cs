using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>One deployment of a simulated service (an entry of DescribeServices' <c>deployments</c>).</summary>
internal sealed class SimDeployment(string id, string taskDefinition, DateTimeOffset createdAt)
{
    public string Id { get; } = id;
    public string TaskDefinition { get; } = taskDefinition;
    public string Status { get; set; } = DeploymentStatuses.Primary;
    public int DesiredCount { get; set; }
    public int FailedTasks { get; set; }
    /// <summary>Whether one of its tasks has reached RUNNING (the breaker's stage 2).</summary>
    public bool ReachedRunning { get; set; }
    /// <summary>When the scheduler may try again to launch tasks it could not launch (a role ECS cannot assume).</summary>
    public DateTimeOffset? LaunchRetryAt { get; set; }
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
    public string RolloutState { get; set; } = RolloutStates.InProgress;
    public string? RolloutStateReason { get; set; } = $"ECS deployment {id} in progress.";
}
