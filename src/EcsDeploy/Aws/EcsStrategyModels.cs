using System.Text.Json;

namespace EcsDeploy.Aws;

// Shapes of ECS's native deployment strategies (BLUE_GREEN, LINEAR, CANARY): the members of a service's
// deploymentConfiguration and of a load balancer's advancedConfiguration, and the two operations that act on a
// running service deployment (ContinueServiceDeployment, StopServiceDeployment). Names follow the API reference.

/// <summary>The CloudWatch alarms that stop a deployment (<c>DeploymentAlarms</c> in the API).</summary>
/// <param name="AlarmNames">The alarms; one in ALARM state during the deployment fails it.</param>
/// <param name="Enable">Whether ECS watches them.</param>
/// <param name="Rollback">Whether a failed deployment rolls back to the last completed one.</param>
public sealed record DeploymentAlarms(IReadOnlyList<string> AlarmNames, bool Enable, bool Rollback);

/// <summary>The steps of a LINEAR deployment (<c>LinearConfiguration</c> in the API).</summary>
/// <param name="StepPercent">Production traffic moved per step: a multiple of 0.1 from 3.0 to 100.0 (ECS's default 10).</param>
/// <param name="StepBakeTimeInMinutes">Minutes between steps, 0 to 1440 (ECS's default 6); none after the last step.</param>
public sealed record LinearConfiguration(double? StepPercent, int? StepBakeTimeInMinutes);

/// <summary>The canary phase of a CANARY deployment (<c>CanaryConfiguration</c> in the API).</summary>
/// <param name="CanaryPercent">Production traffic the canary takes: a multiple of 0.1 from 0.1 to 100.0 (ECS's default 5).</param>
/// <param name="CanaryBakeTimeInMinutes">Minutes before the rest of the traffic moves, 0 to 1440 (ECS's default 10).</param>
public sealed record CanaryConfiguration(double? CanaryPercent, int? CanaryBakeTimeInMinutes);

/// <summary>How long a lifecycle hook may take and what ECS does when it has not answered by then.</summary>
/// <param name="TimeoutInMinutes">1 to 20160 minutes.</param>
/// <param name="Action"><c>ROLLBACK</c> or <c>CONTINUE</c> (<see cref="LifecycleHookActions"/>).</param>
public sealed record DeploymentLifecycleHookTimeoutConfiguration(int? TimeoutInMinutes, string? Action);

/// <summary>A lifecycle hook of a deployment (<c>DeploymentLifecycleHook</c> in the API).</summary>
public sealed record DeploymentLifecycleHook
{
    /// <summary><c>AWS_LAMBDA</c> or <c>PAUSE</c> (<see cref="LifecycleHookTargetTypes"/>).</summary>
    public string? TargetType { get; init; }
    /// <summary>The Lambda function's ARN (AWS_LAMBDA only).</summary>
    public string? HookTargetArn { get; init; }
    /// <summary>The role ECS assumes to invoke the function (AWS_LAMBDA only).</summary>
    public string? RoleArn { get; init; }
    /// <summary>The stages the hook runs at (<see cref="LifecycleHookStages"/>).</summary>
    public IReadOnlyList<string>? LifecycleStages { get; init; }
    /// <summary>Free-form details passed to the hook (a JSON document).</summary>
    public JsonElement? HookDetails { get; init; }
    /// <summary>How long ECS waits for the hook, and what it does then.</summary>
    public DeploymentLifecycleHookTimeoutConfiguration? TimeoutConfiguration { get; init; }
}

/// <summary>What ECS needs to shift traffic between two target groups (<c>AdvancedConfiguration</c> in the API).</summary>
public sealed record AdvancedConfiguration
{
    /// <summary>The second target group: the new revision registers there while the old one serves.</summary>
    public string? AlternateTargetGroupArn { get; init; }
    /// <summary>The listener rule (ALB) or listener (NLB) whose weights carry production traffic.</summary>
    public string? ProductionListenerRule { get; init; }
    /// <summary>The listener rule or listener that sends test traffic to the new revision only.</summary>
    public string? TestListenerRule { get; init; }
    /// <summary>The role ECS assumes to change the listener rules (needs iam:PassRole by the deployer).</summary>
    public string? RoleArn { get; init; }
}

/// <summary>Request of ContinueServiceDeployment: resumes (or rolls back) a deployment paused at a PAUSE hook.</summary>
/// <param name="ServiceDeploymentArn">The paused service deployment.</param>
/// <param name="HookId">The paused hook (from DescribeServiceDeployments' lifecycleHookDetails); null for the one paused now.</param>
/// <param name="Action"><c>CONTINUE</c> (ECS's default) or <c>ROLLBACK</c>.</param>
public sealed record ContinueServiceDeploymentRequest(string ServiceDeploymentArn, string? HookId = null, string? Action = null);

/// <summary>Answer of ContinueServiceDeployment.</summary>
public sealed record ContinueServiceDeploymentResponse(string? ServiceDeploymentArn);

/// <summary>Request of StopServiceDeployment.</summary>
/// <param name="ServiceDeploymentArn">The service deployment to stop.</param>
/// <param name="StopType"><c>ROLLBACK</c> (back to the previous revision) or <c>ABORT</c>.</param>
public sealed record StopServiceDeploymentRequest(string ServiceDeploymentArn, string? StopType = StopTypes.Rollback);

