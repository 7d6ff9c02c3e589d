using System.Text.Json;
using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Hosting;
using EcsDeploy.Tests.Aws.Wire;

namespace EcsDeploy.Tests.Operations;

/// <summary>
/// Each day-2 command through the script host and EcsDeploy's wire clients against moto, an independent AWS emulator;
/// boto3 (<see cref="MotoServerFixture.ReadAsync"/>) confirms the state each leaves. Every test seeds a service of its own
/// (moto_day2.py), so that the shared server's other tests are not disturbed.
/// What moto 5.2.1 lacks, and so what these tests cannot show against it (the simulated AWS and the local AWS host
/// cover it, see DayTwoThroughHostTests):
/// - ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions are not implemented (moto/ecs/responses.py
///   has no handler): rollback and revisions fall back to the service's deployments and tasks, so with no --to rollback
///   finds no target on moto, and no revision is marked "rollback target".
/// - UpdateService adds no deployment: the service's one deployment keeps its first task definition and state. moto_day2.py
///   creates the service at 0 tasks (so that deployment is COMPLETED) and scales it to 2, so a rollout on moto ends when
///   the follower reads that old deployment COMPLETED: the exit code says little, the state boto3 reads says what changed.
/// - The service keeps no deploymentConfiguration, so diff always shows the circuit breaker settings as unset.
/// - Application Auto Scaling keeps SuspendedState and the range, but runs no scaling activity.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class DayTwoOnMotoTests(MotoServerFixture moto)
{
    private sealed class MotoTarget(MotoServerFixture moto) : IDeploymentTarget
    {
        public async Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken)
            => await AwsWireEnvironment.CreateAsync(new AwsWireOptions
            {
                Region = MotoServerFixture.Region,
                Credentials = new BasicAWSCredentials(moto.AccessKeyId, moto.SecretAccessKey),
                Environment = moto.EnvironmentFor(moto.Endpoint),
            }, cancellationToken);
    }

    private sealed record Seeded(string Cluster, string Service, string Family, string ResourceId, IReadOnlyList<string> Revisions)
    {
        public PipelineBuilder Pipeline(Action<DeployOptions>? deploy = null) => EcsDeploy.Pipeline.For(Family)
            .InRegion(MotoServerFixture.Region)
            .OnCluster(Cluster)
            .Deploy(d =>
            {
                d.Service(Service).Container(Family).Environment("NODE_ENV", "production");
                deploy?.Invoke(d);
            });
    }

    private async Task<Seeded> SeedAsync(string name)
    {
        var seed = await moto.SeedServiceAsync(name);
        return new Seeded(seed.GetProperty("cluster").GetString()!, seed.GetProperty("service").GetString()!, seed.GetProperty("family").GetString()!,
            seed.GetProperty("resourceId").GetString()!, [.. seed.GetProperty("revisions").EnumerateArray().Select(r => r.GetString()!)]);
    }

    /// <summary>The script's command line with <c>--target moto</c> right after the command's name.</summary>
    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(PipelineBuilder pipeline, params string[] args)
    {
        var host = new PipelineHost();
        host.Targets.Add("moto", new MotoTarget(moto));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] line = args.Length == 0 ? ["--target", "moto"] : [args[0], "--target", "moto", .. args[1..]];
        var code = await host.RunAsync(pipeline, line, stdout, stderr, _ => null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private async Task<JsonElement> ServiceAsync(Seeded seeded)
        => (await moto.ReadAsync("ecs", "describe_services", new { cluster = seeded.Cluster, services = new[] { seeded.Service } })).GetProperty("services")[0];

    private async Task<JsonElement> ScalableTargetAsync(Seeded seeded)
        => (await moto.ReadAsync("application-autoscaling", "describe_scalable_targets", new { ServiceNamespace = "ecs", ResourceIds = new[] { seeded.ResourceId } }))
            .GetProperty("ScalableTargets")[0];

    /// <summary>The family's revisions in <paramref name="status"/>, oldest first (moto ignores ListTaskDefinitions' sort).</summary>
    private async Task<IReadOnlyList<string>> RevisionsAsync(Seeded seeded, string status)
        => [.. (await moto.ReadAsync("ecs", "list_task_definitions", new { familyPrefix = seeded.Family, status }))
            .GetProperty("taskDefinitionArns").EnumerateArray().Select(a => a.GetString()!).OrderBy(a => int.Parse(a[(a.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture))];

    private static string Describe((int Code, string Stdout, string Stderr) run) => $"exit {run.Code}\n{run.Stdout}\n{run.Stderr}";

    [Fact]
    public async Task Status_ReadsTheServiceBoto3Describes()
    {
        var seeded = await SeedAsync("d2-status");

        var run = await RunAsync(seeded.Pipeline(), "status", "--output", "json");

        Assert.True(run.Code == 0, Describe(run));
        var status = JsonDocument.Parse(run.Stdout).RootElement;
        var service = await ServiceAsync(seeded);
        Assert.Equal(service.GetProperty("taskDefinition").GetString(), status.GetProperty("taskDefinition").GetString());
        Assert.Equal(seeded.Revisions[1], status.GetProperty("taskDefinition").GetString());
        Assert.Equal(2, status.GetProperty("desiredCount").GetInt32());
        Assert.Equal(service.GetProperty("runningCount").GetInt32(), status.GetProperty("runningCount").GetInt32());
        Assert.Contains(seeded.Revisions[1], status.GetProperty("revisionsInUse").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Diff_FindsTheVariableThePipelineAdds_AndNoDifferenceWithoutIt()
    {
        var seeded = await SeedAsync("d2-diff");

        // The seeded service runs with the circuit breaker and its rollback on: so does the pipeline, or diff shows that.
        var changed = await RunAsync(seeded.Pipeline(d => d.Environment("FEATURE_FLAGS", "on").RollbackOnFailure()), "diff", "--exit-code");
        var same = await RunAsync(seeded.Pipeline(d => d.RollbackOnFailure()), "diff", "--exit-code");

        Assert.True(changed.Code == 1, Describe(changed));
        Assert.Contains("+ containerDefinitions[d2-diff].environment[FEATURE_FLAGS]", changed.Stdout, StringComparison.Ordinal);
        // The task definition as moto answers it normalises to no difference; moto keeps no deploymentConfiguration, so
        // the breaker settings Deploy owns read as unset (on AWS and the simulated AWS this pipeline finds no difference).
        Assert.True(same.Code == 1, Describe(same));
        Assert.Contains("task definition\n  (no difference)\nservice\n"
            + "  ~ deploymentConfiguration.deploymentCircuitBreaker.enable: (unset) -> true\n"
            + "  ~ deploymentConfiguration.deploymentCircuitBreaker.rollback: (unset) -> true\n", same.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(seeded.Revisions[1], (await ServiceAsync(seeded)).GetProperty("taskDefinition").GetString());
    }

    [Fact]
    public async Task RevisionsAndDeregister_ListWhatBoto3Lists_AndDeregisterOnlyWhatIsNotInUse()
    {
        var seeded = await SeedAsync("d2-revisions");

        var revisions = await RunAsync(seeded.Pipeline(), "revisions", "--output", "json");
        var deregister = await RunAsync(seeded.Pipeline(), "deregister", "--keep", "1");

        Assert.True(revisions.Code == 0, Describe(revisions));
        var listed = JsonDocument.Parse(revisions.Stdout).RootElement.GetProperty("revisions").EnumerateArray().ToList();
        Assert.Equal([seeded.Revisions[2], seeded.Revisions[1], seeded.Revisions[0]], listed.Select(r => r.GetProperty("taskDefinitionArn").GetString()));
        Assert.Equal(["service"], listed[1].GetProperty("inUse").EnumerateArray().Select(u => u.GetString()));
        Assert.Empty(listed[0].GetProperty("inUse").EnumerateArray());
        Assert.True(deregister.Code == 0, Describe(deregister));
        // :3 is the newest (kept), :2 the service's; :1 goes.
        Assert.Equal([seeded.Revisions[1], seeded.Revisions[2]], await RevisionsAsync(seeded, "ACTIVE"));
        Assert.Equal([seeded.Revisions[0]], await RevisionsAsync(seeded, "INACTIVE"));
    }

    [Fact]
    public async Task Deregister_WithDelete_DeletesTheDeregisteredRevision_AsBoto3Sees()
    {
        var seeded = await SeedAsync("d2-delete");

        var run = await RunAsync(seeded.Pipeline(), "deregister", "--keep", "1", "--delete");

        Assert.True(run.Code == 0, Describe(run));
        Assert.Equal([seeded.Revisions[1], seeded.Revisions[2]], await RevisionsAsync(seeded, "ACTIVE"));
        // Deleted: neither ACTIVE nor INACTIVE any more.
        Assert.Empty(await RevisionsAsync(seeded, "INACTIVE"));
        Assert.Contains("deleted          " + seeded.Family + ":1", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_PointsTheServiceAtTheGivenRevision_AndRefusesAnInactiveOne()
    {
        var seeded = await SeedAsync("d2-rollback");
        PipelineBuilder Pipeline() => seeded.Pipeline();

        var noTarget = await RunAsync(Pipeline(), "rollback");
        var run = await RunAsync(Pipeline(), "rollback", "--to", "1");

        // Without the service deployment history (not in moto) and with one deployment and no replaced tasks, there is no
        // evidence of an earlier revision: it asks for --to and changes nothing.
        Assert.True(noTarget.Code == 2, Describe(noTarget));
        Assert.Contains("--to REVISION", noTarget.Stderr, StringComparison.Ordinal);
        Assert.True(run.Code == 0, Describe(run));
        Assert.Contains("to           " + seeded.Family + ":1", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(seeded.Revisions[0], (await ServiceAsync(seeded)).GetProperty("taskDefinition").GetString());

        await moto.ReadAsync("ecs", "deregister_task_definition", new { taskDefinition = seeded.Revisions[2] });
        var inactive = await RunAsync(Pipeline(), "rollback", "--to", "3");
        Assert.True(inactive.Code == 2, Describe(inactive));
        Assert.Contains("INACTIVE", inactive.Stderr, StringComparison.Ordinal);
        Assert.Equal(seeded.Revisions[0], (await ServiceAsync(seeded)).GetProperty("taskDefinition").GetString());
    }

    [Fact]
    public async Task Run_RunsAnAwsvpcTaskWithTheServicesNetwork_ThatBoto3DescribesAsStopped()
    {
        var seeded = await SeedAsync("d2-run");

        var run = await RunAsync(seeded.Pipeline(), "run", "--revision", "3", "--", "echo", "hi");

        Assert.True(run.Code == 0, Describe(run));
        Assert.Contains("succeeded: echo hi on " + seeded.Family + ":3", run.Stdout, StringComparison.Ordinal);
        // moto runs no service tasks: the cluster's one task is the one-off task.
        var arns = (await moto.ReadAsync("ecs", "list_tasks", new { cluster = seeded.Cluster })).GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var task = Assert.Single((await moto.ReadAsync("ecs", "describe_tasks", new { cluster = seeded.Cluster, tasks = arns })).GetProperty("tasks").EnumerateArray());
        Assert.Equal("STOPPED", task.GetProperty("lastStatus").GetString());
        Assert.Equal(0, task.GetProperty("containers")[0].GetProperty("exitCode").GetInt32());
        Assert.Equal(seeded.Revisions[2], task.GetProperty("taskDefinitionArn").GetString());
        Assert.Equal(["echo", "hi"], task.GetProperty("overrides").GetProperty("containerOverrides")[0].GetProperty("command").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("awsvpc", (await moto.ReadAsync("ecs", "describe_task_definition", new { taskDefinition = seeded.Revisions[2] })).GetProperty("taskDefinition").GetProperty("networkMode").GetString());
        Assert.Equal(seeded.Revisions[1], (await ServiceAsync(seeded)).GetProperty("taskDefinition").GetString());
    }

    [Fact]
    public async Task Scale_SetsTheCountBoto3Describes_RefusesOneOutsideTheRange_AndAdjustsTheRange()
    {
        var seeded = await SeedAsync("d2-scale");

        var scaled = await RunAsync(seeded.Pipeline(), "scale", "--count", "3", "--no-wait");
        var refused = await RunAsync(seeded.Pipeline(), "scale", "--count", "9", "--no-wait");
        var countAfterRefusal = (await ServiceAsync(seeded)).GetProperty("desiredCount").GetInt32();
        var adjusted = await RunAsync(seeded.Pipeline(), "scale", "--count", "6", "--adjust-range", "--no-wait");

        Assert.True(scaled.Code == 0, Describe(scaled));
        Assert.True(refused.Code == 2, Describe(refused));
        Assert.Contains("above the maximum capacity 4", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, countAfterRefusal);
        Assert.True(adjusted.Code == 0, Describe(adjusted));
        Assert.Equal(6, (await ServiceAsync(seeded)).GetProperty("desiredCount").GetInt32());
        var target = await ScalableTargetAsync(seeded);
        Assert.Equal(1, target.GetProperty("MinCapacity").GetInt32());
        Assert.Equal(6, target.GetProperty("MaxCapacity").GetInt32());
    }

    [Fact]
    public async Task DeployWithSuspendAutoScaling_SuspendsForTheRollout_AndRestoresTheStateBoto3DescribedBefore()
    {
        var seeded = await SeedAsync("d2-suspend");
        var before = await ScalableTargetAsync(seeded);
        var pipeline = seeded.Pipeline(d => d.Environment("FEATURE_FLAGS", "moto").SuspendAutoScaling());

        var run = await RunAsync(pipeline);

        Assert.True(run.Code == 0, Describe(run));
        Assert.Contains("Application Auto Scaling suspended for the rollout", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Application Auto Scaling restored to its state before the rollout", run.Stdout, StringComparison.Ordinal);
        var after = await ScalableTargetAsync(seeded);
        // Registered without one, the target had no SuspendedState (nothing suspended); it is put back as the explicit same.
        Assert.False(before.TryGetProperty("SuspendedState", out _), before.GetRawText());
        var state = after.GetProperty("SuspendedState");
        Assert.Equal([false, false, false], new[] { "DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended" }.Select(k => state.GetProperty(k).GetBoolean()));
        Assert.Equal((1, 4), (after.GetProperty("MinCapacity").GetInt32(), after.GetProperty("MaxCapacity").GetInt32()));
        Assert.EndsWith($"/{seeded.Family}:4", (await ServiceAsync(seeded)).GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusAndScaleResume_ReadTheTagADeployLeft_AndPutBackTheStateItRecorded()
    {
        var seeded = await SeedAsync("d2-resume");
        var serviceArn = (await ServiceAsync(seeded)).GetProperty("serviceArn").GetString()!;
        // What a deploy with d.SuspendAutoScaling() leaves when it is killed mid-rollout: the tag, and scaling suspended.
        await moto.ReadAsync("ecs", "tag_resource", new { resourceArn = serviceArn, tags = new[] { new { key = "ecsdeploy:autoscaling-suspended", value = "restore in=false out=false scheduled=true at=2026-01-05T09:00:00Z" } } });
        await moto.ReadAsync("application-autoscaling", "register_scalable_target", new
        {
            ServiceNamespace = "ecs", ResourceId = seeded.ResourceId, ScalableDimension = "ecs:service:DesiredCount",
            SuspendedState = new { DynamicScalingInSuspended = true, DynamicScalingOutSuspended = true, ScheduledScalingSuspended = true },
        });

        var status = await RunAsync(seeded.Pipeline(), "status");
        var resume = await RunAsync(seeded.Pipeline(), "scale", "--resume");

        Assert.True(status.Code == 0, Describe(status));
        Assert.Contains("scaling suspended by a previous deploy at 2026-01-05 09:00 UTC that did not finish: resume with 'scale --resume'", status.Stdout, StringComparison.Ordinal);
        Assert.True(resume.Code == 0, Describe(resume));
        var state = (await ScalableTargetAsync(seeded)).GetProperty("SuspendedState");
        Assert.Equal([false, false, true], new[] { "DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended" }.Select(k => state.GetProperty(k).GetBoolean()));
        Assert.Empty((await moto.ReadAsync("ecs", "list_tags_for_resource", new { resourceArn = serviceArn })).GetProperty("tags").EnumerateArray());
    }
}
