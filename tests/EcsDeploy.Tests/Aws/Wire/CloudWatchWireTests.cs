using System.Text;
using System.Text.Json.Nodes;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>
/// CloudWatch's wire client (JSON 1.0, AWS Query compatible): against moto, with alarms made and set by boto3 (an
/// independent client), and against a loopback stub for what moto does not do (pages, the Query error code header).
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class CloudWatchWireTests(MotoServerFixture moto)
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task DescribeAlarms_OnMoto_ReadsTheNamedAlarmsAndTheirState_AndLeavesOutAMissingOne()
    {
        var prefix = "h3-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var name in new[] { $"{prefix}-5xx", $"{prefix}-latency" })
        {
            await moto.ReadAsync("cloudwatch", "put_metric_alarm", new Dictionary<string, object>
            {
                ["AlarmName"] = name, ["MetricName"] = "HTTPCode_Target_5XX_Count", ["Namespace"] = "AWS/ApplicationELB", ["Statistic"] = "Sum",
                ["Period"] = 60, ["EvaluationPeriods"] = 1, ["Threshold"] = 10.0, ["ComparisonOperator"] = "GreaterThanThreshold",
                ["Dimensions"] = new[] { new Dictionary<string, string> { ["Name"] = "LoadBalancer", ["Value"] = "app/backend/0123456789abcdef" } },
            });
        }
        await moto.ReadAsync("cloudwatch", "set_alarm_state", new Dictionary<string, string> { ["AlarmName"] = $"{prefix}-5xx", ["StateValue"] = "ALARM", ["StateReason"] = "test" });
        var client = new CloudWatchWireClient(moto.Transport());

        var answer = await client.DescribeAlarmsAsync(new DescribeAlarmsRequest([$"{prefix}-5xx", $"{prefix}-latency", $"{prefix}-typo"], [AlarmTypes.MetricAlarm, AlarmTypes.CompositeAlarm]), Ct);

        Assert.Equal([$"{prefix}-5xx", $"{prefix}-latency"], answer.MetricAlarms!.Select(a => a.AlarmName).Order(StringComparer.Ordinal));
        var fiveXx = answer.MetricAlarms!.Single(a => a.AlarmName == $"{prefix}-5xx");
        Assert.Equal((AlarmStates.Alarm, "test"), (fiveXx.StateValue, fiveXx.StateReason));
        Assert.Equal($"arn:aws:cloudwatch:{MotoServerFixture.Region}:123456789012:alarm:{prefix}-5xx", fiveXx.AlarmArn);
        Assert.Equal(("HTTPCode_Target_5XX_Count", "AWS/ApplicationELB", 10.0), (fiveXx.MetricName, fiveXx.Namespace, fiveXx.Threshold));
        Assert.Equal(new MetricDimension("LoadBalancer", "app/backend/0123456789abcdef"), Assert.Single(fiveXx.Dimensions!));
        Assert.NotNull(fiveXx.StateUpdatedTimestamp);
        Assert.NotEqual(AlarmStates.Alarm, answer.MetricAlarms!.Single(a => a.AlarmName == $"{prefix}-latency").StateValue);
        Assert.Empty(answer.CompositeAlarms!);
    }

    [Fact]
    public async Task DescribeAlarms_SendsJson10WithQueryMode_AndFollowsTheNextToken()
    {
        var pages = new Queue<string>([
            """{"MetricAlarms":[{"AlarmName":"a","StateValue":"OK","StateUpdatedTimestamp":1767225600.5}],"CompositeAlarms":[],"NextToken":"page-2"}""",
            """{"MetricAlarms":[{"AlarmName":"b","StateValue":"ALARM"}],"CompositeAlarms":[{"AlarmName":"c","StateValue":"OK","AlarmRule":"ALARM(a)"}]}""",
        ]);
        using var stub = new LoopbackStub(_ => new StubAnswer(200, pages.Dequeue(), "application/x-amz-json-1.0"));
        var client = new CloudWatchWireClient(stub.Transport());

        var first = await client.DescribeAlarmsAsync(new DescribeAlarmsRequest(["a", "b", "c"], MaxRecords: 1), Ct);
        var second = await client.DescribeAlarmsAsync(new DescribeAlarmsRequest(["a", "b", "c"], MaxRecords: 1, NextToken: first.NextToken), Ct);

        Assert.Equal(("a", "page-2", DateTimeOffset.FromUnixTimeMilliseconds(1767225600500)), (first.MetricAlarms![0].AlarmName, first.NextToken, first.MetricAlarms[0].StateUpdatedTimestamp!.Value));
        Assert.Equal(("b", "ALARM", "ALARM(a)", (string?)null), (second.MetricAlarms![0].AlarmName, second.MetricAlarms[0].StateValue, second.CompositeAlarms![0].AlarmRule, second.NextToken));
        var sent = stub.Requests.ToList();
        Assert.Equal("GraniteServiceVersion20100801.DescribeAlarms", sent[0].Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.0", sent[0].Header("Content-Type"));
        Assert.Equal("true", sent[0].Header("x-amzn-query-mode"));
        Assert.Contains("/eu-central-1/monitoring/aws4_request", sent[0].Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal("""{"AlarmNames":["a","b","c"],"MaxRecords":1}""", Encoding.UTF8.GetString(sent[0].Body));
        Assert.Equal("page-2", JsonNode.Parse(sent[1].Body)!["NextToken"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnError_IsNamedByItsQueryCode_FromXAmznQueryError()
    {
        using var stub = new LoopbackStub(_ => new StubAnswer(400, """{"__type":"com.amazonaws.cloudwatch#InvalidNextTokenException","message":"The service returned an invalid next token."}""",
            "application/x-amz-json-1.0", new Dictionary<string, string> { ["x-amzn-query-error"] = "InvalidNextToken;Sender", ["x-amzn-RequestId"] = "r-7" }));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new CloudWatchWireClient(stub.Transport()).DescribeAlarmsAsync(new DescribeAlarmsRequest(["a"], NextToken: "stale"), Ct));

        Assert.Equal(("CloudWatch", "DescribeAlarms", "InvalidNextToken", 400, "r-7"), (error.Service, error.Operation, error.ErrorCode, error.StatusCode, error.RequestId));
        Assert.Equal("The service returned an invalid next token.", error.ErrorMessage);
    }
}
