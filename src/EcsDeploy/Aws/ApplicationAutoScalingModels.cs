using System.Text.Json.Serialization;

namespace EcsDeploy.Aws;

// Application Auto Scaling (PascalCase on the wire, as botocore's application-autoscaling model names the members).

/// <summary>The names Application Auto Scaling gives an ECS service's desired count.</summary>
public static class EcsScalableTargets
{
    /// <summary>The service namespace of ECS (<c>ecs</c>).</summary>
    public const string ServiceNamespace = "ecs";
    /// <summary>The scalable dimension of an ECS service's desired count.</summary>
    public const string DesiredCount = "ecs:service:DesiredCount";

    /// <summary>The resource id of an ECS service: <c>service/CLUSTER/SERVICE</c>.</summary>
    public static string ResourceId(string cluster, string service) => $"service/{cluster}/{service}";
}

/// <summary>Which kinds of scaling are suspended on a scalable target (absent members mean not suspended).</summary>
/// <param name="DynamicScalingInSuspended">Scale in by target tracking and step scaling policies is suspended.</param>
/// <param name="DynamicScalingOutSuspended">Scale out by target tracking and step scaling policies is suspended.</param>
/// <param name="ScheduledScalingSuspended">Scheduled actions are suspended.</param>
public sealed record SuspendedState(bool? DynamicScalingInSuspended = null, bool? DynamicScalingOutSuspended = null, bool? ScheduledScalingSuspended = null)
{
    /// <summary>Everything suspended.</summary>
    public static SuspendedState All { get; } = new(true, true, true);
    /// <summary>Nothing suspended.</summary>
    public static SuspendedState None { get; } = new(false, false, false);

    /// <summary>True when all three kinds are suspended.</summary>
    [JsonIgnore]
    public bool IsAllSuspended => DynamicScalingInSuspended == true && DynamicScalingOutSuspended == true && ScheduledScalingSuspended == true;

    /// <summary>The state with every absent member read as false (the API's default), so that it can be sent back as it was.</summary>
    public SuspendedState Explicit() => new(DynamicScalingInSuspended ?? false, DynamicScalingOutSuspended ?? false, ScheduledScalingSuspended ?? false);
}

/// <summary>A scalable target (<c>ScalableTarget</c> in the API).</summary>
public sealed record ScalableTarget
{
    /// <summary>The service namespace (<c>ecs</c>).</summary>
    public required string ServiceNamespace { get; init; }
    /// <summary>The resource id (<c>service/CLUSTER/SERVICE</c>).</summary>
    public required string ResourceId { get; init; }
    /// <summary>The scalable dimension (<c>ecs:service:DesiredCount</c>).</summary>
    public required string ScalableDimension { get; init; }
    /// <summary>The lowest capacity scaling may set.</summary>
    public int MinCapacity { get; init; }
    /// <summary>The highest capacity scaling may set.</summary>
    public int MaxCapacity { get; init; }
    /// <summary>The role Application Auto Scaling acts with.</summary>
    public string? RoleARN { get; init; }
    /// <summary>When the target was registered.</summary>
    public DateTimeOffset? CreationTime { get; init; }
    /// <summary>What is suspended.</summary>
    public SuspendedState? SuspendedState { get; init; }
    /// <summary>The target's ARN.</summary>
    public string? ScalableTargetARN { get; init; }
}

/// <summary>Request of DescribeScalableTargets.</summary>
/// <param name="ServiceNamespace">The service namespace (<c>ecs</c>).</param>
/// <param name="ResourceIds">The resource ids (at most 50); all when null.</param>
/// <param name="ScalableDimension">The dimension; all when null.</param>
/// <param name="MaxResults">The page size (at most 50).</param>
/// <param name="NextToken">The token of the next page.</param>
public sealed record DescribeScalableTargetsRequest(
    string ServiceNamespace, IReadOnlyList<string>? ResourceIds = null, string? ScalableDimension = null, int? MaxResults = null, string? NextToken = null);

/// <summary>Answer of DescribeScalableTargets.</summary>
/// <param name="ScalableTargets">The targets of this page.</param>
/// <param name="NextToken">The token of the next page, or null.</param>
public sealed record DescribeScalableTargetsResponse(IReadOnlyList<ScalableTarget> ScalableTargets, string? NextToken = null);

/// <summary>Request of RegisterScalableTarget: the members given are set, the others kept.</summary>
public sealed record RegisterScalableTargetRequest
{
    /// <summary>The service namespace (<c>ecs</c>).</summary>
    public required string ServiceNamespace { get; init; }
    /// <summary>The resource id (<c>service/CLUSTER/SERVICE</c>).</summary>
    public required string ResourceId { get; init; }
    /// <summary>The scalable dimension (<c>ecs:service:DesiredCount</c>).</summary>
    public required string ScalableDimension { get; init; }
    /// <summary>The lowest capacity (required for a new target).</summary>
    public int? MinCapacity { get; init; }
    /// <summary>The highest capacity (required for a new target).</summary>
    public int? MaxCapacity { get; init; }
    /// <summary>What to suspend (all three members are best given: an absent one is read as false).</summary>
    public SuspendedState? SuspendedState { get; init; }
}

/// <summary>Answer of RegisterScalableTarget.</summary>
/// <param name="ScalableTargetARN">The target's ARN.</param>
public sealed record RegisterScalableTargetResponse(string? ScalableTargetARN);
