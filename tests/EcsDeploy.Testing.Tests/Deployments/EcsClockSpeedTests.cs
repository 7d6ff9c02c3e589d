using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests.Deployments;

/// <summary>
/// A local AWS host driven faster than wall time stamps its events on a clock that runs several times as fast as the
/// run's: the follower predicts on ECS's clock at the speed the environment gives, so the schedule holds at any speed.
/// </summary>
public sealed class EcsClockSpeedTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    [Theory]
    [InlineData(10, null)]
    [InlineData(10, "unhealthy-tasks")]
    [InlineData(60, null)]
    public async Task Deploy_WhenEcsRunsFasterThanTheRunsClock_SeesTheEndWithinASecondOfEcsTime_WithTheWaitersCalls(double speed, string? fault)
    {
        var aws = Seed.Truecaller(seed: 42);
        if (fault is not null)
        {
            aws.Faults.Arm(fault);
        }
        var slower = new SlowerClock(aws.Clock, speed);
        var environment = WithClock(aws.CreateEnvironment(), slower);
        environment.EcsClockSpeed = speed;
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
            .Deploy(d => d.Service(Service).Environment("RELEASE", "2").WaitTimeout(TimeSpan.FromMinutes(15))).Build();
        var events = new RecordingReporter();

        var result = await PipelineRunner.RunAsync(definition, environment, new RunOptions(), events);

        Assert.Equal(fault is null ? RunOutcome.Deployed : RunOutcome.RolledBack, result.Outcome);
        var ended = aws.Ecs.Service(Cluster, Service).Events.Where(e => e.Message.EndsWith("deployment completed.", StringComparison.Ordinal)).Max(e => e.CreatedAt);
        var reported = slower.ToInner(events.Events.OfType<StageFinished>().Single(e => e.Stage == "Deploy").At);
        Assert.InRange((reported - ended).TotalSeconds, 0, 1);
        // As on AWS: at most twice the reads of a services-stable waiter reading every 15 s of ECS's time.
        var updatedAt = aws.CallsTo("UpdateService")[0].At;
        var waiterReads = (int)Math.Ceiling((ended - updatedAt).TotalSeconds / 15) + 1;
        var ours = aws.Calls.SkipWhile(c => c.Operation != "UpdateService").Count(c => c.Operation == "DescribeServices");
        Assert.InRange(ours, 1, 2 * waiterReads);
        Assert.DoesNotContain(events.Events, e => e.ToString().Contains("runs ahead of this machine's", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_WhenEcsRunsFasterThanItSaid_FallsBackToReadingEverySecondsAndStillSeesTheEnd()
    {
        // The environment says 1, ECS runs 10 times as fast: events come from what would be ECS's future.
        var aws = Seed.Truecaller(seed: 42);
        var slower = new SlowerClock(aws.Clock, 10);
        var environment = WithClock(aws.CreateEnvironment(), slower);
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
            .Deploy(d => d.Service(Service).Environment("RELEASE", "2").WaitTimeout(TimeSpan.FromMinutes(15))).Build();
        var events = new RecordingReporter();

        var result = await PipelineRunner.RunAsync(definition, environment, new RunOptions(), events);

        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        Assert.Contains(events.Events, e => e.ToString().Contains("runs ahead of this machine's", StringComparison.Ordinal));
        var ended = aws.Ecs.Service(Cluster, Service).Events.Where(e => e.Message.EndsWith("deployment completed.", StringComparison.Ordinal)).Max(e => e.CreatedAt);
        var reported = slower.ToInner(events.Events.OfType<StageFinished>().Single(e => e.Stage == "Deploy").At);
        Assert.InRange((reported - ended).TotalSeconds, 0, 5 * 10); // every 5 s of ours at most: 50 s of ECS's
    }

    private static AwsEnvironment WithClock(AwsEnvironment aws, TimeProvider time) => new()
    {
        Region = aws.Region,
        Ecs = aws.Ecs,
        Ecr = aws.Ecr,
        Elbv2 = aws.Elbv2,
        SecretsManager = aws.SecretsManager,
        Logs = aws.Logs,
        Iam = aws.Iam,
        AutoScaling = aws.AutoScaling,
        OpenRegistryAsync = aws.OpenRegistryAsync,
        Terraform = aws.Terraform,
        HttpHandler = aws.HttpHandler,
        TimeProvider = time,
        RetryPolicy = aws.RetryPolicy,
        Description = aws.Description,
        IsLocal = aws.IsLocal,
    };

    /// <summary>The run's clock, <paramref name="speed"/> times slower than the simulated AWS's (which its sleeps move).</summary>
    private sealed class SlowerClock(VirtualClock inner, double speed) : TimeProvider, IVirtualClock
    {
        private readonly DateTimeOffset _start = inner.GetUtcNow();

        public override DateTimeOffset GetUtcNow() => _start + (inner.GetUtcNow() - _start) / speed;

        public DateTimeOffset ToInner(DateTimeOffset ours) => _start + (ours - _start) * speed;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => GetUtcNow().UtcTicks;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public Task SleepAsync(TimeSpan delay, CancellationToken cancellationToken) => inner.SleepAsync(delay * speed, cancellationToken);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => inner.CreateTimer(callback, state, Scale(dueTime), Scale(period));

        private TimeSpan Scale(TimeSpan span) => span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : span * speed;
    }
}
