using System.Text;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>
/// Simulated Amazon CloudWatch: metric alarms and their states, read with DescribeAlarms (by names, in pages, in name
/// order) and set with SetAlarmState, as CloudWatch answers them. No metrics are simulated, so an alarm keeps the state it
/// was last set to (on AWS a metric alarm goes back to its evaluated state within seconds). The simulated ECS reads these
/// states: a blue/green, linear or canary deployment that watches an alarm in ALARM rolls back.
/// </summary>
public sealed class SimulatedCloudWatch : ICloudWatchApi
{
    private const string Service = "CloudWatch";
    private const int DefaultPageSize = 50;

    private readonly SimulatedAws _aws;
    private readonly SortedDictionary<string, MetricAlarm> _alarms = new(StringComparer.Ordinal);

    internal SimulatedCloudWatch(SimulatedAws aws) => _aws = aws;

    /// <summary>
    /// Creates or replaces a metric alarm (as <c>aws cloudwatch put-metric-alarm</c> or Terraform's
    /// <c>aws_cloudwatch_metric_alarm</c>); a new alarm without a state starts in INSUFFICIENT_DATA. Returns its ARN.
    /// </summary>
    public string PutMetricAlarm(MetricAlarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        if (string.IsNullOrEmpty(alarm.AlarmName) || alarm.AlarmName.Length > 255)
        {
            throw new ArgumentException($"'{alarm.AlarmName}' is not a CloudWatch alarm name (1-255 characters).", nameof(alarm));
        }
        if (alarm.StateValue is not null && !AlarmStates.IsValid(alarm.StateValue))
        {
            throw new ArgumentException($"'{alarm.StateValue}' is not an alarm state: use OK, ALARM or INSUFFICIENT_DATA.", nameof(alarm));
        }
        lock (_aws.Gate)
        {
            var now = _aws.Clock.GetUtcNow();
            var stored = alarm with
            {
                AlarmArn = _aws.Arn("cloudwatch", "alarm:" + alarm.AlarmName),
                StateValue = alarm.StateValue ?? AlarmStates.InsufficientData,
                StateReason = alarm.StateReason ?? "Unchecked: Initial alarm creation",
                StateUpdatedTimestamp = now,
            };
            _alarms[alarm.AlarmName] = stored;
            return stored.AlarmArn;
        }
    }

    /// <summary>Deletes alarms; returns how many existed.</summary>
    public int DeleteAlarms(params string[] alarmNames)
    {
        ArgumentNullException.ThrowIfNull(alarmNames);
        lock (_aws.Gate) { return alarmNames.Count(_alarms.Remove); }
    }

    /// <summary>Whether an alarm of that name exists.</summary>
    public bool AlarmExists(string alarmName)
    {
        lock (_aws.Gate) { return _alarms.ContainsKey(alarmName); }
    }

    /// <summary>An alarm's state (<see cref="AlarmStates"/>), or null when there is no such alarm.</summary>
    public string? StateOf(string alarmName)
    {
        lock (_aws.Gate) { return _alarms.GetValueOrDefault(alarmName)?.StateValue; }
    }

    /// <summary>
    /// SetAlarmState, as <c>aws cloudwatch set-alarm-state</c>: sets the state of an alarm (a deployment that watches it
    /// rolls back when it is ALARM). An alarm that does not exist raises <c>ResourceNotFound</c> (404), a state that is not
    /// OK, ALARM or INSUFFICIENT_DATA a <c>ValidationError</c>.
    /// </summary>
    public Task SetAlarmStateAsync(string alarmName, string stateValue, string stateReason, CancellationToken cancellationToken)
    {
        _aws.Enter(Service, "SetAlarmState");
        lock (_aws.Gate)
        {
            if (!AlarmStates.IsValid(stateValue))
            {
                throw new AwsServiceException(Service, "SetAlarmState", "ValidationError",
                    $"1 validation error detected: Value '{stateValue}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]", 400, _aws.NewRequestId());
            }
            if (stateReason is null || stateReason.Length > 1023)
            {
                throw new AwsServiceException(Service, "SetAlarmState", "ValidationError",
                    "1 validation error detected: Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023", 400, _aws.NewRequestId());
            }
            if (!Set(alarmName, stateValue, stateReason))
            {
                throw new AwsServiceException(Service, "SetAlarmState", "ResourceNotFound", $"Alarm {alarmName} does not exist.", 404, _aws.NewRequestId());
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>Sets an alarm's state without recording a call (the simulation's own changes); false when it does not exist.</summary>
    internal bool Set(string alarmName, string stateValue, string stateReason)
    {
        lock (_aws.Gate)
        {
            if (!_alarms.TryGetValue(alarmName, out var alarm))
            {
                return false;
            }
            _alarms[alarmName] = alarm with { StateValue = stateValue, StateReason = stateReason, StateUpdatedTimestamp = _aws.Clock.GetUtcNow() };
            return true;
        }
    }

    /// <inheritdoc />
    public Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter(Service, "DescribeAlarms");
        lock (_aws.Gate)
        {
            if (request.MaxRecords is < 1 or > 100)
            {
                throw Validation($"Value '{request.MaxRecords}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100");
            }
            if (request.AlarmNames is { Count: > 100 })
            {
                throw Validation("Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100");
            }
            foreach (var type in request.AlarmTypes ?? [])
            {
                if (type is not (AlarmTypes.MetricAlarm or AlarmTypes.CompositeAlarm))
                {
                    throw Validation($"Value '[{type}]' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]");
                }
            }
            var metric = request.AlarmTypes is not { Count: > 0 } types || types.Contains(AlarmTypes.MetricAlarm);
            var names = request.AlarmNames is { Count: > 0 } wanted ? wanted.ToHashSet(StringComparer.Ordinal) : null;
            var matching = metric ? _alarms.Values.Where(a => names is null || names.Contains(a.AlarmName)).ToList() : [];
            var start = 0;
            if (request.NextToken is { } token)
            {
                var after = Decode(token);
                start = after is null ? -1 : matching.FindIndex(a => string.CompareOrdinal(a.AlarmName, after) > 0);
                if (after is null)
                {
                    throw new AwsServiceException(Service, "DescribeAlarms", "InvalidNextToken", "The service returned an invalid next token.", 400, _aws.NewRequestId());
                }
                if (start < 0)
                {
                    start = matching.Count;
                }
            }
            var size = request.MaxRecords ?? DefaultPageSize;
            var page = matching.Skip(start).Take(size).ToList();
            var next = start + page.Count < matching.Count ? Encode(page[^1].AlarmName) : null;
            return Task.FromResult(new DescribeAlarmsResponse(page, [], next));
        }
    }

    private AwsServiceException Validation(string detail)
        => new(Service, "DescribeAlarms", "ValidationError", "1 validation error detected: " + detail, 400, _aws.NewRequestId());

    private static string Encode(string lastName) => Convert.ToBase64String(Encoding.UTF8.GetBytes("after:" + lastName));

    private static string? Decode(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return text.StartsWith("after:", StringComparison.Ordinal) ? text["after:".Length..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
