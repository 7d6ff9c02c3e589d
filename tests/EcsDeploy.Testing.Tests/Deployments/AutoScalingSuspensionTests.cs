using EcsDeploy.Aws;
using EcsDeploy.Hosting;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests.Deployments;

/// <summary>d.SuspendAutoScaling(): scaling is held back during the rollout and restored after it, however it ends.</summary>
public sealed class AutoScalingSuspensionTests
{
    private const string ResourceId = "service/truecaller-backend-cluster/truecaller-backend-service";

    /// <summary>A pipeline whose Deploy registers a new revision (one more variable), so that a real rollout runs.</summary>
    private static PipelineBuilder Pipeline(Action<DeployOptions>? deploy = null)
        => DayTwo.Pipeline(d =>
        {
            d.Environment("FEATURE_FLAGS", "scaling-test").SuspendAutoScaling();
            deploy?.Invoke(d);
        });

    private static SuspendedState? Now(SimulatedAws aws) => aws.AutoScaling.Target(DayTwo.Cluster, DayTwo.Service)!.SuspendedState;

    [Fact]
    public async Task Deploy_WithSuspendAutoScaling_HoldsBackScalingDuringTheRollout_AndRestoresItAfter()
    {
        var day2 = new DayTwo();
        var aws = day2.Aws;
        // A scale in by a policy and a scheduled action while the rollout runs, and a scale out by a policy after it.
        aws.AutoScaling.PolicyScalesAt(TimeSpan.FromSeconds(20), DayTwo.Cluster, DayTwo.Service, 1);
        aws.AutoScaling.ScheduledActionAt(TimeSpan.FromSeconds(25), DayTwo.Cluster, DayTwo.Service, 3, 4);
        aws.AutoScaling.PolicyScalesAt(TimeSpan.FromHours(2), DayTwo.Cluster, DayTwo.Service, 4);

        var (code, stdout, stderr) = await day2.RunAsync(Pipeline());

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal("truecaller-backend:2", day2.Running);
        Assert.Equal(
            [SuspendedState.All, SuspendedState.None],
            aws.AutoScaling.SuspendedStates.Where(s => s.ResourceId == ResourceId).Select(s => s.State));
        Assert.Equal(SuspendedState.None, Now(aws));
        Assert.Equal([("scale-in", true), ("scheduled", true)], aws.AutoScaling.Activities.Select(a => (a.Kind, a.HeldBack)));
        Assert.Equal(2, aws.Ecs.DesiredCount(DayTwo.Cluster, DayTwo.Service));
        Assert.Contains("Application Auto Scaling suspended for the rollout", stdout + stderr, StringComparison.Ordinal);

        aws.Clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal(("scale-out", false), (aws.AutoScaling.Activities[^1].Kind, aws.AutoScaling.Activities[^1].HeldBack));
        Assert.Equal(4, aws.Ecs.DesiredCount(DayTwo.Cluster, DayTwo.Service));
    }

