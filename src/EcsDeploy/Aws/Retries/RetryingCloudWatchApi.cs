namespace EcsDeploy.Aws.Retries;

/// <summary><see cref="ICloudWatchApi"/> with every operation sent through the environment's <see cref="AwsRetryPolicy"/>.</summary>
internal sealed class RetryingCloudWatchApi(ICloudWatchApi inner, AwsRetryPolicy policy) : ICloudWatchApi
{
    public Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeAlarms", idempotent: true, ct => inner.DescribeAlarmsAsync(request, ct), cancellationToken);
}
