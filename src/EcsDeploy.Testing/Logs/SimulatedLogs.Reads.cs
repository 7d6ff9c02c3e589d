using EcsDeploy.Aws;
using EcsDeploy.Testing.Logs;
using EcsDeploy.Testing.Reads;

namespace EcsDeploy.Testing;

// The read commands a team runs against CloudWatch Logs beside get-log-events: aws logs describe-log-streams and
// filter-log-events, with their paging (limit and nextToken).
public sealed partial class SimulatedLogs
{
    /// <summary>
    /// One page of DescribeLogStreams: the group's streams by name (or by last event time, which cannot be combined with a
    /// prefix), ascending unless <paramref name="descending"/>; at most 50 a page (the default).
    /// </summary>
    internal (List<SimLogStream> Streams, string? NextToken) DescribeLogStreamsPage(string group, string? prefix, string? orderBy, bool descending, int? limit, string? nextToken)
    {
        const string Operation = "DescribeLogStreams";
        _aws.Enter("Logs", Operation);
        lock (_aws.Gate)
        {
            if (orderBy is not (null or "LogStreamName" or "LastEventTime"))
            {
                throw Invalid(Operation, $"orderBy must be LogStreamName or LastEventTime, not '{orderBy}'.");
            }
            if (orderBy == "LastEventTime" && prefix is not null)
            {
                throw Invalid(Operation, "Cannot order by LastEventTime with a logStreamNamePrefix.");
            }
            if (limit is < 1 or > 50)
            {
                throw Invalid(Operation, $"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50");
            }
            RequireGroup(group, Operation);
            var streams = _streams.Where(s => s.Key.Group == group && (prefix is null || s.Key.Stream.StartsWith(prefix, StringComparison.Ordinal)))
                .Select(s => new SimLogStream(s.Key.Stream, _aws.Arn("logs", $"log-group:{group}:log-stream:{s.Key.Stream}"),
                    s.Value.Count == 0 ? null : s.Value.Min(e => e.Timestamp), s.Value.Count == 0 ? null : s.Value.Max(e => e.Timestamp)));
            var ordered = (orderBy == "LastEventTime"
                ? streams.OrderBy(s => s.LastEvent).ThenBy(s => s.Name, StringComparer.Ordinal)
                : streams.OrderBy(s => s.Name, StringComparer.Ordinal)).ToList();
            if (descending)
            {
                ordered.Reverse();
            }
            return Paged(ordered, Operation, nextToken, limit ?? 50);
        }
    }

    /// <summary>
    /// One page of FilterLogEvents: the events of the group's streams (all, those named, or those with the prefix) within
    /// [start, end] whose message matches the pattern (<see cref="LogFilterPattern"/>), by time then stream; at most
    /// <paramref name="limit"/> a page (10,000 by default).
    /// </summary>
    internal (List<SimFilteredEvent> Events, string? NextToken) FilterLogEventsPage(string group, IReadOnlyList<string> streamNames, string? prefix,
        DateTimeOffset? start, DateTimeOffset? end, string? pattern, int? limit, string? nextToken)
    {
        const string Operation = "FilterLogEvents";
        _aws.Enter("Logs", Operation);
        lock (_aws.Gate)
        {
            if (streamNames.Count > 0 && prefix is not null)
            {
                throw Invalid(Operation, "logStreamNames and logStreamNamePrefix cannot both be specified.");
            }
            if (limit is < 1 or > 10000)
            {
                throw Invalid(Operation, $"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000");
            }
            LogFilterPattern filter;
            try
            {
                filter = LogFilterPattern.Parse(pattern);
            }
            catch (FormatException ex)
            {
                throw Invalid(Operation, ex.Message);
            }
            RequireGroup(group, Operation);
            var events = _streams.Where(s => s.Key.Group == group
                    && (streamNames.Count == 0 || streamNames.Contains(s.Key.Stream))
                    && (prefix is null || s.Key.Stream.StartsWith(prefix, StringComparison.Ordinal)))
                .SelectMany(s => s.Value.Select((e, index) => new SimFilteredEvent(s.Key.Stream, e.Timestamp, e.Message, EventId(e.Timestamp, s.Key.Stream, index))))
                .Where(e => (start is null || e.Timestamp >= start) && (end is null || e.Timestamp <= end) && filter.Matches(e.Message))
                .OrderBy(e => e.Timestamp).ThenBy(e => e.Stream, StringComparer.Ordinal).ThenBy(e => e.EventId, StringComparer.Ordinal)
                .ToList();
            return Paged(events, Operation, nextToken, limit ?? 10000);
        }
    }

    /// <summary>An event id of digits, as CloudWatch Logs gives them: the time, the stream and the event's place in it.</summary>
    private static string EventId(DateTimeOffset timestamp, string stream, int index)
        => $"{timestamp.ToUnixTimeMilliseconds():D20}{BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(stream))) % 1000000:D6}{index:D10}";

    private void RequireGroup(string group, string operation)
    {
        if (!_groups.ContainsKey(group))
        {
            throw new AwsServiceException("Logs", operation, "ResourceNotFoundException", "The specified log group does not exist.", 400, _aws.NewRequestId());
        }
    }

    private (List<T> Page, string? Next) Paged<T>(List<T> all, string operation, string? nextToken, int size)
    {
        try
        {
            return PageTokens.Page(all, operation, nextToken, size);
        }
        catch (FormatException ex)
        {
            throw Invalid(operation, ex.Message);
        }
    }

    private AwsServiceException Invalid(string operation, string message) => new("Logs", operation, "InvalidParameterException", message, 400, _aws.NewRequestId());
}

/// <summary>A log stream as DescribeLogStreams shows it.</summary>
internal sealed record SimLogStream(string Name, string Arn, DateTimeOffset? FirstEvent, DateTimeOffset? LastEvent);

/// <summary>An event FilterLogEvents found.</summary>
internal sealed record SimFilteredEvent(string Stream, DateTimeOffset Timestamp, string Message, string EventId);
