using System.Net;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Tests;

/// <summary>
/// Blue/green, linear and canary deployments end to end on the simulated AWS: the strategy's traffic shifts on the virtual
/// clock, the test-traffic gate (a PAUSE hook answered by the run), alarms, hook timeouts, and cancellation.
/// </summary>
public sealed class StrategyScenarioTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    private static (SimulatedAws Aws, TrafficShifting Traffic) Seeded()
    {
        var aws = Seed.Truecaller();
        return (aws, aws.Ecs.AddTrafficShifting(Cluster, Service));
    }

    private static PipelineDefinition Pipeline(TrafficShifting traffic, DeploymentStrategy strategy, Action<DeployOptions>? more = null)
        => TestPipelines.Seed(TestPipelines.CreateContext(), d =>
        {
            d.Strategy(strategy)
                .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule)
                    .TestListenerRule(traffic.TestListenerRule).Role(traffic.RoleArn))
                .TestTraffic(t => t.Http("/health").Port(traffic.TestPort).Deadline(TimeSpan.FromMinutes(1)))
                .RollbackOnAlarms("truecaller-backend-5xx");
            more?.Invoke(d);
        }).Build();

    private static ServiceDeployment LastServiceDeployment(SimulatedAws aws)
    {
        var arn = aws.Ecs.Service(Cluster, Service).CurrentServiceDeployment!;
        return aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([arn]), CancellationToken.None).Result.ServiceDeployments.Single();
    }

    [Theory]
    [InlineData("canary")]
    [InlineData("linear")]
    [InlineData("blue/green")]
    public async Task Strategy_WhenTestTrafficPasses_ShiftsProductionAsTheStrategySays_AndSucceeds(string name)
    {
        var (aws, traffic) = Seeded();
        var strategy = name switch
        {
            "canary" => DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)),
            "linear" => DeploymentStrategy.Linear(25, TimeSpan.FromMinutes(1)),
            _ => DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(3)),
        };
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;

        var (result, events) = await TestPipelines.RunAsync(aws, Pipeline(traffic, strategy));

        Assert.True(result.ExitCode == ExitCodes.Success, TestPipelines.AllText(result, events));
        var deployment = LastServiceDeployment(aws);
        Assert.Equal(ServiceDeploymentStatuses.Successful, deployment.Status);
        var service = aws.Ecs.Service(Cluster, Service);
        Assert.NotEqual(before, service.TaskDefinition);
        Assert.Single(service.Deployments);
        Assert.Equal(strategy.Name, service.DeploymentConfiguration!.Strategy);
        Assert.Equal(traffic.AlternateTargetGroupArn, service.LoadBalancers.Single().AdvancedConfiguration!.AlternateTargetGroupArn);
        // Test traffic moves first; production only once the checks passed, in the strategy's steps.
        var history = aws.Ecs.TrafficHistory(Service);
        Assert.Equal((0, 100), (history[0].ProductionPercent, history[0].TestPercent));
        var production = history.Skip(1).Select(h => h.ProductionPercent).ToList();
        Assert.Equal(name switch { "canary" => [10.0, 100.0], "linear" => [25.0, 50.0, 75.0, 100.0], _ => [100.0] }, production);
        var continued = aws.CallsTo("ContinueServiceDeployment").Single();
        Assert.True(history[1].At >= continued.At, $"{history[1].At:O} {continued.At:O} {string.Join("; ", history)}");
        Assert.True(continued.At >= history[0].At);
        Assert.Contains(events.Events, e => e.ToString().Contains("test traffic: GET http://", StringComparison.Ordinal) && e.ToString().Contains(":8080/health: passed", StringComparison.Ordinal));
        // The bakes ran on the virtual clock: from the production shift to the end at least the strategy's minimum.
        Assert.True(deployment.FinishedAt!.Value - history[1].At >= strategy.MinimumDuration, $"{deployment.FinishedAt} - {history[1].At}");
    }

    [Fact]
    public async Task Canary_OnAServiceThatRunsTheSameRevisionWithRolling_StillDeploys_SoTheStrategyApplies()
    {
        var (aws, traffic) = Seeded();
        var context = TestPipelines.CreateContext();
        var (rolling, rollingEvents) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(context).Build());
        Assert.True(rolling.ExitCode == ExitCodes.Success, TestPipelines.AllText(rolling, rollingEvents));
        var revision = aws.Ecs.Service(Cluster, Service).TaskDefinition;

        // Same sources, so the same image and revision: only the strategy changes.
        var canary = TestPipelines.Seed(context, d => d.Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
            .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule)
                .TestListenerRule(traffic.TestListenerRule).Role(traffic.RoleArn))).Build();
        var (result, events) = await TestPipelines.RunAsync(aws, canary);

        var text = TestPipelines.AllText(result, events);
        Assert.True(result.ExitCode == ExitCodes.Success, text);
        Assert.DoesNotContain("nothing to deploy", text, StringComparison.Ordinal);
        var service = aws.Ecs.Service(Cluster, Service);
        Assert.Equal(revision, service.TaskDefinition);
        Assert.Equal(DeploymentStrategies.Canary, service.DeploymentConfiguration!.Strategy);
        Assert.Equal(ServiceDeploymentStatuses.Successful, LastServiceDeployment(aws).Status);
        Assert.Equal([10.0, 100.0], aws.Ecs.TrafficHistory(Service).Select(h => h.ProductionPercent).Where(p => p > 0).ToList());
    }

    [Fact]
    public async Task Canary_WhenTheSmokeTestFailsOnTheTestListener_RollsBack_AndProductionTrafficNeverMoved()
    {
        var (aws, traffic) = Seeded();
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        // The new revision (family revision 2) answers 500 on /health; the old one still answers 200 on production.
        aws.Application.AnswerOnRevision("truecaller-backend:2", "/health", HttpStatusCode.InternalServerError);

        var (result, events) = await TestPipelines.RunAsync(aws, Pipeline(traffic, DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))));

        Assert.True(result.ExitCode == ExitCodes.Failed, TestPipelines.AllText(result, events));
        var text = TestPipelines.AllText(result, events);
        Assert.Contains("test traffic check failed: GET http://", text, StringComparison.Ordinal);
        Assert.Contains(":8080/health gave HTTP 500 InternalServerError", text, StringComparison.Ordinal);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, LastServiceDeployment(aws).Status);
        Assert.All(aws.Ecs.TrafficHistory(Service), h => Assert.Equal(0, h.ProductionPercent));
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
        Assert.Single(aws.Ecs.Service(Cluster, Service).Deployments);
    }

    [Fact]
    public async Task Canary_WhenAnAlarmFiresDuringTheBake_IsRolledBackByEcs()
    {
        var (aws, traffic) = Seeded();
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        aws.Faults.Arm("alarm-during-bake");

        var (result, events) = await TestPipelines.RunAsync(aws, Pipeline(traffic, DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))));

        Assert.True(result.ExitCode == ExitCodes.Failed, TestPipelines.AllText(result, events));
        var deployment = LastServiceDeployment(aws);
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, deployment.Status);
        Assert.Equal(["truecaller-backend-5xx"], deployment.Alarms!.TriggeredAlarmNames);
        Assert.Contains("CloudWatch alarm(s) truecaller-backend-5xx in ALARM state", TestPipelines.AllText(result, events), StringComparison.Ordinal);
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
        Assert.Equal([10.0, 0.0], aws.Ecs.TrafficHistory(Service).Skip(1).Select(h => h.ProductionPercent));
    }

    [Fact]
    public async Task Canary_WhenTheRunIsCancelledDuringThePause_StopsTheDeploymentWithRollback()
    {
        var (aws, traffic) = Seeded();
        var before = aws.Ecs.Service(Cluster, Service).TaskDefinition;
        using var cancel = new CancellationTokenSource();
        var definition = Pipeline(traffic, DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)), d => d.TestTraffic(t => t.Check("slow", async (_, _, ct) =>
        {
            await cancel.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return null;
        })));
        var reporter = new EcsDeploy.Reporting.RecordingReporter();

        var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions { GitSha = TestPipelines.GitSha }, reporter, cancel.Token);

        Assert.Equal(ExitCodes.Cancelled, result.ExitCode);
        Assert.Single(aws.CallsTo("StopServiceDeployment"));
        Assert.Empty(aws.CallsTo("ContinueServiceDeployment"));
        aws.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(ServiceDeploymentStatuses.RollbackSuccessful, LastServiceDeployment(aws).Status);
        Assert.Equal(before, aws.Ecs.Service(Cluster, Service).TaskDefinition);
    }

    [Fact]
    public void Canary_IamPolicy_GrantsServiceDeploymentActions_AndPassRoleScopedToTheInfrastructureRole()
    {
        var (_, traffic) = Seeded();
        var definition = Pipeline(traffic, DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)));

        using var json = System.Text.Json.JsonDocument.Parse(Iam.IamPolicy.For(new Iam.IamScope(definition, "123456789012")));
        var statements = json.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        var follow = statements.Single(s => s.GetProperty("Sid").GetString() == "FollowServiceDeployments");
        Assert.Equal(["ecs:ContinueServiceDeployment", "ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment"],
            follow.GetProperty("Action").EnumerateArray().Select(a => a.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:service-deployment/truecaller-backend-cluster/truecaller-backend-service/*", follow.GetProperty("Resource").ToString().Trim('[', ']', '"'));
        var pass = statements.Single(s => s.GetProperty("Sid").GetString() == "PassInfrastructureRole");
        Assert.Equal(traffic.RoleArn, pass.GetProperty("Resource").ToString().Trim('[', ']', '"'));
        Assert.Contains("ecs.amazonaws.com", pass.GetProperty("Condition").ToString(), StringComparison.Ordinal);
    }
}
