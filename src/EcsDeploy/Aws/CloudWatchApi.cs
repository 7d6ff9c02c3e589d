namespace EcsDeploy.Aws;

/// <summary>
/// Amazon CloudWatch operations the pipeline uses (read-only): the preflight reads the alarms a blue/green, linear or
/// canary deployment names (<c>RollbackOnAlarms</c>), since ECS silently watches nothing for an alarm that does not exist.
/// Members are PascalCase on the wire, as botocore's <c>cloudwatch</c> model names them. Beside the ports of Ports.cs,
/// with its retrying decorator in Aws/Retries.
/// </summary>
public interface ICloudWatchApi
{
    /// <summary>
    /// DescribeAlarms (one page): the alarms named (at most 100 names), of the types asked for (metric alarms only when
    /// none are given, as CloudWatch answers). A name that matches no alarm is simply absent from the answer.
    /// </summary>
    Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken);
}

/// <summary>The states of a CloudWatch alarm (<c>StateValue</c> in the API).</summary>
public static class AlarmStates
{
    /// <summary>The metric is within its threshold.</summary>
    public const string Ok = "OK";
    /// <summary>The metric breached its threshold: a deployment that watches the alarm rolls back.</summary>
    public const string Alarm = "ALARM";
    /// <summary>Not enough data to decide (the state of a new alarm).</summary>
    public const string InsufficientData = "INSUFFICIENT_DATA";

    /// <summary>Whether <paramref name="state"/> is one of the three states.</summary>
    public static bool IsValid(string? state) => state is Ok or Alarm or InsufficientData;
}

/// <summary>The kinds of alarm DescribeAlarms returns (<c>AlarmType</c> in the API).</summary>
public static class AlarmTypes
{
    /// <summary>An alarm on one metric or a metric math expression.</summary>
    public const string MetricAlarm = "MetricAlarm";
    /// <summary>An alarm whose rule combines other alarms.</summary>
    public const string CompositeAlarm = "CompositeAlarm";
}

/// <summary>Request of DescribeAlarms: by names, one page.</summary>
/// <param name="AlarmNames">The alarms (at most 100); null or empty for all of them.</param>
/// <param name="AlarmTypes">The kinds to return (<see cref="Aws.AlarmTypes"/>); null for metric alarms only.</param>
/// <param name="MaxRecords">The page size (1-100; CloudWatch's default is 50).</param>
/// <param name="NextToken">The token of the page to read, from the previous answer.</param>
public sealed record DescribeAlarmsRequest(
    IReadOnlyList<string>? AlarmNames = null, IReadOnlyList<string>? AlarmTypes = null, int? MaxRecords = null, string? NextToken = null);

/// <summary>Answer of DescribeAlarms.</summary>
/// <param name="MetricAlarms">The metric alarms of this page.</param>
/// <param name="CompositeAlarms">The composite alarms of this page.</param>
/// <param name="NextToken">The token of the next page, or null on the last one.</param>
public sealed record DescribeAlarmsResponse(IReadOnlyList<MetricAlarm>? MetricAlarms = null, IReadOnlyList<CompositeAlarm>? CompositeAlarms = null, string? NextToken = null);

/// <summary>A name and value that narrows a metric (<c>Dimension</c> in the API).</summary>
/// <param name="Name">The dimension's name (<c>LoadBalancer</c>).</param>
/// <param name="Value">Its value (<c>app/NAME/ID</c>).</param>
public sealed record MetricDimension(string Name, string Value);

/// <summary>A metric alarm as DescribeAlarms answers it (<c>MetricAlarm</c> in the API; the members the pipeline reads).</summary>
public sealed record MetricAlarm
{
    /// <summary>The alarm's name.</summary>
    public required string AlarmName { get; init; }
    /// <summary>The alarm's ARN (<c>arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME</c>).</summary>
    public string? AlarmArn { get; init; }
    /// <summary>The alarm's description.</summary>
    public string? AlarmDescription { get; init; }
    /// <summary>The state: <see cref="AlarmStates"/>.</summary>
    public string? StateValue { get; init; }
    /// <summary>Why the alarm is in its state, as text.</summary>
    public string? StateReason { get; init; }
    /// <summary>When the state (or its evaluation) last changed.</summary>
    public DateTimeOffset? StateUpdatedTimestamp { get; init; }
    /// <summary>The metric watched (<c>HTTPCode_Target_5XX_Count</c>).</summary>
    public string? MetricName { get; init; }
    /// <summary>The metric's namespace (<c>AWS/ApplicationELB</c>).</summary>
    public string? Namespace { get; init; }
    /// <summary>The statistic (<c>Sum</c>, <c>Average</c>, ...).</summary>
    public string? Statistic { get; init; }
    /// <summary>The metric's dimensions.</summary>
    public IReadOnlyList<MetricDimension>? Dimensions { get; init; }
    /// <summary>The period in seconds the statistic covers.</summary>
    public int? Period { get; init; }
    /// <summary>How many periods are evaluated.</summary>
    public int? EvaluationPeriods { get; init; }
    /// <summary>The threshold.</summary>
    public double? Threshold { get; init; }
    /// <summary>How the statistic is compared with the threshold (<c>GreaterThanThreshold</c>, ...).</summary>
    public string? ComparisonOperator { get; init; }
}

/// <summary>A composite alarm as DescribeAlarms answers it (<c>CompositeAlarm</c> in the API; the members the pipeline reads).</summary>
public sealed record CompositeAlarm
{
    /// <summary>The alarm's name.</summary>
    public required string AlarmName { get; init; }
    /// <summary>The alarm's ARN.</summary>
    public string? AlarmArn { get; init; }
    /// <summary>The state: <see cref="AlarmStates"/>.</summary>
    public string? StateValue { get; init; }
    /// <summary>Why the alarm is in its state, as text.</summary>
    public string? StateReason { get; init; }
    /// <summary>The rule that combines other alarms.</summary>
    public string? AlarmRule { get; init; }
}
