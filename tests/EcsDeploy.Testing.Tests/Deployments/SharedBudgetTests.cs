using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests.Deployments;

/// <summary>
/// Followers of different kinds share the process's Describe budget (ServiceWatch): a strategy follower that sleeps on
/// the virtual clock between its reads must not hold back a rolling follower's reads beside it.
/// </summary>
public sealed class SharedBudgetTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";
    private const string Worker = "worker-rolling";

    [Fact]
    public async Task RollOut_RollingBesideACanary_ReportsEachEndWithinASecondOfIt()
    {
        var aws = Seed.Truecaller(seed: 42);
        var traffic = aws.Ecs.AddTrafficShifting(Cluster, Service);
        var backend = aws.Ecs.Service(Cluster, Service);
        aws.Ecs.CreateRunningService(Cluster, Worker, backend.TaskDefinition!, 2);
        var canary = new RolloutSettings(TimeSpan.FromMinutes(30))
        {
            Strategy = new StrategySettings
            {
                Strategy = DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)),
                Routing = new AdvancedConfiguration
                {
                    AlternateTargetGroupArn = traffic.AlternateTargetGroupArn,
                    ProductionListenerRule = traffic.ProductionListenerRule,
                    TestListenerRule = traffic.TestListenerRule,
                    RoleArn = traffic.RoleArn,
                },
            },
        };
        var stage = new RollOutSideBySide([(Worker, new RolloutSettings(TimeSpan.FromMinutes(15))), (Service, canary)]);
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster).AddStage(stage).Build();

        var (result, events) = await TestPipelines.RunAsync(aws, definition);

        Assert.True(result.Outcome == RunOutcome.Deployed, TestPipelines.AllText(result, events));
        var workerEnded = aws.Ecs.Service(Cluster, Worker).Events.Where(e => e.Message.EndsWith("deployment completed.", StringComparison.Ordinal)).Max(e => e.CreatedAt);
        var canaryEnded = LastServiceDeployment(aws).FinishedAt!.Value;
        var workerReported = events.Events.OfType<DeploymentProgress>().First(p => p.Service == Worker && p.RolloutState == RolloutStates.Completed && p.Running == p.Desired).At;
        var canaryReported = events.Events.OfType<ServiceDeploymentProgress>().First(p => p.Status == ServiceDeploymentStatuses.Successful).At;
        var timeline = $"worker ended {workerEnded:O}, seen {workerReported:O}; canary ended {canaryEnded:O}, seen {canaryReported:O}";
        // The rolling rollout ends minutes before the canary's bakes do; each end is seen within a second (the canary's
        // follower reads every 5 s) while the other follower sleeps or reads beside it.
        Assert.True(canaryEnded - workerEnded > TimeSpan.FromMinutes(5), timeline);
        Assert.True(workerReported >= workerEnded && workerReported - workerEnded <= TimeSpan.FromSeconds(1), timeline);
        Assert.True(canaryReported >= canaryEnded && canaryReported - canaryEnded <= TimeSpan.FromSeconds(5), timeline);
    }

    private static ServiceDeployment LastServiceDeployment(SimulatedAws aws)
    {
        var arn = aws.Ecs.Service(Cluster, Service).CurrentServiceDeployment!;
        return aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([arn]), CancellationToken.None).Result.ServiceDeployments.Single();
    }

    /// <summary>Rolls out each service at once.</summary>
    private sealed class RollOutSideBySide(IReadOnlyList<(string Service, RolloutSettings Settings)> rollouts) : IPipelineStage
    {
        public StageDescriptor Descriptor { get; } = new("RollOutSideBySide");

        public void Validate(PipelineDefinition definition, ICollection<string> problems)
        {
        }

        public Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
            => Task.FromResult(new StagePlan(Descriptor.Name, $"roll out {rollouts.Count} services side by side"));

        public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var results = await Task.WhenAll(rollouts.Select(r => context.Rollouts.RollOutAsync(r.Service, null, r.Settings, cancellationToken)));
            if (results.Any(r => !r.Succeeded))
            {
                throw new PipelineStageException(string.Join("; ", results.Where(r => !r.Succeeded).Select(r => r.Summary)), FailureKind.Failed);
            }
        }
    }
}
