using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcsDeploy.Aws;

// Shapes of DescribeServiceDeployments and ListServiceDeployments (ECS API, 2025), named as the API reference and
// botocore's model name them. A service deployment is ECS's record of one rollout of a service: created by
// CreateService, by UpdateService with a change that needs a deployment, or by a forced new deployment. Members
// this library does not model yet (lifecycle hook details of the native strategies) are kept in ExtensionData.

/// <summary>A service revision as a service deployment names it (<c>ServiceRevisionSummary</c> in the API).</summary>
public sealed record ServiceRevisionSummary
{
    /// <summary>The service revision ARN: <c>arn:aws:ecs:REGION:ACCOUNT:service-revision/CLUSTER/SERVICE/ID</c>.</summary>
    public string? Arn { get; init; }
    /// <summary>Tasks the revision was asked to run.</summary>
    public int? RequestedTaskCount { get; init; }
    /// <summary>Tasks of the revision that are running (when the deployment finished, once it has).</summary>
    public int? RunningTaskCount { get; init; }
    /// <summary>Tasks of the revision that are pending.</summary>
    public int? PendingTaskCount { get; init; }
    /// <summary>Share of test traffic asked for (blue/green).</summary>
    public double? RequestedTestTrafficWeight { get; init; }
    /// <summary>Share of production traffic asked for (blue/green, linear, canary).</summary>
    public double? RequestedProductionTrafficWeight { get; init; }
}

/// <summary>The rollback of a service deployment (<c>Rollback</c> in the API).</summary>
public sealed record ServiceDeploymentRollback
{
    /// <summary>Why ECS rolled back, for example the circuit breaker's reason.</summary>
    public string? Reason { get; init; }
    /// <summary>When the rollback started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>The service revision ECS rolls back to.</summary>
    public string? ServiceRevisionArn { get; init; }
}

/// <summary>What the circuit breaker saw of a service deployment (<c>ServiceDeploymentCircuitBreaker</c> in the API).</summary>
public sealed record ServiceDeploymentCircuitBreaker
{
    /// <summary>TRIGGERED, MONITORING, MONITORING_COMPLETE or DISABLED (<see cref="RollbackMonitorStatuses"/>).</summary>
    public string? Status { get; init; }
    /// <summary>Tasks that failed to start or failed health checks, counted toward the threshold.</summary>
    public int? FailureCount { get; init; }
    /// <summary>The failure count at which the breaker trips.</summary>
    public int? Threshold { get; init; }
}

/// <summary>What the CloudWatch alarms saw of a service deployment (<c>ServiceDeploymentAlarms</c> in the API).</summary>
public sealed record ServiceDeploymentAlarms
{
    /// <summary>TRIGGERED, MONITORING, MONITORING_COMPLETE or DISABLED (<see cref="RollbackMonitorStatuses"/>).</summary>
    public string? Status { get; init; }
    /// <summary>The alarms watched.</summary>
    public IReadOnlyList<string>? AlarmNames { get; init; }
    /// <summary>The alarms that went into ALARM during the deployment.</summary>
    public IReadOnlyList<string>? TriggeredAlarmNames { get; init; }
}