/// <summary>Answer of StopServiceDeployment.</summary>
public sealed record StopServiceDeploymentResponse(string? ServiceDeploymentArn);

/// <summary><c>deploymentConfiguration.strategy</c>.</summary>
public static class DeploymentStrategies
{
    /// <summary>Replace tasks in batches (the default); the circuit breaker applies.</summary>
    public const string Rolling = "ROLLING";
    /// <summary>Start the new revision beside the old one, shift all traffic at once, bake, then clean up.</summary>
    public const string BlueGreen = "BLUE_GREEN";
    /// <summary>Shift production traffic in equal steps with a bake between them.</summary>
    public const string Linear = "LINEAR";
    /// <summary>Shift a small share first, bake, then the rest.</summary>
    public const string Canary = "CANARY";
}

/// <summary>The stages a lifecycle hook can run at, in the order a deployment goes through them.</summary>
public static class LifecycleHookStages
{
    /// <summary>Before anything, when a new deployment starts with more than one revision running.</summary>
    public const string ReconcileService = "RECONCILE_SERVICE";
    /// <summary>Before the new revision's tasks start.</summary>
    public const string PreScaleUp = "PRE_SCALE_UP";
    /// <summary>Once the new revision's tasks run and are healthy.</summary>
    public const string PostScaleUp = "POST_SCALE_UP";
    /// <summary>While test traffic moves to the new revision.</summary>
    public const string TestTrafficShift = "TEST_TRAFFIC_SHIFT";
    /// <summary>Once the test listener sends everything to the new revision: where smoke tests run.</summary>
    public const string PostTestTrafficShift = "POST_TEST_TRAFFIC_SHIFT";
    /// <summary>Before production traffic moves.</summary>
    public const string PreProductionTrafficShift = "PRE_PRODUCTION_TRAFFIC_SHIFT";
    /// <summary>While production traffic moves.</summary>
    public const string ProductionTrafficShift = "PRODUCTION_TRAFFIC_SHIFT";
    /// <summary>Once production traffic is all on the new revision.</summary>
    public const string PostProductionTrafficShift = "POST_PRODUCTION_TRAFFIC_SHIFT";

    /// <summary>Every stage, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [ReconcileService, PreScaleUp, PostScaleUp, TestTrafficShift, PostTestTrafficShift, PreProductionTrafficShift, ProductionTrafficShift, PostProductionTrafficShift];
}

/// <summary>A lifecycle hook's <c>targetType</c>.</summary>
public static class LifecycleHookTargetTypes
{
    /// <summary>ECS invokes a Lambda function, which answers SUCCEEDED, FAILED or IN_PROGRESS.</summary>
    public const string AwsLambda = "AWS_LAMBDA";
    /// <summary>ECS waits for ContinueServiceDeployment.</summary>
    public const string Pause = "PAUSE";
}

/// <summary>What a hook's timeout (or ContinueServiceDeployment) does.</summary>
public static class LifecycleHookActions
{
    /// <summary>Go on to the next stage.</summary>
    public const string Continue = "CONTINUE";
    /// <summary>Roll back to the previous revision.</summary>
    public const string Rollback = "ROLLBACK";
}

/// <summary>StopServiceDeployment's <c>stopType</c>.</summary>
public static class StopTypes
{
    /// <summary>Roll back to the previous service revision.</summary>
    public const string Rollback = "ROLLBACK";
    /// <summary>Stop where it is.</summary>
    public const string Abort = "ABORT";
}

/// <summary>A lifecycle hook of a running service deployment (<c>DeploymentLifecycleHookDetail</c> in the API).</summary>
public sealed record DeploymentLifecycleHookDetail
{
    /// <summary>The hook's id, for ContinueServiceDeployment.</summary>
    public string? HookId { get; init; }
    /// <summary><c>AWS_LAMBDA</c> or <c>PAUSE</c>.</summary>
    public string? TargetType { get; init; }
    /// <summary>The Lambda function (AWS_LAMBDA only).</summary>
    public string? TargetArn { get; init; }
    /// <summary>AWAITING_ACTION, IN_PROGRESS, SUCCEEDED, FAILED or TIMED_OUT (<see cref="LifecycleHookStatuses"/>).</summary>
    public string? Status { get; init; }
    /// <summary>When the hook times out.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>What ECS does then: CONTINUE or ROLLBACK.</summary>
    public string? TimeoutAction { get; init; }
}

/// <summary>A lifecycle hook's status in a running service deployment.</summary>
public static class LifecycleHookStatuses
{
    /// <summary>A PAUSE hook waits for ContinueServiceDeployment.</summary>
    public const string AwaitingAction = "AWAITING_ACTION";
    /// <summary>A Lambda hook is running.</summary>
    public const string InProgress = "IN_PROGRESS";
    /// <summary>The hook let the deployment go on.</summary>
    public const string Succeeded = "SUCCEEDED";
    /// <summary>The hook failed the deployment.</summary>
    public const string Failed = "FAILED";
    /// <summary>The hook did not answer in time: its timeout action applied.</summary>
    public const string TimedOut = "TIMED_OUT";
}
