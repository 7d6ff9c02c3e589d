#:project ../../src/EcsDeploy/EcsDeploy.csproj
#:project ../../src/EcsDeploy.Testing/EcsDeploy.Testing.csproj
#:property PublishAot=false

// Rollout tracking benchmark (issues 4 and 21): a benchmark, not a timed test. Run:
//   dotnet run tests/benchmarks/rollout-tracking.cs
// On the same simulated rollouts (same seed, so the same timeline), compares EcsDeploy's Deploy stage with the
// AWS CLI's `aws ecs wait services-stable` semantics (DescribeServices every 15 s, at most 40 attempts, the first at
// once, success when the service has one deployment and runningCount == desiredCount). For each timeline it prints
// the delay between the service reaching its final state and the report, the DescribeServices calls made after
// UpdateService (in call order), the other ECS reads (ours reads stopped tasks and their task definition to explain
// a failure), the highest call rate in any one second, and what each reported. Then ten services followed at once.
// All times are virtual (the simulated AWS's clock), so the figures are exact and repeatable. The last lines are
// for scripts:
//   rollout-tracking: max report delay X s, calls ours/waiter Y
// (X the highest delay over the timelines, Y the highest ratio of DescribeServices calls).

using System.Globalization;
using EcsDeploy;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;
using EcsDeploy.Testing;

const string Cluster = "truecaller-backend-cluster";
const string Service = "truecaller-backend-service";

var scenarios = new (string Name, string? Fault, Func<TargetGroupHealth, TargetGroupHealth>? Health, bool RollsBack)[]
{
    ("healthy rollout", null, null, false),
    ("circuit-breaker rollback (unhealthy tasks)", "unhealthy-tasks", null, true),
    ("image pull failure", "image-pull-failure", null, true),
    ("crash loop (crash on start)", "crash-on-start", null, true),
    ("slow health checks (45 s x 5)", null, h => h with { Interval = TimeSpan.FromSeconds(45) }, false),
    ("prediction 20 s early (ALB acts 20 s late)", null, h => h with { Skew = TimeSpan.FromSeconds(20) }, false),
    ("prediction 20 s late (ALB acts 20 s early)", null, h => h with { Skew = TimeSpan.FromSeconds(-20) }, false),
    ("unhealthy, prediction 20 s early", "unhealthy-tasks", h => h with { Skew = TimeSpan.FromSeconds(20) }, true),
};
Console.WriteLine($"{"timeline",-44} {"tool",-22} {"report delay",12} {"DescribeServices",16} {"other reads",11} {"max calls/s",11}  reported");
var maxDelay = 0.0;
var maxRatio = 0.0;
var falseSuccess = 0;
foreach (var (name, fault, health, rollsBack) in scenarios)
{
    var ours = await RunOursAsync(fault, health);
    var waiter = await RunWaiterAsync(fault, health);
    Print(name, "EcsDeploy", ours);
    Print("", "services-stable waiter", waiter);
    var ratio = (double)ours.Calls / Math.Max(1, waiter.Calls);
    Console.WriteLine($"{"",-44} {"ours / waiter",-22} {"",12} {ratio,15:0.00}x");
    maxDelay = Math.Max(maxDelay, ours.Delay.TotalSeconds);
    maxRatio = Math.Max(maxRatio, ratio);
    if (ours.Succeeded == rollsBack)
    {
        falseSuccess++;
    }
}

var ten = await RunTenServicesAsync();
Console.WriteLine();
Console.WriteLine($"ten services followed at once: {ten.Calls} DescribeServices calls after the first UpdateService (up to ten services per call), at most {ten.MaxPerSecond} in one second; {ten.Deployed}/10 deployed");
Console.WriteLine(falseSuccess == 0 ? "no false success or failure" : $"WRONG OUTCOME on {falseSuccess} timeline(s)");
Console.WriteLine($"ten services at once: at most {ten.MaxPerSecond} DescribeServices calls in one second (ECS documents 20 per second sustained for service reads, per account and Region)");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rollout-tracking: max report delay {maxDelay:0.0} s, calls ours/waiter {maxRatio:0.00}"));
return falseSuccess == 0 ? 0 : 1;

static void Print(string scenario, string tool, Measurement m)
    => Console.WriteLine($"{scenario,-44} {tool,-22} {m.Delay.TotalSeconds,11:0.0}s {m.Calls,16} {m.OtherReads,11} {m.MaxPerSecond,11}  {m.Reported}");

static SimulatedAws Prepare(string? fault, Func<TargetGroupHealth, TargetGroupHealth>? health)
{
    var aws = Seed.Truecaller(seed: 42);
    if (fault is not null)
    {
        aws.Faults.Arm(fault);
    }
    if (health is not null)
    {
        foreach (var targetGroup in aws.Ecs.Service(Cluster, Service).LoadBalancers.Select(lb => lb.TargetGroupArn).OfType<string>())
        {
            aws.Elbv2.SetTargetGroupHealth(targetGroup, health(TargetGroupHealth.AlbDefaults));
        }
    }
    return aws;
}

// The final state: the last "deployment completed" event (our deployment, or the rollback's).
static DateTimeOffset FinalStateAt(SimulatedAws aws, string service = Service)
    => aws.Ecs.Service(Cluster, service).Events.Where(e => e.Message.EndsWith("deployment completed.", StringComparison.Ordinal)).Max(e => e.CreatedAt);