/// <summary>A service deployment as DescribeServiceDeployments returns it (<c>ServiceDeployment</c> in the API).</summary>
public sealed record ServiceDeployment
{
    /// <summary><c>arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID</c>.</summary>
    public required string ServiceDeploymentArn { get; init; }
    /// <summary>The service ARN.</summary>
    public string? ServiceArn { get; init; }
    /// <summary>The cluster ARN.</summary>
    public string? ClusterArn { get; init; }
    /// <summary>When the service deployment was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>When it started (left PENDING).</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it finished (SUCCESSFUL, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED).</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>When it was stopped (STOPPED).</summary>
    public DateTimeOffset? StoppedAt { get; init; }
    /// <summary>When it last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>The revisions that ran before: what the deployment replaces.</summary>
    public IReadOnlyList<ServiceRevisionSummary> SourceServiceRevisions { get; init; } = [];
    /// <summary>The revision being deployed.</summary>
    public ServiceRevisionSummary? TargetServiceRevision { get; init; }
    /// <summary>One of <see cref="ServiceDeploymentStatuses"/>.</summary>
    public string? Status { get; init; }
    /// <summary>Why it is in its status.</summary>
    public string? StatusReason { get; init; }
    /// <summary>The lifecycle stage of a native blue/green, linear or canary deployment.</summary>
    public string? LifecycleStage { get; init; }
    /// <summary>The deployment configuration it runs with.</summary>
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }
    /// <summary>The rollback, if one happened.</summary>
    public ServiceDeploymentRollback? Rollback { get; init; }
    /// <summary>The circuit breaker's view.</summary>
    public ServiceDeploymentCircuitBreaker? DeploymentCircuitBreaker { get; init; }
    /// <summary>The alarms' view.</summary>
    public ServiceDeploymentAlarms? Alarms { get; init; }
    /// <summary>The lifecycle hooks of the current stage (a paused one gives the hookId ContinueServiceDeployment needs).</summary>
    public IReadOnlyList<DeploymentLifecycleHookDetail>? LifecycleHookDetails { get; init; }
    /// <summary>Members of the API this library does not model, kept as they were read.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>A service deployment as ListServiceDeployments returns it (<c>ServiceDeploymentBrief</c> in the API).</summary>
public sealed record ServiceDeploymentBrief
{
    /// <summary>The service deployment ARN.</summary>
    public required string ServiceDeploymentArn { get; init; }
    /// <summary>The service ARN.</summary>
    public string? ServiceArn { get; init; }
    /// <summary>The cluster ARN.</summary>
    public string? ClusterArn { get; init; }
    /// <summary>When it started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>When it finished.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The revision being deployed.</summary>
    public string? TargetServiceRevisionArn { get; init; }
    /// <summary>One of <see cref="ServiceDeploymentStatuses"/>.</summary>
    public string? Status { get; init; }
    /// <summary>Why it is in its status.</summary>
    public string? StatusReason { get; init; }
}

/// <summary>Request of DescribeServiceDeployments (at most 20 ARNs).</summary>
public sealed record DescribeServiceDeploymentsRequest(IReadOnlyList<string> ServiceDeploymentArns);
/// <summary>Answer of DescribeServiceDeployments: the deployments found, and a failure (<c>MISSING</c>) for each other ARN.</summary>
public sealed record DescribeServiceDeploymentsResponse(IReadOnlyList<ServiceDeployment> ServiceDeployments, IReadOnlyList<EcsFailure> Failures);

/// <summary>The createdAt filter of ListServiceDeployments (<c>CreatedAt</c> in the API).</summary>
public sealed record CreatedAtFilter
{
    /// <summary>Only service deployments created before this time.</summary>
    public DateTimeOffset? Before { get; init; }
    /// <summary>Only service deployments created after this time.</summary>
    public DateTimeOffset? After { get; init; }
}

/// <summary>Request of ListServiceDeployments: one page, newest first.</summary>
public sealed record ListServiceDeploymentsRequest
{
    /// <summary>The service name or ARN.</summary>
    public required string Service { get; init; }
    /// <summary>The cluster name or ARN (default <c>default</c>).</summary>
    public string? Cluster { get; init; }
    /// <summary>Only service deployments in one of these statuses (all when empty).</summary>
    public IReadOnlyList<string>? Status { get; init; }
    /// <summary>Only service deployments created in this window.</summary>
    public CreatedAtFilter? CreatedAt { get; init; }
    /// <summary>The page to read.</summary>
    public string? NextToken { get; init; }
    /// <summary>At most this many per page (1-100, default 20).</summary>
    public int? MaxResults { get; init; }
}
/// <summary>Answer of ListServiceDeployments.</summary>
public sealed record ListServiceDeploymentsResponse(IReadOnlyList<ServiceDeploymentBrief> ServiceDeployments, string? NextToken);
