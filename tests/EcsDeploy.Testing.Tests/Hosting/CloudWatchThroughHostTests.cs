using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Hosting;
using EcsDeploy.Images.Registry;
using EcsDeploy.Testing.Hosting;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// The simulated CloudWatch served by the local AWS host: the AWS CLI v1 lists the alarms and sets their state, the wire
/// client reads them, and an alarm the CLI sets to ALARM during a canary's bake rolls the deployment back.
/// </summary>
public sealed class CloudWatchThroughHostTests
{
    private const string Alarm = "truecaller-backend-5xx";

    private sealed class WireTarget(LocalAwsHost host, TimeProvider time) : IDeploymentTarget
    {
        public async Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken)
            => await AwsWireEnvironment.CreateAsync(new AwsWireOptions
            {
                Region = host.Region,
                TimeProvider = time,
                Credentials = new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey),
                Environment = name => host.EnvironmentVariables.GetValueOrDefault(name),
                OpenRegistry = (authorization, _) => Task.FromResult<IImageRegistry>(EcrRegistry.CreateClient(authorization)),
                RequestTimeout = TimeSpan.FromSeconds(20),
            }, cancellationToken);
    }

    [Fact]
    public async Task AwsCli_DescribesTheSeededAlarm_SetsItsState_AndIsToldAboutAMissingAlarm()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);

        var listed = (await AwsCli.RunAsync(host, "cloudwatch", "describe-alarms")).Json().GetProperty("MetricAlarms");
        var set = await AwsCli.RunAsync(host, "cloudwatch", "set-alarm-state", "--alarm-name", Alarm, "--state-value", "ALARM", "--state-reason", "test");
        var after = (await AwsCli.RunAsync(host, "cloudwatch", "describe-alarms", "--alarm-names", Alarm, "no-such-alarm")).Json().GetProperty("MetricAlarms");
        var missing = await AwsCli.RunAsync(host, "cloudwatch", "set-alarm-state", "--alarm-name", "no-such-alarm", "--state-value", "ALARM", "--state-reason", "test");

        var seeded = Assert.Single(listed.EnumerateArray());
        Assert.Equal((Alarm, "OK", "HTTPCode_Target_5XX_Count"), (seeded.GetProperty("AlarmName").GetString(), seeded.GetProperty("StateValue").GetString(), seeded.GetProperty("MetricName").GetString()));
        Assert.True(set.ExitCode == 0, set.Stderr);
        var alarm = Assert.Single(after.EnumerateArray());
        Assert.Equal(("ALARM", "test"), (alarm.GetProperty("StateValue").GetString(), alarm.GetProperty("StateReason").GetString()));
        Assert.Equal(AlarmStates.Alarm, aws.CloudWatch.StateOf(Alarm));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("(ResourceNotFound)", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("no-such-alarm", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WireEnvironment_OnTheHost_ReadsAlarmsThroughTheRetryPolicy_InPages()
    {
        var aws = Seed.Truecaller();
        foreach (var name in new[] { "backend-latency", "backend-errors" })
        {
            aws.CloudWatch.PutMetricAlarm(new MetricAlarm { AlarmName = name });
        }
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var environment = await AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = host.Region,
            TimeProvider = TimeProvider.System,
            Credentials = new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey),
            Environment = name => host.EnvironmentVariables.GetValueOrDefault(name),
        }, CancellationToken.None);
        string[] names = [Alarm, "backend-latency", "backend-errors", "backend-typo"];

        var first = await environment.CloudWatch!.DescribeAlarmsAsync(new DescribeAlarmsRequest(names, MaxRecords: 2), CancellationToken.None);
        var second = await environment.CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest(names, MaxRecords: 2, NextToken: first.NextToken), CancellationToken.None);

        Assert.Equal(["backend-errors", "backend-latency"], first.MetricAlarms!.Select(a => a.AlarmName));
        Assert.Equal([Alarm], second.MetricAlarms!.Select(a => a.AlarmName));
        Assert.Null(second.NextToken);
        Assert.Equal(AlarmStates.Ok, second.MetricAlarms![0].StateValue);
        Assert.Equal(2, aws.CallsTo("DescribeAlarms").Count);
    }

    [Fact]
    public async Task Canary_WhenTheAwsCliSetsItsAlarmToAlarmDuringTheBake_IsRolledBack_AsTheAwsCliDescribesIt()
    {
        var (day2, traffic) = StrategyCommandLineTests.Seeded();
        var aws = day2.Aws;
        // The host's clock moves only when the test advances it: each step below is a fixed amount of virtual time.
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var pipeline = DayTwo.Pipeline(d => d.Environment("RELEASE", "2")
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(30)))
            .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule).Role(traffic.RoleArn))
            .RollbackOnAlarms(Alarm));
        var pipelineHost = new PipelineHost();
        pipelineHost.Targets.Add("wire", new WireTarget(host, aws.Clock));
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await pipelineHost.RunAsync(pipeline, ["--target", "wire", "--no-wait"], stdout, stderr, _ => null);
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.Single(aws.CallsTo("DescribeAlarms"));
        var arn = aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).CurrentServiceDeployment!;
        for (var step = 0; step < 360 && aws.Ecs.TrafficHistory(DayTwo.Service) is not [.., { ProductionPercent: 10 }]; step++)
        {
            aws.Clock.Advance(TimeSpan.FromSeconds(5));
        }
        var baking = (await AwsCli.RunAsync(host, "ecs", "describe-service-deployments", "--service-deployment-arns", arn)).Json().GetProperty("serviceDeployments")[0];
        Assert.Equal(("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT"), (baking.GetProperty("status").GetString(), baking.GetProperty("lifecycleStage").GetString()));

        var set = await AwsCli.RunAsync(host, "cloudwatch", "set-alarm-state", "--alarm-name", Alarm, "--state-value", "ALARM", "--state-reason", "test");
        Assert.True(set.ExitCode == 0, set.Stderr);
        for (var step = 0; step < 120; step++)
        {
            aws.Clock.Advance(TimeSpan.FromSeconds(5));
        }

        var after = (await AwsCli.RunAsync(host, "ecs", "describe-service-deployments", "--service-deployment-arns", arn)).Json().GetProperty("serviceDeployments")[0];
        Assert.Equal("ROLLBACK_SUCCESSFUL", after.GetProperty("status").GetString());
        Assert.Equal(Alarm, after.GetProperty("alarms").GetProperty("triggeredAlarmNames")[0].GetString());
        Assert.Equal([0.0, 10.0, 0.0], aws.Ecs.TrafficHistory(DayTwo.Service).Select(h => h.ProductionPercent));
        var service = (await AwsCli.RunAsync(host, "ecs", "describe-services", "--cluster", DayTwo.Cluster, "--services", DayTwo.Service)).Json().GetProperty("services")[0];
        Assert.EndsWith("truecaller-backend:1", service.GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
    }
}
