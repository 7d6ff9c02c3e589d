using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// One service deployment of a simulated service: ECS's record of a rollout (DescribeServiceDeployments,
/// ListServiceDeployments). It follows the rollout's deployment (an entry of DescribeServices' <c>deployments</c>)
/// and, after a rollback, the deployment it rolls back to. Mutated by <see cref="ServiceDeploymentLedger"/> only.
/// </summary>
internal sealed class SimServiceDeployment(string arn, SimService service, SimDeployment target, DateTimeOffset createdAt)
{
    public string Arn { get; } = arn;
    public SimService Service { get; } = service;

    /// <summary>The deployment that rolls out the target revision.</summary>
    public SimDeployment Target { get; } = target;

    /// <summary>The deployments that ran when this one was created (the source revisions), with their task counts then.</summary>
    public List<(SimDeployment Deployment, int RequestedTaskCount)> Sources { get; } = [];

    /// <summary>The deployment a rollback returns to, once the breaker or a stop rolled back.</summary>
    public SimDeployment? RollbackTarget { get; set; }

    public string Status { get; set; } = ServiceDeploymentStatuses.Pending;
    public string? StatusReason { get; set; }

    /// <summary>The native strategy's lifecycle stage (null for ROLLING).</summary>
    public string? LifecycleStage { get; set; }

    /// <summary>The deployment configuration at creation.</summary>
    public required DeploymentConfiguration Configuration { get; init; }

    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;

    public string? RollbackReason { get; set; }
    public DateTimeOffset? RollbackStartedAt { get; set; }

    /// <summary>The circuit breaker's status (<see cref="RollbackMonitorStatuses"/>).</summary>
    public string BreakerStatus { get; set; } = RollbackMonitorStatuses.Disabled;

    /// <summary>The breaker's count when it stopped monitoring (while monitoring, the deployment's live count is shown).</summary>
    public int? FrozenFailureCount { get; set; }

    public int BreakerThreshold { get; set; }

    /// <summary>Task counts per deployment id, taken when the service deployment finished (later tasks do not change them).</summary>
    public Dictionary<string, (int Running, int Pending)>? FrozenCounts { get; set; }

    /// <summary>Whether the status is one of the completed ones (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED).</summary>
    public bool IsFinished => Status is ServiceDeploymentStatuses.Successful or ServiceDeploymentStatuses.Stopped
        or ServiceDeploymentStatuses.RollbackSuccessful or ServiceDeploymentStatuses.RollbackFailed;
}
