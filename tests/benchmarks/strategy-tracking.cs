#:project ../../src/EcsDeploy/EcsDeploy.csproj
#:project ../../src/EcsDeploy.Testing/EcsDeploy.Testing.csproj
#:property PublishAot=false

// Strategy tracking benchmark (issue 18): a benchmark, not a timed test. Run:
//   dotnet run tests/benchmarks/strategy-tracking.cs
// On the same simulated blue/green, linear and canary deployments (same seed, so the same timeline), compares
// EcsDeploy's Deploy stage, which follows the service deployment by ARN (DescribeServiceDeployments: every 15 s while
// a bake, the clean-up or a rollback's draining cannot end, every 5 s near a predicted end and otherwise), with
// a peer that does what the AWS deploy action and `aws ecs wait services-stable` do: DescribeServices every 15 s (the
// first at once) until the service has one deployment and runningCount == desiredCount. The peer waits as long as it
// takes (the deploy action's wait-for-minutes, not the CLI waiter's 40 attempts, which end after 10 minutes, before a
// canary does). For each timeline it prints when the bake ended, when ECS decided (SUCCESSFUL or
// ROLLBACK_SUCCESSFUL: the service deployment's finishedAt), the delay from each of those to the report, the Describe
// calls after UpdateService (DescribeServices and DescribeServiceDeployments), and what each reported. All times are
// virtual (the simulated AWS's clock), so the figures are exact and repeatable. The last line is for scripts:
//   strategy-tracking: max report delay X s, calls ours/waiter Y
// (X the highest delay after ECS's decision over the timelines, Y the highest ratio of Describe calls).

using System.Globalization;
using EcsDeploy;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;
using EcsDeploy.Testing;

const string Cluster = "truecaller-backend-cluster";
const string Service = "truecaller-backend-service";

var timelines = new (string Name, DeploymentStrategy Strategy, bool Alarm)[]
{
    ("blue/green, bake 3 min", DeploymentStrategy.BlueGreen(TimeSpan.FromMinutes(3)), false),
    ("linear 25 % every 1 min, bake 2 min", DeploymentStrategy.Linear(25, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)), false),
    ("canary 10 % for 5 min, bake 2 min", DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)), false),
    ("canary, alarm during the bake: rollback", DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)), true),
};
Console.WriteLine($"{"timeline",-40} {"tool",-26} {"after bake",10} {"after ECS",10} {"Describe calls",14}  reported");
var maxDelay = 0.0;
var maxRatio = 0.0;
var wrong = 0;
foreach (var (name, strategy, alarm) in timelines)
{
    var ours = await RunOursAsync(strategy, alarm);
    var waiter = await RunWaiterAsync(strategy, alarm);
    Print(name, "EcsDeploy (by ARN)", ours);
    Print("", "DescribeServices, 15 s", waiter);
    var ratio = (double)ours.Calls / Math.Max(1, waiter.Calls);
    Console.WriteLine($"{"",-40} {"ours / waiter",-26} {"",10} {"",10} {ratio,13:0.00}x");
    maxDelay = Math.Max(maxDelay, ours.AfterDecision.TotalSeconds);
    maxRatio = Math.Max(maxRatio, ratio);
    if (ours.Succeeded == alarm)
    {
        wrong++;
    }
}
Console.WriteLine(wrong == 0 ? "no false success or failure (ours)" : $"WRONG OUTCOME on {wrong} timeline(s)");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"strategy-tracking: max report delay {maxDelay:0.0} s, calls ours/waiter {maxRatio:0.00}"));
return wrong == 0 ? 0 : 1;

static void Print(string timeline, string tool, Measurement m)
    => Console.WriteLine($"{timeline,-40} {tool,-26} {Seconds(m.AfterBake),10} {m.AfterDecision.TotalSeconds,9:0.0}s {m.Calls,14}  {m.Reported}");

static string Seconds(TimeSpan? span) => span is { } s ? s.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s" : "-";

static (SimulatedAws Aws, TrafficShifting Traffic) Prepare(bool alarm)
{
    var aws = Seed.Truecaller(seed: 42);
    var traffic = aws.Ecs.AddTrafficShifting(Cluster, Service);
    if (alarm)
    {
        aws.Faults.Arm("alarm-during-bake");
    }
    return (aws, traffic);
}

// When the bake ended (the deployment left BAKE_TIME) and when ECS decided (the service deployment's finishedAt).
static (DateTimeOffset? BakeEnd, DateTimeOffset Decided) Moments(SimulatedAws aws)
{
    var stages = aws.Ecs.LifecycleHistory(Service);
    var bake = stages.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.Stage == "BAKE_TIME");
    DateTimeOffset? bakeEnd = bake.s is not null && bake.i + 1 < stages.Count ? stages[bake.i + 1].At : null;
    var deployment = aws.Ecs.ServiceDeployments(Cluster, Service)[0];
    return (bakeEnd, deployment.FinishedAt ?? throw new InvalidOperationException($"the service deployment is still {deployment.Status}"));
}

