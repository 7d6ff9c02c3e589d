using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Tests;

/// <summary>The simulated CloudWatch: the seeded alarm, DescribeAlarms by names in pages, SetAlarmState and its errors.</summary>
public sealed class SimulatedCloudWatchTests
{
    private static CancellationToken Ct => CancellationToken.None;

    private static MetricAlarm Alarm(string name) => new() { AlarmName = name, MetricName = "HTTPCode_Target_5XX_Count", Namespace = "AWS/ApplicationELB" };

    [Fact]
    public async Task Seed_HasTheAlarmTheCanarySampleWatches_OnTheBackendsLoadBalancer_InStateOk()
    {
        var aws = Seed.Truecaller();

        var answer = await aws.CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest(["truecaller-backend-5xx"]), Ct);

        var alarm = Assert.Single(answer.MetricAlarms!);
        Assert.Equal((AlarmStates.Ok, "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:truecaller-backend-5xx"), (alarm.StateValue, alarm.AlarmArn));
        Assert.Equal(("HTTPCode_Target_5XX_Count", "AWS/ApplicationELB"), (alarm.MetricName, alarm.Namespace));
        var loadBalancer = aws.Elbv2.All.Single(lb => lb.LoadBalancerName == "truecaller-backend-alb");
        Assert.EndsWith(":loadbalancer/" + Assert.Single(alarm.Dimensions!).Value, loadBalancer.LoadBalancerArn, StringComparison.Ordinal);
    }

    [Fact]
    public void SeedFromAPipeline_HoldsTheAlarmsItsRollbackOnAlarmsNames_AsItHoldsTheSecretsItNames()
    {
        var named = Pipeline.For("my-api").InRegion("eu-central-1").OnCluster("my-cluster")
            .Deploy(d => d.Service("my-api-service").RollbackOnAlarms("my-api-errors", "my-api-latency")).Build();
        var plain = Pipeline.For("my-api").InRegion("eu-central-1").OnCluster("my-cluster").Deploy(d => d.Service("my-api-service")).Build();
        var withAlarms = new SimulatedAws();
        var without = new SimulatedAws();

        Seed.Apply(withAlarms, SeedSpec.From(named));
        Seed.Apply(without, SeedSpec.From(plain));

        Assert.Equal((AlarmStates.Ok, AlarmStates.Ok, null), (withAlarms.CloudWatch.StateOf("my-api-errors"), withAlarms.CloudWatch.StateOf("my-api-latency"), withAlarms.CloudWatch.StateOf("my-api-5xx")));
        Assert.Equal(AlarmStates.Ok, without.CloudWatch.StateOf("my-api-5xx"));
    }

    [Fact]
    public async Task DescribeAlarms_ByNames_AnswersInNameOrderAndPages_AndLeavesOutNamesWithoutAnAlarm()
    {
        var aws = new SimulatedAws();
        foreach (var name in new[] { "c-alarm", "a-alarm", "b-alarm", "other" })
        {
            aws.CloudWatch.PutMetricAlarm(Alarm(name));
        }
        string[] names = ["c-alarm", "b-alarm", "a-alarm", "typo-alarm"];

        var first = await aws.CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest(names, MaxRecords: 2), Ct);
        var second = await aws.CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest(names, MaxRecords: 2, NextToken: first.NextToken), Ct);

        Assert.Equal(["a-alarm", "b-alarm"], first.MetricAlarms!.Select(a => a.AlarmName));
        Assert.NotNull(first.NextToken);
        Assert.Equal(["c-alarm"], second.MetricAlarms!.Select(a => a.AlarmName));
        Assert.Null(second.NextToken);
        Assert.All(first.MetricAlarms!, a => Assert.Equal(AlarmStates.InsufficientData, a.StateValue));
        Assert.Empty((await aws.CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest(names, [AlarmTypes.CompositeAlarm]), Ct)).MetricAlarms!);
        Assert.Equal(3, aws.CallsTo("DescribeAlarms").Count);
    }

    [Theory]
    [InlineData(0, null, "ValidationError")]
    [InlineData(101, null, "ValidationError")]
    [InlineData(null, "not-a-token", "InvalidNextToken")]
    public async Task DescribeAlarms_RefusesWhatCloudWatchRefuses(int? maxRecords, string? token, string code)
    {
        var aws = Seed.Truecaller();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest(["truecaller-backend-5xx"], MaxRecords: maxRecords, NextToken: token), Ct));

        Assert.Equal((code, 400), (error.ErrorCode, error.StatusCode));
    }

    [Fact]
    public async Task SetAlarmState_ChangesTheState_AndRefusesAnUnknownAlarmOrState()
    {
        var aws = Seed.Truecaller();
        aws.Clock.Advance(TimeSpan.FromMinutes(3));

        await aws.CloudWatch.SetAlarmStateAsync("truecaller-backend-5xx", AlarmStates.Alarm, "test", Ct);

        var alarm = Assert.Single((await aws.CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest(["truecaller-backend-5xx"]), Ct)).MetricAlarms!);
        Assert.Equal((AlarmStates.Alarm, "test", aws.Clock.GetUtcNow()), (alarm.StateValue, alarm.StateReason, alarm.StateUpdatedTimestamp!.Value));
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => aws.CloudWatch.SetAlarmStateAsync("truecaller-backend-5xxx", AlarmStates.Alarm, "test", Ct));
        Assert.Equal(("ResourceNotFound", 404), (missing.ErrorCode, missing.StatusCode));
        Assert.Contains("truecaller-backend-5xxx", missing.ErrorMessage, StringComparison.Ordinal);
        var badState = await Assert.ThrowsAsync<AwsServiceException>(() => aws.CloudWatch.SetAlarmStateAsync("truecaller-backend-5xx", "FIRING", "test", Ct));
        Assert.Equal("ValidationError", badState.ErrorCode);
        Assert.Equal(AlarmStates.Alarm, aws.CloudWatch.StateOf("truecaller-backend-5xx"));
    }
}
