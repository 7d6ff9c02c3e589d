using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests;

/// <summary>
/// Blue/green, linear and canary deployments from a script's command line on the simulated AWS: <c>--wait-until</c> a
/// lifecycle stage, and <c>rollback</c> of a deployment that is baking or paused.
/// </summary>
public sealed class StrategyCommandLineTests
{
    private const string Cluster = DayTwo.Cluster;
    private const string Service = DayTwo.Service;

    internal static (DayTwo Day2, TrafficShifting Traffic) Seeded()
    {
        var aws = Seed.Truecaller();
        var traffic = aws.Ecs.AddTrafficShifting(Cluster, Service);
        return (new DayTwo(aws), traffic);
    }

    /// <summary>The day-2 pipeline with a canary (10 %, 5 min) and the test-traffic gate; RELEASE makes a new revision.</summary>
    internal static PipelineBuilder Canary(TrafficShifting traffic, string release = "2", Action<DeployOptions>? more = null) => DayTwo.Pipeline(d =>
    {
        d.Environment("RELEASE", release)
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)))
            .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule)
                .TestListenerRule(traffic.TestListenerRule).Role(traffic.RoleArn))
            .TestTraffic(t => t.Http("/health").Port(traffic.TestPort).Deadline(TimeSpan.FromMinutes(1)))
            .RollbackOnAlarms("truecaller-backend-5xx");
        more?.Invoke(d);
    });

    internal static ServiceDeployment Current(SimulatedAws aws)
    {
        var arn = aws.Ecs.Service(Cluster, Service).CurrentServiceDeployment!;
        return aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([arn]), CancellationToken.None).Result.ServiceDeployments.Single();
    }

    [Fact]
    public async Task WaitUntil_ProductionTrafficShift_StopsFollowingThere_SkipsVerify_AndExits0NotConfirmed()
    {
        var (day2, traffic) = Seeded();
        var aws = day2.Aws;

        var (code, stdout, stderr) = await day2.RunAsync(Canary(traffic).Verify(v => v.Http("/health")), "--wait-until", "PRODUCTION_TRAFFIC_SHIFT", "--output", "json");

        Assert.True(code == 0, stderr + stdout);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("not-confirmed", json.RootElement.GetProperty("outcome").GetString());
        var verify = json.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Verify");
        Assert.Equal("skipped", verify.GetProperty("status").GetString());
        Assert.Contains("reached PRODUCTION_TRAFFIC_SHIFT (--wait-until PRODUCTION_TRAFFIC_SHIFT), production 10 % on the new revision", stderr, StringComparison.Ordinal);
        // The run stopped at the canary: ECS has shifted 10 % and nothing more, and the deployment goes on without the run.
        var deployment = Current(aws);
        Assert.Equal(ServiceDeploymentStatuses.InProgress, deployment.Status);
        Assert.Equal(LifecycleHookStages.ProductionTrafficShift, deployment.LifecycleStage);
        Assert.Equal([0.0, 10.0], aws.Ecs.TrafficHistory(Service).Select(h => h.ProductionPercent));
        Assert.Single(aws.CallsTo("ContinueServiceDeployment"));
        Assert.Empty(aws.CallsTo("StopServiceDeployment"));
        var reads = aws.CallsTo("DescribeServiceDeployments").Count;

        aws.Clock.Advance(TimeSpan.FromMinutes(15));

        Assert.Equal(ServiceDeploymentStatuses.Successful, Current(aws).Status);
        Assert.Equal(reads + 1, aws.CallsTo("DescribeServiceDeployments").Count);
    }

    [Fact]
    public async Task WaitUntil_PostTestTrafficShift_StillAnswersTheTestTrafficGate_BeforeItStopsFollowing()
    {
        var (day2, traffic) = Seeded();

        var (code, stdout, stderr) = await day2.RunAsync(Canary(traffic), "--wait-until", "post_test_traffic_shift");

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("test traffic checks passed; continuing to production traffic", stdout, StringComparison.Ordinal);
        Assert.Single(day2.Aws.CallsTo("ContinueServiceDeployment"));
        day2.Aws.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(ServiceDeploymentStatuses.Successful, Current(day2.Aws).Status);
    }

    [Fact]
    public async Task WaitUntil_Deployed_IsTheDefault_FollowsToTheEnd_AndVerifies()
    {
        var (day2, traffic) = Seeded();

        var (code, stdout, stderr) = await day2.RunAsync(Canary(traffic).Verify(v => v.Http("/health")), "--wait-until", "deployed", "--output", "json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("deployed", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(ServiceDeploymentStatuses.Successful, Current(day2.Aws).Status);
    }

    [Theory]
    [InlineData(new[] { "--wait-until", "HALFWAY" }, "--wait-until must be 'deployed' or a lifecycle stage of a blue/green, linear or canary deployment (RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP), not 'HALFWAY'.")]
    [InlineData(new[] { "--wait-until", "BAKE_TIME", "--no-wait" }, "--no-wait and --wait-until BAKE_TIME contradict each other: one waits for nothing, the other until BAKE_TIME; drop one.")]
    public async Task WaitUntil_BadValue_Exits2BeforeAnyCall(string[] args, string message)
    {
        var (day2, traffic) = Seeded();
        var before = day2.Aws.Calls.Count;

        var (code, _, stderr) = await day2.RunAsync(Canary(traffic), args);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Equal(before, day2.Aws.Calls.Count);
    }

    [Fact]
    public async Task WaitUntil_AStage_WithARollingDeployment_Exits2_NothingChanged()
    {
        var day2 = new DayTwo();
        var before = day2.Aws.Ecs.Service(Cluster, Service).TaskDefinition;

        var (code, stdout, stderr) = await day2.RunAsync(DayTwo.Pipeline(d => d.Environment("RELEASE", "2")), "--wait-until", "BAKE_TIME");

        Assert.Equal(2, code);
        Assert.Contains("--wait-until BAKE_TIME: 'truecaller-backend-service' is deployed with a rolling deployment, which has no lifecycle stages to stop at", stdout + stderr, StringComparison.Ordinal);
        Assert.Empty(day2.Aws.CallsTo("UpdateService"));
        Assert.Empty(day2.Aws.CallsTo("RegisterTaskDefinition"));
        Assert.Equal(before, day2.Aws.Ecs.Service(Cluster, Service).TaskDefinition);
    }

    [Fact]
    public async Task Help_ListsWaitUntil()
    {
        var (code, stdout, _) = await new DayTwo().RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Contains("--wait-until <deployed|STAGE>", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IamPolicy_OfACanaryFromTerraform_ScopesServiceDeploymentsToTheServiceTerraformNames()
    {
        var aws = new SimulatedAws();
        Seed.Apply(aws, SeedSpec.Truecaller with { Cluster = "platform-cluster", Service = "api-service" });
        var traffic = aws.Ecs.AddTrafficShifting("platform-cluster", "api-service");
        var definition = Pipeline.FromTerraform("truecaller-backend")
            .InRegion("eu-central-1")
            .Deploy(d => d.Container("truecaller-backend")
                .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
                .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule).Role(traffic.RoleArn)))
            .Build();

        var resolved = await EcsDeploy.Discovery.TerraformNames.ResolveAsync(definition, aws.Terraform, CancellationToken.None);
        using var json = JsonDocument.Parse(Iam.IamPolicy.For(new Iam.IamScope(resolved, "123456789012")));

        var follow = json.RootElement.GetProperty("Statement").EnumerateArray().Single(s => s.GetProperty("Sid").GetString() == "FollowServiceDeployments");
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:service-deployment/platform-cluster/api-service/*", follow.GetProperty("Resource").ToString().Trim('[', ']', '"'));
    }

    [Fact]
    public async Task Rollback_DuringTheCanaryBake_StopsTheServiceDeploymentWithRollback_AndFollowsItToRollbackSuccessful()
    {
        var (day2, traffic) = Seeded();
        var aws = day2.Aws;
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        var (deployed, _, deployErr) = await day2.RunAsync(Canary(traffic), "--wait-until", "PRODUCTION_TRAFFIC_SHIFT");
        Assert.True(deployed == 0, deployErr);
        var baking = Current(aws);
        Assert.Equal(LifecycleHookStages.ProductionTrafficShift, baking.LifecycleStage);

        var (code, stdout, stderr) = await day2.RunAsync(Canary(traffic), "rollback", "--output", "json");

        Assert.True(code == 0, stderr + stdout);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("rolled-back", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(before, json.RootElement.GetProperty("to").GetString());
        Assert.Contains("(IN_PROGRESS at PRODUCTION_TRAFFIC_SHIFT, production 10 % on truecaller-backend:2) replaces it", json.RootElement.GetProperty("chosen").GetString(), StringComparison.Ordinal);
        Assert.Single(aws.CallsTo("StopServiceDeployment"));
        Assert.Empty(aws.CallsTo("UpdateService").Skip(1));
        var after = Current(aws);
        Assert.Equal(baking.ServiceDeploymentArn, after.ServiceDeploymentArn);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, after.Status);
        Assert.Contains("StopServiceDeployment", after.Rollback!.Reason, StringComparison.Ordinal);
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
        Assert.Equal(0.0, aws.Ecs.TrafficHistory(Service)[^1].ProductionPercent);
    }

    [Fact]
    public async Task Rollback_DuringTheCanaryBake_IsFollowedOnTheDeployFollowersSchedule_SparseWhileTheNewRevisionDrains()
    {
        var (day2, traffic) = Seeded();
        var aws = day2.Aws;
        var (deployed, _, deployErr) = await day2.RunAsync(Canary(traffic), "--wait-until", "PRODUCTION_TRAFFIC_SHIFT");
        Assert.True(deployed == 0, deployErr);

        var (code, stdout, stderr) = await day2.RunAsync(Canary(traffic), "rollback");

        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, Current(aws).Status);
        // The rollback ends once the new revision's targets drained (300 s): read every 15 s meanwhile, 5 s near the end,
        // and seen within 5 s of ECS deciding it; a 5 s poll throughout read 64 times.
        var stop = aws.CallsTo("StopServiceDeployment").Single().At;
        var reads = aws.CallsTo("DescribeServiceDeployments").Where(c => c.At > stop).ToList();
        var finished = Current(aws).FinishedAt!.Value;
        Assert.InRange(reads.Count, 15, 35);
        Assert.InRange(reads[^1].At - finished, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Contains("canary deployment ROLLBACK_SUCCESSFUL", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_WhilePausedAtTheTestTrafficHook_StopsIt_AndProductionTrafficNeverMoved()
    {
        var (day2, traffic) = Seeded();
        var aws = day2.Aws;
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        // --no-wait: nobody answers the pause hook.
        var (started, _, startErr) = await day2.RunAsync(Canary(traffic), "--no-wait");
        Assert.True(started == 0, startErr);
        for (var i = 0; i < 60 && Current(aws).LifecycleStage != LifecycleHookStages.PostTestTrafficShift; i++)
        {
            aws.Clock.Advance(TimeSpan.FromSeconds(30));
        }
        var paused = Current(aws);
        Assert.Equal(LifecycleHookStages.PostTestTrafficShift, paused.LifecycleStage);
        Assert.Contains(paused.LifecycleHookDetails!, h => h.Status == LifecycleHookStatuses.AwaitingAction);

        var (code, stdout, stderr) = await day2.RunAsync(Canary(traffic), "rollback");

        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("stopping service deployment", stdout, StringComparison.Ordinal);
        Assert.Contains("(IN_PROGRESS at POST_TEST_TRAFFIC_SHIFT, production 0 % on truecaller-backend:2) with ROLLBACK: back to truecaller-backend:1", stdout, StringComparison.Ordinal);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, Current(aws).Status);
        Assert.Empty(aws.CallsTo("ContinueServiceDeployment"));
        Assert.All(aws.Ecs.TrafficHistory(Service), h => Assert.Equal(0.0, h.ProductionPercent));
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
    }

    [Fact]
    public async Task Rollback_DuringTheBake_WithToAnotherRevision_IsRefused_NothingChanged()
    {
        var (day2, traffic) = Seeded();
        var (deployed, _, deployErr) = await day2.RunAsync(Canary(traffic), "--wait-until", "PRODUCTION_TRAFFIC_SHIFT");
        Assert.True(deployed == 0, deployErr);

        var (code, stdout, stderr) = await day2.RunAsync(Canary(traffic), "rollback", "--to", "2");

        Assert.Equal(2, code);
        Assert.Contains("Refusing rollback --to 2: service deployment", stdout + stderr, StringComparison.Ordinal);
        Assert.Empty(day2.Aws.CallsTo("StopServiceDeployment"));
        Assert.Equal(ServiceDeploymentStatuses.InProgress, Current(day2.Aws).Status);
    }

    [Fact]
    public async Task Rollback_DryRun_DuringTheBake_SaysWhatItWouldStop_AndChangesNothing()
    {
        var (day2, traffic) = Seeded();
        var (deployed, _, deployErr) = await day2.RunAsync(Canary(traffic), "--wait-until", "PRODUCTION_TRAFFIC_SHIFT");
        Assert.True(deployed == 0, deployErr);

        var (code, stdout, _) = await day2.RunAsync(Canary(traffic), "rollback", "--dry-run");

        Assert.Equal(0, code);
        Assert.Contains("with ROLLBACK: back to truecaller-backend:1", stdout, StringComparison.Ordinal);
        Assert.Contains("would stop service deployment", stdout, StringComparison.Ordinal);
        Assert.Empty(day2.Aws.CallsTo("StopServiceDeployment"));
    }

    private static PipelineBuilder CanaryFromTerraform() => Pipeline.FromTerraform("truecaller-backend")
        .InRegion("eu-central-1")
        .Deploy(d => d.Container("truecaller-backend").Environment("RELEASE", "2")
            .Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
            .LoadBalancer(lb => lb.FromTerraform())
            .TestTraffic(t => t.Http("/health").Port(8080).Deadline(TimeSpan.FromMinutes(1))));

    [Fact]
    public async Task LoadBalancerFromTerraform_OnTheLocalTarget_TakesTheArnsFromTheOutputs_AndDeploysTheCanary()
    {
        var local = new LocalTarget();
        var host = new EcsDeploy.Hosting.PipelineHost();
        host.Targets.Add("local", local);
        var stdout = new StringWriter();

        var code = await host.RunAsync(CanaryFromTerraform(), [], stdout, new StringWriter(), _ => null);

        Assert.True(code == 0, stdout.ToString());
        var aws = local.Created!;
        var outputs = (await aws.Terraform.ReadAsync(CancellationToken.None))!;
        var routing = aws.Ecs.Service("truecaller-backend-cluster", "truecaller-backend-service").LoadBalancers.Single().AdvancedConfiguration!;
        Assert.Equal(outputs["alternate_target_group_arn"].Value.GetString(), routing.AlternateTargetGroupArn);
        Assert.Equal(outputs["test_listener_rule_arn"].Value.GetString(), routing.TestListenerRule);
        Assert.Equal(outputs["ecs_infrastructure_role_arn"].Value.GetString(), routing.RoleArn);
        Assert.Contains("alternate target group " + routing.AlternateTargetGroupArn, stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(ServiceDeploymentStatuses.Successful, Current(aws).Status);
    }

    [Fact]
    public async Task LoadBalancerFromTerraform_WithTheOutputsMissing_ListsThemAll_Exit2_NothingChanged()
    {
        var aws = new SimulatedAws();
        Seed.Apply(aws, SeedSpec.Truecaller);
        var host = new EcsDeploy.Hosting.PipelineHost();
        host.Targets.Add("local", new LocalTarget(_ => aws));
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await host.RunAsync(CanaryFromTerraform(), [], stdout, stderr, _ => null);

        Assert.Equal(2, code);
        Assert.Contains("lacks the outputs alternate_target_group_arn (the alternate target group), production_listener_rule_arn (the production listener rule), test_listener_rule_arn (the test listener rule), ecs_infrastructure_role_arn (the infrastructure role)", stdout.ToString() + stderr, StringComparison.Ordinal);
        Assert.Empty(aws.CallsTo("UpdateService"));
    }

    [Fact]
    public void LoadBalancerFromTerraform_InAPipelineThatReadsNoTerraform_IsInvalidAtBuild()
    {
        var error = Assert.Throws<PipelineValidationException>(() => DayTwo.Pipeline(d => d.Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))).LoadBalancer(lb => lb.FromTerraform())).Build());

        Assert.Contains("lb.FromTerraform() takes the load balancer's ARNs from Terraform outputs, but this pipeline reads none: start it with Pipeline.FromTerraform(", error.Message, StringComparison.Ordinal);
    }
}