    [Fact]
    public async Task Deploy_WithSuspendAutoScaling_WhoseRolloutFails_RestoresScaling_AndExitsOne()
    {
        var day2 = new DayTwo();
        day2.Aws.Ecs.Behaviour = launch => launch.TaskDefinition.Revision == 2 ? TaskBehaviour.FailsHealthChecks : TaskBehaviour.Healthy;

        var (code, stdout, stderr) = await day2.RunAsync(Pipeline());

        Assert.True(code == 1, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal("truecaller-backend:1", day2.Running);
        Assert.Equal([SuspendedState.All, SuspendedState.None], day2.Aws.AutoScaling.SuspendedStates.Select(s => s.State));
        Assert.Equal(SuspendedState.None, Now(day2.Aws));
    }

    [Fact]
    public async Task Deploy_WithSuspendAutoScaling_CancelledMidRollout_RestoresScaling_AndExits130()
    {
        var day2 = new DayTwo();
        var aws = day2.Aws;
        using var cancel = new CancellationTokenSource();
        var start = aws.Clock.GetUtcNow();
        aws.Clock.Advanced += now =>
        {
            if (now - start > TimeSpan.FromSeconds(30) && aws.CallsTo("RegisterScalableTarget").Count == 1)
            {
                cancel.Cancel();
            }
        };
        var host = new PipelineHost();
        host.Targets.Add("local", new LocalTarget(_ => aws));

        var code = await host.RunAsync(Pipeline(), [], new StringWriter(), new StringWriter(), _ => null, cancel.Token);

        Assert.Equal(130, code);
        Assert.True(cancel.IsCancellationRequested);
        Assert.Equal([SuspendedState.All, SuspendedState.None], aws.AutoScaling.SuspendedStates.Select(s => s.State));
        Assert.Equal(SuspendedState.None, Now(aws));
    }

    [Fact]
    public async Task Deploy_WithSuspendAutoScaling_PutsBackAPartlySuspendedState_AsItWas()
    {
        var day2 = new DayTwo();
        var partly = new SuspendedState(false, false, true);
        await day2.Aws.AutoScaling.RegisterScalableTargetAsync(new RegisterScalableTargetRequest
        {
            ServiceNamespace = "ecs", ResourceId = ResourceId, ScalableDimension = EcsScalableTargets.DesiredCount, SuspendedState = partly,
        }, CancellationToken.None);

        var (code, _, stderr) = await day2.RunAsync(Pipeline());

        Assert.True(code == 0, stderr);
        Assert.Equal([partly, SuspendedState.All, partly], day2.Aws.AutoScaling.SuspendedStates.Select(s => s.State));
    }

    [Fact]
    public async Task Deploy_WithSuspendAutoScaling_OfAServiceWithoutAScalableTarget_RollsOutWithoutSuspending()
    {
        var aws = new SimulatedAws();
        Seed.Apply(aws, SeedSpec.Truecaller with { AutoScaling = null });
        var day2 = new DayTwo(aws);

        var (code, stdout, stderr) = await day2.RunAsync(Pipeline());

        Assert.True(code == 0, stderr);
        Assert.Contains("no Application Auto Scaling target", stdout + stderr, StringComparison.Ordinal);
        Assert.Empty(aws.CallsTo("RegisterScalableTarget"));
        Assert.Equal("truecaller-backend:2", day2.Running);
    }

    [Fact]
    public async Task Deploy_WithoutSuspendAutoScaling_NeverCallsApplicationAutoScaling()
    {
        var day2 = new DayTwo();

        var (code, _, stderr) = await day2.RunAsync(DayTwo.Pipeline(d => d.Environment("FEATURE_FLAGS", "x")));

        Assert.True(code == 0, stderr);
        Assert.DoesNotContain(day2.Aws.Calls, c => c.Service == "ApplicationAutoScaling");
    }

    [Fact]
    public async Task DryRun_WithSuspendAutoScaling_PlansTheSuspension_AndChangesNothing()
    {
        var day2 = new DayTwo();

        var (code, stdout, stderr) = await day2.RunAsync(Pipeline(), "--dry-run");

        Assert.True(code == 0, stderr);
        Assert.Contains("suspended during the rollout, then restored (nothing suspended now; range 1-4)", stdout, StringComparison.Ordinal);
        Assert.Empty(day2.Aws.CallsTo("RegisterScalableTarget"));
    }

    [Fact]
    public async Task Rollback_OfAPipelineThatSuspendsAutoScaling_SuspendsItForTheRollbackToo()
    {
        var day2 = new DayTwo();
        await day2.DeployAsync(day2.Register("v2"));

        var (code, _, stderr) = await day2.RunAsync(Pipeline(), "rollback", "--to", "1");

        Assert.True(code == 0, stderr);
        Assert.Equal("truecaller-backend:1", day2.Running);
        Assert.Equal([SuspendedState.All, SuspendedState.None], day2.Aws.AutoScaling.SuspendedStates.Select(s => s.State));
    }
}