// Describe calls after UpdateService: DescribeServices and DescribeServiceDeployments.
static int Count(SimulatedAws aws)
    => aws.Calls.SkipWhile(c => c.Operation != "UpdateService").Skip(1).Count(c => c.Operation is "DescribeServices" or "DescribeServiceDeployments");

static async Task<Measurement> RunOursAsync(DeploymentStrategy strategy, bool alarm)
{
    var (aws, traffic) = Prepare(alarm);
    var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
        .Deploy(d => d.Service(Service).Environment("RELEASE", "2")
            .Strategy(strategy)
            .LoadBalancer(lb => lb.AlternateTargetGroup(traffic.AlternateTargetGroupArn).ProductionListenerRule(traffic.ProductionListenerRule).Role(traffic.RoleArn))
            .RollbackOnAlarms("truecaller-backend-5xx"))
        .Build();
    var reporter = new RecordingReporter();
    var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions(), reporter);
    var reportedAt = reporter.Events.OfType<StageFinished>().Single(e => e.Stage == "Deploy").At;
    var (bakeEnd, decided) = Moments(aws);
    return new Measurement(reportedAt - bakeEnd, reportedAt - decided, Count(aws), $"exit {result.ExitCode} ({result.Outcome.ToText()})", result.ExitCode == 0);
}

static async Task<Measurement> RunWaiterAsync(DeploymentStrategy strategy, bool alarm)
{
    var (aws, traffic) = Prepare(alarm);
    var ecs = aws.CreateEnvironment().Ecs;
    var current = aws.Ecs.CurrentTaskDefinition(Cluster, Service);
    var next = EcsDeploy.TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(current) with
    {
        ContainerDefinitions = [current.ContainerDefinitions![0] with { Environment = [.. current.ContainerDefinitions[0].Environment!, new EcsKeyValuePair("RELEASE", "2")] }],
    };
    var arn = (await ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest(next, []), CancellationToken.None)).TaskDefinition.TaskDefinitionArn;
    var service = aws.Ecs.Service(Cluster, Service);
    // The same UpdateService as ours (the same strategy, load balancer configuration and alarm), then "stable" polling.
    await ecs.UpdateServiceAsync(new UpdateServiceRequest
    {
        Cluster = Cluster,
        Service = Service,
        TaskDefinition = arn,
        DeploymentConfiguration = (service.DeploymentConfiguration ?? new DeploymentConfiguration()) with
        {
            Strategy = strategy.Name,
            BakeTimeInMinutes = (int)strategy.Bake.TotalMinutes,
            CanaryConfiguration = strategy.Name == DeploymentStrategies.Canary ? new CanaryConfiguration(strategy.Percent, (int)strategy.PhaseBake.TotalMinutes) : null,
            LinearConfiguration = strategy.Name == DeploymentStrategies.Linear ? new LinearConfiguration(strategy.Percent, (int)strategy.PhaseBake.TotalMinutes) : null,
            Alarms = new DeploymentAlarms(["truecaller-backend-5xx"], Enable: true, Rollback: true),
        },
        LoadBalancers = [service.LoadBalancers[0] with { AdvancedConfiguration = new AdvancedConfiguration
        {
            AlternateTargetGroupArn = traffic.AlternateTargetGroupArn, ProductionListenerRule = traffic.ProductionListenerRule, RoleArn = traffic.RoleArn,
        } }],
    }, CancellationToken.None);

    var reported = "timed out after 60 min";
    var succeeded = false;
    for (var attempt = 1; attempt <= 240; attempt++)
    {
        var described = (await ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None)).Services.Single();
        if (described.Deployments.Count == 1 && described.RunningCount == described.DesiredCount)
        {
            succeeded = true;
            reported = described.TaskDefinition == arn ? "stable (deployed)" : "stable (FALSE success: the service was rolled back)";
            break;
        }
        await Clock.DelayAsync(aws.Clock, TimeSpan.FromSeconds(15), CancellationToken.None);
    }
    var (bakeEnd, decided) = Moments(aws);
    var now = aws.Clock.GetUtcNow();
    return new Measurement(now - bakeEnd, now - decided, Count(aws), reported, succeeded);
}

internal sealed record Measurement(TimeSpan? AfterBake, TimeSpan AfterDecision, int Calls, string Reported, bool Succeeded);
