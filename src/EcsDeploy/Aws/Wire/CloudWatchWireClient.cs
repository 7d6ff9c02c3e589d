using System.Text.Json;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// Amazon CloudWatch over JSON 1.0 (target prefix <c>GraniteServiceVersion20100801</c>, PascalCase members, timestamps as
/// epoch seconds), as botocore and the AWS CLI v1 speak it.
/// </summary>
/// <param name="transport">The shared HTTP core.</param>
internal sealed class CloudWatchWireClient(AwsWireTransport transport) : ICloudWatchApi
{
    private static readonly AwsWireService Service = AwsWireService.CloudWatch;
    private static readonly JsonSerializerOptions Json = AwsWireJson.PascalCase;

    /// <inheritdoc />
    public async Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DescribeAlarmsResponse>(Service, "DescribeAlarms", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { MetricAlarms = response.MetricAlarms ?? [], CompositeAlarms = response.CompositeAlarms ?? [] };
    }
}
