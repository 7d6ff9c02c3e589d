using System.Text.Json;

namespace EcsDeploy.Aws.Wire;

/// <summary>Amazon CloudWatch Logs over the JSON 1.1 protocol (target prefix <c>Logs_20140328</c>).</summary>
/// <param name="transport">The shared HTTP core.</param>
public sealed class CloudWatchLogsWireClient(AwsWireTransport transport) : ICloudWatchLogsApi
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

    /// <summary>An event as CloudWatch Logs sends it: the timestamp in epoch milliseconds.</summary>
    internal sealed record LogEventWire(long? Timestamp, string? Message);

    internal sealed record GetLogEventsAnswer(IReadOnlyList<LogEventWire>? Events, string? NextForwardToken, string? NextBackwardToken);
}
