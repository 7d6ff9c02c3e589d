namespace EcsDeploy.Aws;

// ECS's enumerations as named constants, shared by the library, the simulated AWS and the local AWS host, so that a
// misspelt status is a compile error rather than a rollout that never ends. Values as the ECS API writes them.

/// <summary>A deployment's <c>rolloutState</c>.</summary>
public static class RolloutStates
{
    /// <summary>The deployment is rolling out.</summary>
    public const string InProgress = "IN_PROGRESS";
    /// <summary>Every task of the deployment runs and is healthy.</summary>
    public const string Completed = "COMPLETED";
    /// <summary>The deployment failed (circuit breaker, or a failed rollback).</summary>
    public const string Failed = "FAILED";
}

/// <summary>A deployment's <c>status</c> within a service.</summary>
public static class DeploymentStatuses
{
    /// <summary>The newest deployment: the one the service converges to.</summary>
    public const string Primary = "PRIMARY";
    /// <summary>An older deployment still draining.</summary>
    public const string Active = "ACTIVE";
    /// <summary>A deployment whose tasks are all gone.</summary>
    public const string Inactive = "INACTIVE";
}

/// <summary>A task's <c>lastStatus</c> and <c>desiredStatus</c>, in lifecycle order.</summary>
public static class TaskStatuses
{
    /// <summary>ECS is provisioning resources (the ENI) for the task.</summary>
    public const string Provisioning = "PROVISIONING";
    /// <summary>Waiting on the agent (image pull, secrets, log driver).</summary>
    public const string Pending = "PENDING";
    /// <summary>Registering with load balancers and service discovery.</summary>
    public const string Activating = "ACTIVATING";
    /// <summary>Running.</summary>
    public const string Running = "RUNNING";
    /// <summary>Deregistering from load balancers (the deregistration delay).</summary>
    public const string Deactivating = "DEACTIVATING";
    /// <summary>Containers are being stopped.</summary>
    public const string Stopping = "STOPPING";
    /// <summary>ECS is releasing the task's resources.</summary>
    public const string Deprovisioning = "DEPROVISIONING";
    /// <summary>Stopped.</summary>
    public const string Stopped = "STOPPED";
}

/// <summary>A stopped task's <c>stopCode</c>.</summary>
public static class StopCodes
{
    /// <summary>The task never started (image pull, secrets, registry auth, log group).</summary>
    public const string TaskFailedToStart = "TaskFailedToStart";
    /// <summary>An essential container exited.</summary>
    public const string EssentialContainerExited = "EssentialContainerExited";
    /// <summary>Stopped by a user (StopTask).</summary>
    public const string UserInitiated = "UserInitiated";
    /// <summary>Stopped by the service scheduler (scale-in, replacement, failed health checks).</summary>
    public const string ServiceSchedulerInitiated = "ServiceSchedulerInitiated";
    /// <summary>A Fargate Spot interruption.</summary>
    public const string SpotInterruption = "SpotInterruption";
    /// <summary>Fargate retired the underlying infrastructure.</summary>
    public const string TerminationNotice = "TerminationNotice";
}

/// <summary>A task's or container's <c>healthStatus</c>.</summary>
public static class HealthStatuses
{
    /// <summary>The container health check passes.</summary>
    public const string Healthy = "HEALTHY";
    /// <summary>The container health check fails.</summary>
    public const string Unhealthy = "UNHEALTHY";
    /// <summary>No health check, or none reported yet.</summary>
    public const string Unknown = "UNKNOWN";
}

/// <summary>A service's, cluster's or task definition's <c>status</c>.</summary>
public static class ResourceStatuses
{
    /// <summary>In use.</summary>
    public const string Active = "ACTIVE";
    /// <summary>A service being deleted.</summary>
    public const string Draining = "DRAINING";
    /// <summary>Deleted service, or deregistered task definition.</summary>
    public const string Inactive = "INACTIVE";
    /// <summary>A task definition being deleted (DeleteTaskDefinitions).</summary>
    public const string DeleteInProgress = "DELETE_IN_PROGRESS";
}

/// <summary>A service deployment's <c>status</c> (DescribeServiceDeployments, ListServiceDeployments).</summary>
public static class ServiceDeploymentStatuses
{
    /// <summary>Waiting to start.</summary>
    public const string Pending = "PENDING";
    /// <summary>Completed successfully.</summary>
    public const string Successful = "SUCCESSFUL";
    /// <summary>Stopped (circuit breaker, alarm, or StopServiceDeployment).</summary>
    public const string Stopped = "STOPPED";
    /// <summary>A stop was requested.</summary>
    public const string StopRequested = "STOP_REQUESTED";
    /// <summary>Rolling out.</summary>
    public const string InProgress = "IN_PROGRESS";
    /// <summary>A rollback was requested.</summary>
    public const string RollbackRequested = "ROLLBACK_REQUESTED";
    /// <summary>Rolling back.</summary>
    public const string RollbackInProgress = "ROLLBACK_IN_PROGRESS";
    /// <summary>The rollback completed.</summary>
    public const string RollbackSuccessful = "ROLLBACK_SUCCESSFUL";
    /// <summary>The rollback failed.</summary>
    public const string RollbackFailed = "ROLLBACK_FAILED";
}

/// <summary>
/// The status of a service deployment's circuit breaker or alarms (<c>ServiceDeploymentRollbackMonitorsStatus</c> in
/// the API).
/// </summary>
public static class RollbackMonitorStatuses
{
    /// <summary>The monitor detected a failure.</summary>
    public const string Triggered = "TRIGGERED";
    /// <summary>The monitor is watching the deployment.</summary>
    public const string Monitoring = "MONITORING";
    /// <summary>The deployment finished without the monitor detecting a failure.</summary>
    public const string MonitoringComplete = "MONITORING_COMPLETE";
    /// <summary>The monitor is off for this deployment.</summary>
    public const string Disabled = "DISABLED";
}
