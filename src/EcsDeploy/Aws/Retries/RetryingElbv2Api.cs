namespace EcsDeploy.Aws.Retries;

/// <summary>
/// <see cref="IElbv2Api"/> with every operation sent through the environment's <see cref="AwsRetryPolicy"/>.
/// To add an operation: one line that names it as the API does and says whether a blind re-send is safe.
/// </summary>
internal sealed class RetryingElbv2Api(IElbv2Api inner, AwsRetryPolicy policy) : IElbv2Api
{
    public Task<DescribeLoadBalancersResponse> DescribeLoadBalancersAsync(IReadOnlyList<string>? names, IReadOnlyList<string>? loadBalancerArns, string? marker, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeLoadBalancers", idempotent: true, ct => inner.DescribeLoadBalancersAsync(names, loadBalancerArns, marker, ct), cancellationToken);

    public Task<DescribeTargetGroupsResponse> DescribeTargetGroupsAsync(IReadOnlyList<string> targetGroupArns, string? marker, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeTargetGroups", idempotent: true, ct => inner.DescribeTargetGroupsAsync(targetGroupArns, marker, ct), cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> DescribeTargetGroupAttributesAsync(string targetGroupArn, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeTargetGroupAttributes", idempotent: true, ct => inner.DescribeTargetGroupAttributesAsync(targetGroupArn, ct), cancellationToken);
}