// ECS calls after the (first) UpdateService, in call order: DescribeServices, the other reads, and the most in one second.
static (int Calls, int Other, int MaxPerSecond) Count(SimulatedAws aws)
{
    var calls = aws.Calls.SkipWhile(c => c.Operation != "UpdateService").Skip(1).Where(c => c.Service == "ECS").ToList();
    var describes = calls.Where(c => c.Operation == "DescribeServices").ToList();
    var other = calls.Count(c => c.Operation is "DescribeTasks" or "ListTasks" or "DescribeTaskDefinition");
    var perSecond = describes.GroupBy(c => c.At.ToUnixTimeSeconds()).Select(g => g.Count()).DefaultIfEmpty(0).Max();
    return (describes.Count, other, perSecond);
}

static async Task<Measurement> RunOursAsync(string? fault, Func<TargetGroupHealth, TargetGroupHealth>? health)
{
    var aws = Prepare(fault, health);
    var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
        .Deploy(d => d.Service(Service).Environment("RELEASE", "2"))
        .Build();
    var reporter = new RecordingReporter();
    var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions(), reporter);
    var reportedAt = reporter.Events.OfType<StageFinished>().Single(e => e.Stage == "Deploy").At;
    var (calls, other, perSecond) = Count(aws);
    return new Measurement(reportedAt - FinalStateAt(aws), calls, other, perSecond, $"exit {result.ExitCode} ({result.Outcome})", result.ExitCode == 0);
}

static async Task<Measurement> RunWaiterAsync(string? fault, Func<TargetGroupHealth, TargetGroupHealth>? health)
{
    var aws = Prepare(fault, health);
    var ecs = aws.CreateEnvironment().Ecs;
    var current = aws.Ecs.CurrentTaskDefinition(Cluster, Service);
    var next = EcsDeploy.TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(current) with
    {
        ContainerDefinitions = [current.ContainerDefinitions![0] with { Environment = [.. current.ContainerDefinitions[0].Environment!, new EcsKeyValuePair("RELEASE", "2")] }],
    };
    var arn = (await ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest(next, []), CancellationToken.None)).TaskDefinition.TaskDefinitionArn;
    await ecs.UpdateServiceAsync(new UpdateServiceRequest
    {
        Cluster = Cluster,
        Service = Service,
        TaskDefinition = arn,
        DeploymentConfiguration = new DeploymentConfiguration { DeploymentCircuitBreaker = new DeploymentCircuitBreaker(true, true) },
    }, CancellationToken.None);

    // botocore's ServicesStable waiter: delay 15, maxAttempts 40; the first poll happens at once.
    var reported = "timed out (waiter failure)";
    var succeeded = false;
    for (var attempt = 1; attempt <= 40; attempt++)
    {
        var service = (await ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None)).Services.Single();
        if (service.Deployments.Count == 1 && service.RunningCount == service.DesiredCount)
        {
            succeeded = true;
            reported = service.TaskDefinition == arn ? "success (deployed)" : "success (FALSE: the service was rolled back)";
            break;
        }
        await Clock.DelayAsync(aws.Clock, TimeSpan.FromSeconds(15), CancellationToken.None);
    }
    var (calls, other, perSecond) = Count(aws);
    return new Measurement(aws.Clock.GetUtcNow() - FinalStateAt(aws), calls, other, perSecond, reported, succeeded);
}

// Ten services of one cluster rolled out side by side by one stage through context.Rollouts: one process, one budget.
static async Task<(int Calls, int MaxPerSecond, int Deployed)> RunTenServicesAsync()
{
    var aws = Seed.Truecaller(seed: 42);
    var backend = aws.Ecs.Service(Cluster, Service);
    var names = Enumerable.Range(1, 10).Select(i => $"worker-{i}").ToList();
    foreach (var name in names)
    {
        aws.Ecs.CreateRunningService(Cluster, name, backend.TaskDefinition!, 2, backend.LoadBalancers[0].TargetGroupArn, "truecaller-backend", 3000);
    }
    var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
        .AddStage(new RollOutAll(names))
        .Build();
    var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions(), new RecordingReporter());
    var (calls, _, perSecond) = Count(aws);
    return (calls, perSecond, result.ExitCode == 0 ? names.Count : RollOutAll.Deployed);
}

internal sealed record Measurement(TimeSpan Delay, int Calls, int OtherReads, int MaxPerSecond, string Reported, bool Succeeded);

/// <summary>A user's stage that forces a new deployment of several services at once and follows them all.</summary>
internal sealed class RollOutAll(IReadOnlyList<string> services) : IPipelineStage
{
    public static int Deployed { get; private set; }

    public StageDescriptor Descriptor { get; } = new("RollOutAll");

    public void Validate(PipelineDefinition definition, ICollection<string> problems)
    {
    }

    public Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        => Task.FromResult(new StagePlan(Descriptor.Name, $"roll out {services.Count} services"));

    public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        var settings = new EcsDeploy.Deployments.RolloutSettings(TimeSpan.FromMinutes(15));
        var results = await Task.WhenAll(services.Select(s => context.Rollouts.RollOutAsync(s, null, settings, cancellationToken)));
        Deployed = results.Count(r => r.Succeeded);
        if (Deployed != services.Count)
        {
            throw new PipelineStageException($"{services.Count - Deployed} services did not deploy", FailureKind.Failed);
        }
    }
}
