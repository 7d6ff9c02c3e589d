using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Tests.Operations;

public sealed class ScaleCommandTests
{
    private static int Running(DayTwo day2) => day2.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).RunningCount;

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public async Task Scale_SetsTheDesiredCount_AndFollowsUntilThatManyTasksRunSteadily_WithoutANewDeployment(int count)
    {
        var day2 = new DayTwo();
        var deploymentBefore = Assert.Single(day2.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).Deployments).Id;

        var (code, json, stderr) = await day2.JsonAsync("scale", "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(code == 0, stderr);
        Assert.Equal("scaled", json.GetProperty("outcome").GetString());
        Assert.Equal(2, json.GetProperty("from").GetInt32());
        Assert.Equal(count, json.GetProperty("to").GetInt32());
        Assert.True(json.GetProperty("confirmed").GetBoolean());
        Assert.Equal("1-4", json.GetProperty("autoScalingRange").GetString());
        var service = day2.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service);
        Assert.Equal(count, service.DesiredCount);
        Assert.Equal(count, service.RunningCount);
        Assert.Equal(deploymentBefore, Assert.Single(service.Deployments).Id);
        Assert.Contains(service.Events, e => e.Message.Contains(count > 2 ? "has started 1 tasks" : "has begun draining connections on 1 tasks", StringComparison.Ordinal));
        Assert.Equal(["UpdateService"], day2.Mutations);
    }

    [Theory]
    [InlineData("5", "above the maximum capacity 4")]
    [InlineData("0", "below the minimum capacity 1")]
    public async Task Scale_OutsideTheAutoScalingRange_ExitsTwo_SaysWhatToDo_AndChangesNothing(string count, string reason)
    {
        var day2 = new DayTwo();

        var (code, stdout, stderr) = await day2.RunAsync("scale", "--count", count);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
        Assert.Contains("(range 1-4)", stderr, StringComparison.Ordinal);
        Assert.Contains("--adjust-range", stderr, StringComparison.Ordinal);
        Assert.Empty(day2.Mutations);
        Assert.Empty(day2.Aws.CallsTo("RegisterScalableTarget"));
        Assert.Equal(2, day2.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).DesiredCount);
    }

    [Fact]
    public async Task Scale_WithAdjustRange_WidensTheRangeFirst_ThenScales()
    {
        var day2 = new DayTwo();

        var (code, json, stderr) = await day2.JsonAsync("scale", "--count", "6", "--adjust-range");

        Assert.True(code == 0, stderr);
        Assert.Equal("1-6", json.GetProperty("adjustedRange").GetString());
        var target = day2.Aws.AutoScaling.Target(DayTwo.Cluster, DayTwo.Service)!;
        Assert.Equal((1, 6), (target.MinCapacity, target.MaxCapacity));
        Assert.Equal(6, Running(day2));
    }

    [Theory]
    [InlineData("-1", "--count -1 is not a number of tasks")]
    [InlineData(null, "--count")]
    [InlineData("many", "many")]
    public async Task Scale_WithABadOrMissingCount_ExitsTwo_AndChangesNothing(string? count, string reason)
    {
        var day2 = new DayTwo();

        var (code, _, stderr) = await day2.RunAsync(count is null ? ["scale"] : ["scale", "--count", count]);

        Assert.Equal(2, code);
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task Scale_OfAServiceWithoutAScalableTarget_ScalesWithoutARangeCheck()
    {
        var aws = new SimulatedAws();
        Seed.Apply(aws, SeedSpec.Truecaller with { AutoScaling = null });
        var day2 = new DayTwo(aws);

        var (code, json, stderr) = await day2.JsonAsync("scale", "--count", "7");

        Assert.True(code == 0, stderr);
        Assert.False(json.TryGetProperty("autoScalingRange", out _));
        Assert.Equal(7, Running(day2));
    }

    [Fact]
    public async Task Scale_WhenTheNewTasksCannotStart_ScalesBackToTheCountItHad_AndExitsOne()
    {
        var day2 = new DayTwo();
        day2.Aws.Ecs.Behaviour = _ => TaskBehaviour.FailsToStart("CannotPullContainerError: pull access denied");
        var pipeline = DayTwo.Pipeline(d => d.WaitTimeout(TimeSpan.FromMinutes(3)));

        var (code, stdout, stderr) = await day2.RunAsync(pipeline, "scale", "--count", "4", "--output", "json");

        Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("\"outcome\": \"scaled-back\"", stdout, StringComparison.Ordinal);
        Assert.Contains("did not reach 4 running task(s) within 3 min", stdout, StringComparison.Ordinal);
        var service = day2.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service);
        Assert.Equal(2, service.DesiredCount);
        Assert.Equal(2, service.RunningCount);
        Assert.Equal(["UpdateService", "UpdateService"], day2.Mutations);
    }

    [Fact]
    public async Task Scale_WhenTheNewTasksCannotStart_AndRollbackIsOff_NeedsAttention()
    {
        var day2 = new DayTwo();
        day2.Aws.Ecs.Behaviour = _ => TaskBehaviour.FailsToStart("CannotPullContainerError: pull access denied");
        var pipeline = DayTwo.Pipeline(d => d.WaitTimeout(TimeSpan.FromMinutes(3)).RollbackOnFailure(false));

        var (code, stdout, _) = await day2.RunAsync(pipeline, "scale", "--count", "3");

        Assert.Equal(3, code);
        Assert.Contains("needs-attention", stdout, StringComparison.Ordinal);
        Assert.Equal(3, day2.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).DesiredCount);
    }

    [Fact]
    public async Task Scale_DryRun_SaysWhatItWouldDo_AndChangesNothing()
    {
        var day2 = new DayTwo();

        var (code, stdout, _) = await day2.RunAsync("scale", "--count", "3", "--dry-run");

        Assert.Equal(0, code);
        Assert.Contains("would scale truecaller-backend-service from 2 to 3 task(s)", stdout, StringComparison.Ordinal);
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task Scale_ToTheCountItRunsSteadily_ChangesNothing()
    {
        var day2 = new DayTwo();

        var (code, json, _) = await day2.JsonAsync("scale", "--count", "2");

        Assert.Equal(0, code);
        Assert.Equal("unchanged", json.GetProperty("outcome").GetString());
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task Scale_WithNoWait_SetsTheCount_AndSaysItIsNotConfirmed()
    {
        var day2 = new DayTwo();

        var (code, json, _) = await day2.JsonAsync("scale", "--count", "3", "--no-wait");

        Assert.Equal(0, code);
        Assert.Equal("started", json.GetProperty("outcome").GetString());
        Assert.False(json.GetProperty("confirmed").GetBoolean());
        Assert.Equal(3, day2.Aws.Ecs.Service(DayTwo.Cluster, DayTwo.Service).DesiredCount);
    }
}
