namespace EcsDeploy.Aws.Retries;

/// <summary>
/// <see cref="ICloudWatchLogsApi"/> with every operation sent through the environment's <see cref="AwsRetryPolicy"/>.
/// To add an operation: one line that names it as the API does and says whether a blind re-send is safe.
/// </summary>
internal sealed class RetryingCloudWatchLogsApi(ICloudWatchLogsApi inner, AwsRetryPolicy policy) : ICloudWatchLogsApi
{
    public Task<GetLogEventsResponse> GetLogEventsAsync(GetLogEventsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("GetLogEvents", idempotent: true, ct => inner.GetLogEventsAsync(request, ct), cancellationToken);

    public Task<DescribeLogGroupsResponse> DescribeLogGroupsAsync(DescribeLogGroupsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeLogGroups", idempotent: true, ct => inner.DescribeLogGroupsAsync(request, ct), cancellationToken);

    public Task PutRetentionPolicyAsync(PutRetentionPolicyRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("PutRetentionPolicy", idempotent: true, ct => inner.PutRetentionPolicyAsync(request, ct), cancellationToken);
}
