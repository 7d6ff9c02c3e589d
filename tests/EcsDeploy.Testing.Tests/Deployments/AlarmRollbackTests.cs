using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Tests;

/// <summary>
/// The simulated ECS reads the state of the alarms a native deployment watches from the simulated CloudWatch: an alarm set
/// to ALARM there (as <c>aws cloudwatch set-alarm-state</c> does) during the bake rolls the deployment back, and the fault
/// alarm-during-bake sets the alarm's state there.
/// </summary>
public sealed class AlarmRollbackTests
{
    private const string Cluster = Operations.DayTwo.Cluster;
    private const string Service = Operations.DayTwo.Service;
    private const string Alarm = "truecaller-backend-5xx";

    [Fact]
    public async Task Canary_WhenCloudWatchSetsItsAlarmToAlarmDuringTheBake_IsRolledBack_Exit1()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        var set = false;
        aws.Clock.Advanced += _ =>
        {
            if (!set && aws.Ecs.TrafficHistory(Service) is { Count: > 0 } history && history[^1].ProductionPercent == 10)
            {
                set = true;
                aws.CloudWatch.SetAlarmStateAsync(Alarm, AlarmStates.Alarm, "5xx above 10 a minute", CancellationToken.None).GetAwaiter().GetResult();
            }
        };

        var (code, stdout, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic));

        Assert.True(code == 1, stderr + stdout);
        Assert.True(set, "the canary never moved 10 % of production traffic");
        Assert.Contains($"CloudWatch alarm(s) {Alarm} in ALARM state", stdout, StringComparison.Ordinal);
        var deployment = StrategyCommandLineTests.Current(aws);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, deployment.Status);
        Assert.Equal([Alarm], deployment.Alarms!.TriggeredAlarmNames);
        Assert.Equal([0.0, 10.0, 0.0], aws.Ecs.TrafficHistory(Service).Select(h => h.ProductionPercent));
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
    }

    [Fact]
    public async Task Canary_WhenItsAlarmIsBackToOkBeforeTheDeployment_IsDeployed()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        await aws.CloudWatch.SetAlarmStateAsync(Alarm, AlarmStates.Alarm, "earlier incident", CancellationToken.None);
        await aws.CloudWatch.SetAlarmStateAsync(Alarm, AlarmStates.Ok, "recovered", CancellationToken.None);

        var (code, stdout, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic));

        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(ServiceDeploymentStatuses.Successful, StrategyCommandLineTests.Current(aws).Status);
    }

    [Fact]
    public async Task FaultAlarmDuringBake_SetsTheAlarmToAlarmInCloudWatch()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        aws.Faults.Arm("alarm-during-bake");
        Assert.Equal(AlarmStates.Ok, aws.CloudWatch.StateOf(Alarm));

        var (code, stdout, stderr) = await day2.RunAsync(StrategyCommandLineTests.Canary(traffic));

        Assert.True(code == 1, stderr + stdout);
        var alarm = Assert.Single((await aws.CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest([Alarm]), CancellationToken.None)).MetricAlarms!);
        Assert.Equal(AlarmStates.Alarm, alarm.StateValue);
        Assert.Contains("alarm-during-bake", alarm.StateReason, StringComparison.Ordinal);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, StrategyCommandLineTests.Current(aws).Status);
    }
}
