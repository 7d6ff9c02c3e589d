using EcsDeploy.Aws;
using EcsDeploy.Iam;
using EcsDeploy.Testing.Tests.Operations;
using static EcsDeploy.Testing.Tests.Preflight.PreflightWorld;

namespace EcsDeploy.Testing.Tests.Preflight;

/// <summary>
/// The preflight checks that every alarm of <c>RollbackOnAlarms</c> exists: ECS accepts any name and then watches nothing
/// for one that does not, so a typo would silently remove the only automatic rollback of a canary.
/// </summary>
public sealed class AlarmPreflightTests
{
    private static PipelineBuilder CanaryWithTypo(TrafficShifting traffic)
        => StrategyCommandLineTests.Canary(traffic, more: d => d.RollbackOnAlarms("truecaller-backend-5xxx"));

    [Fact]
    public async Task Verify_WhenANamedAlarmDoesNotExist_FailsNamingTheAlarmAndTheFix_Exit2_NothingChanged()
    {
        var world = new PreflightWorld();
        var traffic = world.Aws.Ecs.AddTrafficShifting(DayTwo.Cluster, DayTwo.Service);

        var (code, report, _) = await world.VerifyAsync(CanaryWithTypo(traffic));

        Assert.Equal(2, code);
        var typo = Check(report, "alarm truecaller-backend-5xxx");
        Assert.Equal("failed", Status(typo));
        Assert.Equal("truecaller-backend-5xxx", typo.GetProperty("resource").GetString());
        Assert.Contains("CloudWatch has no alarm 'truecaller-backend-5xxx' in eu-central-1", typo.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("d.RollbackOnAlarms(\"truecaller-backend-5xxx\")", typo.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Contains("aws_cloudwatch_metric_alarm", typo.GetProperty("fix").GetString(), StringComparison.Ordinal);
        var seeded = Check(report, "alarm truecaller-backend-5xx");
        Assert.Equal("ok", Status(seeded));
        Assert.Equal("arn:aws:cloudwatch:eu-central-1:123456789012:alarm:truecaller-backend-5xx", seeded.GetProperty("resource").GetString());
        Assert.Equal("failed", Status(Check(report, "alarms")));
        Assert.Empty(world.Day2.Mutations);
    }

    [Fact]
    public async Task Verify_WhenEveryNamedAlarmExists_PassesTheAlarmChecks_InOneCall()
    {
        var world = new PreflightWorld();
        var traffic = world.Aws.Ecs.AddTrafficShifting(DayTwo.Cluster, DayTwo.Service);

        var (code, stdout, stderr) = await world.Day2.RunAsync(StrategyCommandLineTests.Canary(traffic), "verify");

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("    ok      alarm truecaller-backend-5xx: exists (OK)", stdout, StringComparison.Ordinal);
        Assert.Single(world.Aws.CallsTo("DescribeAlarms"));
    }

    [Fact]
    public async Task Verify_WithoutRollbackOnAlarms_ReadsNoAlarm()
    {
        var world = new PreflightWorld();

        var (code, stdout, _) = await world.Day2.RunAsync("verify");

        Assert.Equal(0, code);
        Assert.DoesNotContain("alarm", stdout, StringComparison.Ordinal);
        Assert.Empty(world.Aws.CallsTo("DescribeAlarms"));
    }

    [Fact]
    public async Task Verify_WhenTheDeployerMayNotReadAlarms_SkipsSayingWhy()
    {
        var world = new PreflightWorld();
        var traffic = world.Aws.Ecs.AddTrafficShifting(DayTwo.Cluster, DayTwo.Service);
        world.Aws.DeniedOperations.Add("DescribeAlarms");

        var (code, report, _) = await world.VerifyAsync(CanaryWithTypo(traffic));

        Assert.Equal(0, code);
        var check = Check(report, "alarm truecaller-backend-5xxx");
        Assert.Equal("skipped", Status(check));
        Assert.Contains("cloudwatch:DescribeAlarms denied", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--dry-run")]
    [InlineData("run")]
    public async Task Plan_OfACanaryWithAMistypedAlarm_Exits2BeforeAnyChange_NamingTheAlarm(string mode)
    {
        var world = new PreflightWorld();
        var traffic = world.Aws.Ecs.AddTrafficShifting(DayTwo.Cluster, DayTwo.Service);
        var before = world.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).TaskDefinition;

        var (code, stdout, stderr) = mode == "run" ? await world.Day2.RunAsync(CanaryWithTypo(traffic)) : await world.Day2.RunAsync(CanaryWithTypo(traffic), mode);

        Assert.True(code == 2, stderr + stdout);
        Assert.Contains("truecaller-backend-5xxx", stdout + stderr, StringComparison.Ordinal);
        Assert.Empty(world.Day2.Mutations);
        Assert.Equal(before, world.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).TaskDefinition);
    }

    [Fact]
    public void IamPolicy_ListsCloudWatchDescribeAlarms_OnlyWhenAlarmsAreNamedAndThePreflightRuns()
    {
        var traffic = new TrafficShifting(
            "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/tg-2/1", "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/lb/1/2/3",
            "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/lb/1/2/4", "arn:aws:iam::123456789012:role/ecs-infrastructure", 8080);
        IReadOnlyList<string> Actions(PipelineBuilder pipeline) => IamPolicy.Actions(new IamScope(pipeline.Build(), "123456789012"));

        Assert.Contains("cloudwatch:DescribeAlarms", Actions(StrategyCommandLineTests.Canary(traffic)));
        Assert.DoesNotContain("cloudwatch:DescribeAlarms", Actions(DayTwo.Pipeline()));
        Assert.DoesNotContain("cloudwatch:DescribeAlarms", Actions(StrategyCommandLineTests.Canary(traffic).WithoutPreflight()));
        Assert.Contains("\"cloudwatch:DescribeAlarms\"", IamPolicy.For(new IamScope(StrategyCommandLineTests.Canary(traffic).Build(), "123456789012")), StringComparison.Ordinal);
    }
}
