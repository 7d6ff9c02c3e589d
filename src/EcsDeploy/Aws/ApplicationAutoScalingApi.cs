namespace EcsDeploy.Aws;

/// <summary>
/// Application Auto Scaling operations the pipeline uses (JSON 1.1, target prefix <c>AnyScaleFrontendService</c>,
/// PascalCase members): reading an ECS service's scalable target, and suspending or resuming its scaling around a
/// rollout. Beside the ports of Ports.cs, with its retrying decorator in Aws/Retries.
/// </summary>
public interface IApplicationAutoScalingApi
{
    /// <summary>DescribeScalableTargets (one page).</summary>
    Task<DescribeScalableTargetsResponse> DescribeScalableTargetsAsync(DescribeScalableTargetsRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// RegisterScalableTarget: creates a scalable target (MinCapacity and MaxCapacity required) or updates the members given
    /// of an existing one (idempotent: registering the same values again changes nothing).
    /// </summary>
    Task<RegisterScalableTargetResponse> RegisterScalableTargetAsync(RegisterScalableTargetRequest request, CancellationToken cancellationToken);
}
