using EcsDeploy.Aws;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests.Deployments;

/// <summary>
/// A deploy with d.SuspendAutoScaling() that never restores scaling (killed mid-rollout, or its restore refused) leaves a
/// tag on the service with the state to put back: status says so, scale --resume and the next deploy restore it.
/// </summary>
public sealed class AutoScalingLeftSuspendedTests
{
    private const string ResourceId = "service/truecaller-backend-cluster/truecaller-backend-service";
    private const string TagKey = "ecsdeploy:autoscaling-suspended";
    private static readonly SuspendedState Partly = new(false, false, true);

    private static PipelineBuilder Pipeline(string flags) => DayTwo.Pipeline(d => d.Environment("FEATURE_FLAGS", flags).SuspendAutoScaling());

    private static SuspendedState? Now(SimulatedAws aws) => aws.AutoScaling.Target(DayTwo.Cluster, DayTwo.Service)!.SuspendedState;

    /// <summary>
    /// Scheduled scaling suspended by its owner; then a deploy suspends everything, and from that moment Application Auto
    /// Scaling refuses it (as a role would that lost the permission), so its restore fails: the state a killed run leaves.
    /// </summary>
    private static async Task<DayTwo> LeftSuspendedAsync()
    {
        var day2 = new DayTwo();
        var aws = day2.Aws;
        await aws.AutoScaling.RegisterScalableTargetAsync(new RegisterScalableTargetRequest
        {
            ServiceNamespace = "ecs", ResourceId = ResourceId, ScalableDimension = EcsScalableTargets.DesiredCount, SuspendedState = Partly,
        }, CancellationToken.None);
        var armed = true;
        aws.Clock.Advanced += _ =>
        {
            if (armed && aws.AutoScaling.SuspendedStates.Any(s => s.State == SuspendedState.All))
            {
                aws.DeniedOperations.Add("RegisterScalableTarget");
            }
        };

        var (code, stdout, stderr) = await day2.RunAsync(Pipeline("first"));

        Assert.True(code == 3, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("Application Auto Scaling stays suspended: restoring it failed", stderr + stdout, StringComparison.Ordinal);
        Assert.Equal(SuspendedState.All, Now(aws));
        var tag = Assert.Single(aws.Ecs.ServiceTags(DayTwo.Cluster, DayTwo.Service), t => t.Key == TagKey);
        Assert.Equal("restore in=false out=false scheduled=true at=2026-01-05T09:00:00Z", tag.Value);
        armed = false;
        aws.DeniedOperations.Clear();
        aws.Clock.Advance(TimeSpan.FromHours(1));
        return day2;
    }

    [Fact]
    public async Task Status_AfterADeployThatLeftScalingSuspended_SaysAPreviousDeploySuspendedIt_AndScaleResumeRestoresWhatItFound()
    {
        var day2 = await LeftSuspendedAsync();

        var status = await day2.RunAsync("status");
        var resume = await day2.RunAsync("scale", "--resume");
        var after = await day2.RunAsync("status");
        var partly = Now(day2.Aws);
        // Without a record, --resume resumes everything; then there is nothing left to resume.
        var again = await day2.RunAsync("scale", "--resume");
        var nothing = await day2.RunAsync("scale", "--resume");

        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("auto scaling range 1-4, scale in, scale out, scheduled scaling suspended: scaling suspended by a previous deploy at 2026-01-05 09:00 UTC that did not finish: resume with 'scale --resume' (back to scheduled scaling suspended)",
            status.Stdout, StringComparison.Ordinal);
        Assert.True(resume.ExitCode == 0, resume.Stderr);
        Assert.Contains("scale in, scale out, scheduled scaling suspended (left so by a deploy at 2026-01-05 09:00 UTC that did not finish) -> scheduled scaling suspended", resume.Stdout, StringComparison.Ordinal);
        Assert.Equal(Partly, partly);
        Assert.DoesNotContain(day2.Aws.Ecs.ServiceTags(DayTwo.Cluster, DayTwo.Service), t => t.Key == TagKey);
        Assert.Contains("auto scaling range 1-4, scheduled scaling suspended\n", after.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("scheduled scaling suspended -> nothing suspended", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("nothing to resume", nothing.Stdout, StringComparison.Ordinal);
        Assert.Equal(SuspendedState.None, Now(day2.Aws));
        Assert.Equal(2, day2.Aws.Ecs.DesiredCount(DayTwo.Cluster, DayTwo.Service));
    }

    [Fact]
    public async Task NextDeploy_AfterADeployThatLeftScalingSuspended_RestoresTheStateThatDeployFound()
    {
        var day2 = await LeftSuspendedAsync();

        var (code, stdout, stderr) = await day2.RunAsync(Pipeline("second"));

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("was left scale in, scale out, scheduled scaling suspended by a previous deploy at 2026-01-05 09:00 UTC that did not finish; this rollout restores it to what that deploy found (scheduled scaling suspended)",
            stdout, StringComparison.Ordinal);
        Assert.Equal(Partly, Now(day2.Aws));
        Assert.DoesNotContain(day2.Aws.Ecs.ServiceTags(DayTwo.Cluster, DayTwo.Service), t => t.Key == TagKey);
        Assert.Equal("truecaller-backend:3", day2.Running);
    }

    [Fact]
    public async Task Deploy_ThatRestoresScaling_LeavesNoRecord_AndStatusShowsNothingSuspended()
    {
        var day2 = new DayTwo();

        var (code, stdout, stderr) = await day2.RunAsync(Pipeline("one"));
        var status = await day2.RunAsync("status");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal(2, day2.Aws.CallsTo("TagResource").Count + day2.Aws.CallsTo("UntagResource").Count);
        Assert.Empty(day2.Aws.Ecs.ServiceTags(DayTwo.Cluster, DayTwo.Service));
        Assert.Contains("auto scaling range 1-4, nothing suspended\n", status.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_FindingScalingSuspendedWithoutARecord_LeavesItSuspended_AndScaleResumeResumesEverything()
    {
        var day2 = new DayTwo();
        await day2.Aws.AutoScaling.RegisterScalableTargetAsync(new RegisterScalableTargetRequest
        {
            ServiceNamespace = "ecs", ResourceId = ResourceId, ScalableDimension = EcsScalableTargets.DesiredCount, SuspendedState = SuspendedState.All,
        }, CancellationToken.None);

        var (code, stdout, stderr) = await day2.RunAsync(Pipeline("one"));
        var status = await day2.RunAsync("status");
        var resume = await day2.RunAsync("scale", "--resume", "--output", "json");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("not by a deploy of EcsDeploy", stdout, StringComparison.Ordinal);
        Assert.Empty(day2.Aws.CallsTo("TagResource"));
        Assert.Contains("auto scaling range 1-4, scale in, scale out, scheduled scaling suspended\n", status.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.True(resume.ExitCode == 0, resume.Stderr);
        Assert.Contains("\"outcome\": \"resumed\"", resume.Stdout, StringComparison.Ordinal);
        Assert.Equal(SuspendedState.None, Now(day2.Aws));
    }

    [Fact]
    public async Task Scale_WithoutCountOrResume_ExitsTwo_AndResumeOfAServiceWithoutAScalableTarget_ExitsTwo()
    {
        var aws = new SimulatedAws();
        Seed.Apply(aws, SeedSpec.Truecaller with { AutoScaling = null });
        var day2 = new DayTwo(aws);

        var neither = await day2.RunAsync("scale");
        var resume = await day2.RunAsync("scale", "--resume");

        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("--count N", neither.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, resume.ExitCode);
        Assert.Contains("no Application Auto Scaling target", resume.Stderr, StringComparison.Ordinal);
        Assert.Empty(day2.Aws.CallsTo("RegisterScalableTarget"));
        Assert.Empty(day2.Aws.CallsTo("UntagResource"));
    }
}
