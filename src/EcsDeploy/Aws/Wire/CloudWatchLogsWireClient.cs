using System.Text.Json;

namespace EcsDeploy.Aws.Wire;

/// <summary>Amazon CloudWatch Logs over the JSON 1.1 protocol (target prefix <c>Logs_20140328</c>).</summary>
/// <param name="transport">The shared HTTP core.</param>
internal sealed class CloudWatchLogsWireClient(AwsWireTransport transport) : ICloudWatchLogsApi
{
    private static readonly AwsWireService Service = AwsWireService.Logs;
    private static readonly JsonSerializerOptions Json = AwsWireJson.CamelCase;

    /// <inheritdoc />
    public async Task<GetLogEventsResponse> GetLogEventsAsync(GetLogEventsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<GetLogEventsAnswer>(Service, "GetLogEvents", request, Json, cancellationToken).ConfigureAwait(false);
        var events = (response.Events ?? [])
            .Select(e => new OutputLogEvent(DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp ?? 0), e.Message ?? ""))
            .ToList();
        return new GetLogEventsResponse(events, response.NextForwardToken, response.NextBackwardToken);
    }

    /// <inheritdoc />
    public async Task<DescribeLogGroupsResponse> DescribeLogGroupsAsync(DescribeLogGroupsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DescribeLogGroupsAnswer>(Service, "DescribeLogGroups", request, Json, cancellationToken).ConfigureAwait(false);
        var groups = (response.LogGroups ?? [])
            .Where(g => g.LogGroupName is not null)
            .Select(g => new LogGroup(g.LogGroupName!, g.RetentionInDays, g.Arn))
            .ToList();
        return new DescribeLogGroupsResponse(groups, response.NextToken);
    }

    /// <inheritdoc />
    public async Task PutRetentionPolicyAsync(PutRetentionPolicyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await transport.JsonAsync<EmptyAnswer>(Service, "PutRetentionPolicy", request, Json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A log group as CloudWatch Logs sends it (only the members the pipeline reads).</summary>
    internal sealed record LogGroupWire(string? LogGroupName, int? RetentionInDays, string? Arn);

    internal sealed record DescribeLogGroupsAnswer(IReadOnlyList<LogGroupWire>? LogGroups, string? NextToken);

    /// <summary>PutRetentionPolicy answers with an empty body.</summary>
    internal sealed record EmptyAnswer;

    /// <summary>An event as CloudWatch Logs sends it: the timestamp in epoch milliseconds.</summary>
    internal sealed record LogEventWire(long? Timestamp, string? Message);

    internal sealed record GetLogEventsAnswer(IReadOnlyList<LogEventWire>? Events, string? NextForwardToken, string? NextBackwardToken);
}
