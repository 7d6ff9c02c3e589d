namespace EcsDeploy.Aws.Retries;

/// <summary>
/// <see cref="IApplicationAutoScalingApi"/> with every operation sent through the environment's <see cref="AwsRetryPolicy"/>.
/// To add an operation: one line that names it as the API does and says whether a blind re-send is safe.
/// </summary>
internal sealed class RetryingApplicationAutoScalingApi(IApplicationAutoScalingApi inner, AwsRetryPolicy policy) : IApplicationAutoScalingApi
{
    public Task<DescribeScalableTargetsResponse> DescribeScalableTargetsAsync(DescribeScalableTargetsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeScalableTargets", idempotent: true, ct => inner.DescribeScalableTargetsAsync(request, ct), cancellationToken);

    // Registering the same values again leaves the target as it is.
    public Task<RegisterScalableTargetResponse> RegisterScalableTargetAsync(RegisterScalableTargetRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("RegisterScalableTarget", idempotent: true, ct => inner.RegisterScalableTargetAsync(request, ct), cancellationToken);
}
