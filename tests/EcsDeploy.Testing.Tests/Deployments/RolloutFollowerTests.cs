using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests.Deployments;

/// <summary>
/// The rollout follower reads when ECS can change: rarely while nothing can end the rollout, closely where it can,
/// and it still sees an end that comes when its prediction said it would not.
/// </summary>
public sealed class RolloutFollowerTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(-20)]
    public async Task Deploy_WhenTheLoadBalancerActsOffItsSettings_ReportsTheEndWithinASecond(int skewSeconds)
    {
        var aws = Seed.Truecaller(seed: 42);
        SetHealth(aws, TargetGroupHealth.AlbDefaults with { Skew = TimeSpan.FromSeconds(skewSeconds) });

        var (result, events) = await RunAsync(aws);

        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        Assert.InRange((ReportedAt(events) - EndedAt(aws)).TotalSeconds, 0, 1);
    }

    [Fact]
    public async Task Deploy_WhenThePredictionIsFarOff_StillSeesTheEndLater()
    {
        // The load balancer drains 2 minutes longer than its settings say: far outside what the schedule looks closely at.
        var aws = Seed.Truecaller(seed: 42);
        SetHealth(aws, TargetGroupHealth.AlbDefaults with { Skew = TimeSpan.FromMinutes(2) });

        var (result, events) = await RunAsync(aws);

        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        Assert.InRange((ReportedAt(events) - EndedAt(aws)).TotalSeconds, 0, RolloutSchedule.Sparse.TotalSeconds);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("unhealthy-tasks")]
    [InlineData("image-pull-failure")]
    [InlineData("crash-on-start")]
    public async Task Deploy_ReadsTheServiceAtMostTwiceAsOftenAsTheServicesStableWaiter(string? fault)
    {
        var aws = Seed.Truecaller(seed: 42);
        if (fault is not null)
        {
            aws.Faults.Arm(fault);
        }

        var (result, events) = await RunAsync(aws);

        // The waiter reads at once and then every 15 s until the end: this many reads for this timeline.
        var updatedAt = aws.CallsTo("UpdateService")[0].At;
        var waiterReads = (int)Math.Ceiling((EndedAt(aws) - updatedAt).TotalSeconds / 15) + 1;
        var ours = aws.Calls.SkipWhile(c => c.Operation != "UpdateService").Count(c => c.Operation == "DescribeServices");
        Assert.InRange(ours, 1, 2 * waiterReads);
        Assert.InRange((ReportedAt(events) - EndedAt(aws)).TotalSeconds, 0, 1);
        Assert.Equal(fault is null ? RunOutcome.Deployed : RunOutcome.RolledBack, result.Outcome);
    }

    [Fact]
    public async Task RollOut_TenServicesAtOnce_ShareOneBudgetInBatchedCalls()
    {
        var aws = Seed.Truecaller(seed: 42);
        var backend = aws.Ecs.Service(Cluster, Service);
        var names = Enumerable.Range(1, 10).Select(i => $"worker-{i}").ToList();
        foreach (var name in names)
        {
            aws.Ecs.CreateRunningService(Cluster, name, backend.TaskDefinition!, 2, backend.LoadBalancers[0].TargetGroupArn, "truecaller-backend", 3000);
        }
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster).AddStage(new RollOutEach(names)).Build();

        var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions(), new RecordingReporter());

        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        var reads = aws.Calls.SkipWhile(c => c.Operation != "UpdateService").Where(c => c.Operation == "DescribeServices").ToList();
        // ECS documents 20 service reads per second for an account; one follower alone reads at most once a second.
        Assert.InRange(reads.GroupBy(c => c.At.ToUnixTimeSeconds()).Max(g => g.Count()), 1, 2);
        // Ten followers read together: far fewer calls than ten times one rollout's (about 40).
        Assert.InRange(reads.Count, 1, 100);
    }

    [Fact]
    public async Task RollOut_WhenEcsThrottlesDescribe_SlowsDownAndStillFinishes()
    {
        var aws = Seed.Truecaller(seed: 42);
        aws.ThrottleEveryNthCall = 2;
        var environment = aws.CreateEnvironment();

        var result = await PipelineRunner.RunAsync(Definition(), environment, new RunOptions(), new RecordingReporter());

        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        Assert.Contains(aws.Calls, c => c.Operation == "DescribeServices" && c.Throttled);
        Assert.True(ServiceWatch.For(environment).Rate < ServiceWatch.CallsPerSecond, $"rate {ServiceWatch.For(environment).Rate}");
    }

    [Fact]
    public void Schedule_AfterDrainingBegins_ReadsRarelyThenCloselyWhereTheRolloutCanEnd()
    {
        var start = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var schedule = new RolloutSchedule(RolloutTimings.Defaults, circuitBreaker: true);
        var service = new EcsService { ServiceName = Service, DesiredCount = 2 };
        ServiceEvent At(int seconds, string message) => new($"e{seconds}{message.Length}", start.AddSeconds(seconds), message);

        schedule.Observe(service, [At(0, "(service s) has started 2 tasks: (task a) (task b)."), At(25, "(service s) registered 2 targets in (target-group tg)"),
            At(175, "(service s) has begun draining connections on 2 tasks.")], start.AddSeconds(180));

        // Nothing can end the rollout before the drained tasks stop at 475 s: the waiter's pace until near it.
        Assert.Equal(start.AddSeconds(195), schedule.Next(start.AddSeconds(180)));
        Assert.Equal(start.AddSeconds(461), schedule.Next(start.AddSeconds(450)));
        Assert.Equal(start.AddSeconds(476), schedule.Next(start.AddSeconds(472)));

        schedule.Observe(service, [At(475, "(service s) has stopped 2 running tasks: (task c) (task d).")], start.AddSeconds(476));

        // The tasks are STOPPED 10 to 15 s after they were told to stop: every second in that window, then rarely again.
        Assert.Equal(start.AddSeconds(485), schedule.Next(start.AddSeconds(476)));
        Assert.Equal(start.AddSeconds(488), schedule.Next(start.AddSeconds(487)));
        Assert.Equal(start.AddSeconds(506), schedule.Next(start.AddSeconds(491)));
    }

    private static void SetHealth(SimulatedAws aws, TargetGroupHealth health)
    {
        foreach (var targetGroup in aws.Ecs.Service(Cluster, Service).LoadBalancers.Select(lb => lb.TargetGroupArn).OfType<string>())
        {
            aws.Elbv2.SetTargetGroupHealth(targetGroup, health);
        }
    }

    private static Task<(PipelineResult Result, RecordingReporter Events)> RunAsync(SimulatedAws aws) => TestPipelines.RunAsync(aws, Definition());

    private static PipelineDefinition Definition() => Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
        .Deploy(d => d.Service(Service).Environment("RELEASE", "2").WaitTimeout(TimeSpan.FromMinutes(15))).Build();

    private static DateTimeOffset ReportedAt(RecordingReporter events) => events.Events.OfType<StageFinished>().Single(e => e.Stage == "Deploy").At;

    private static DateTimeOffset EndedAt(SimulatedAws aws)
        => aws.Ecs.Service(Cluster, Service).Events.Where(e => e.Message.EndsWith("deployment completed.", StringComparison.Ordinal)).Max(e => e.CreatedAt);

    private sealed class RollOutEach(IReadOnlyList<string> services) : IPipelineStage
    {
        public StageDescriptor Descriptor { get; } = new("RollOutEach");

        public void Validate(PipelineDefinition definition, ICollection<string> problems)
        {
        }

        public Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
            => Task.FromResult(new StagePlan(Descriptor.Name, $"roll out {services.Count} services"));

        public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var results = await Task.WhenAll(services.Select(s => context.Rollouts.RollOutAsync(s, null, new RolloutSettings(TimeSpan.FromMinutes(15)), cancellationToken)));
            if (results.Any(r => !r.Succeeded))
            {
                throw new PipelineStageException(string.Join("; ", results.Where(r => !r.Succeeded).Select(r => r.Summary)), FailureKind.Failed);
            }
        }
    }
}
