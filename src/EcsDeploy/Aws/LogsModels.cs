namespace EcsDeploy.Aws;

/// <summary>A log group as DescribeLogGroups describes it.</summary>
public sealed record LogGroup(string LogGroupName, int? RetentionInDays = null, string? Arn = null);

/// <summary>Request of DescribeLogGroups (one page).</summary>
public sealed record DescribeLogGroupsRequest(string? LogGroupNamePrefix, string? NextToken = null, int? Limit = null);

/// <summary>Answer of DescribeLogGroups.</summary>
public sealed record DescribeLogGroupsResponse(IReadOnlyList<LogGroup> LogGroups, string? NextToken);

/// <summary>Request of PutRetentionPolicy.</summary>
public sealed record PutRetentionPolicyRequest(string LogGroupName, int RetentionInDays);

/// <summary>The retention periods CloudWatch Logs accepts, in days.</summary>
public static class LogRetentionPeriods
{
    /// <summary>Every value PutRetentionPolicy accepts.</summary>
    public static readonly IReadOnlyList<int> Allowed = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
}
