#:project ../../src/EcsDeploy/EcsDeploy.csproj
#:project ../../src/EcsDeploy.Testing/EcsDeploy.Testing.csproj
#:property PublishAot=false

// Rollout tracking benchmark (issue 4, "Measure"): a benchmark, not a timed test. Run:
//   dotnet run tests/benchmarks/rollout-tracking.cs
// On the same simulated rollouts (same seed, so the same timeline), compares EcsDeploy's Deploy stage with the
// AWS CLI's `aws ecs wait services-stable` semantics (DescribeServices every 15 s, at most 40 attempts, success
// when the service has one deployment and runningCount == desiredCount). For each scenario it prints the delay
// between the service reaching its final state and the report, the DescribeServices calls, the highest call
// rate in any one second, and what each reported. All times are virtual (the simulated AWS's clock), so the
// figures are exact and repeatable.

using EcsDeploy;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;
using EcsDeploy.Testing;

const string Cluster = "truecaller-backend-cluster";
const string Service = "truecaller-backend-service";

var scenarios = new (string Name, string? Fault)[] { ("healthy rollout", null), ("circuit-breaker rollback (unhealthy tasks)", "unhealthy-tasks"), ("image pull failure", "image-pull-failure") };
Console.WriteLine($"{"scenario",-44} {"tool",-22} {"report delay",12} {"DescribeServices",16} {"max calls/s",11}  reported");
foreach (var (name, fault) in scenarios)
{
    var ours = await RunOursAsync(fault);
    var waiter = await RunWaiterAsync(fault);
    Print(name, "EcsDeploy", ours);
    Print("", "services-stable waiter", waiter);
    var delayRatio = ours.Delay.TotalSeconds > 0 ? $"{waiter.Delay.TotalSeconds / ours.Delay.TotalSeconds,11:0.0}x" : $"{"+" + (waiter.Delay - ours.Delay).TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "s",12}";
    Console.WriteLine($"{"",-44} {"waiter vs ours",-22} {delayRatio} {(double)waiter.Calls / Math.Max(1, ours.Calls),15:0.00}x");
}

static void Print(string scenario, string tool, Measurement m)
    => Console.WriteLine($"{scenario,-44} {tool,-22} {m.Delay.TotalSeconds,11:0.0}s {m.Calls,16} {m.MaxPerSecond,11}  {m.Reported}");

static SimulatedAws Prepare(string? fault)
{
    var aws = Seed.Truecaller(seed: 42);
    if (fault is not null)
    {
        aws.Faults.Arm(fault);
    }
    return aws;
}

// The final state: the last "deployment completed" event (our deployment, or the rollback's).
static DateTimeOffset FinalStateAt(SimulatedAws aws)
    => aws.Ecs.Service(Cluster, Service).Events.Where(e => e.Message.EndsWith("deployment completed.", StringComparison.Ordinal)).Max(e => e.CreatedAt);

static (int Calls, int MaxPerSecond) Count(SimulatedAws aws, DateTimeOffset from)
{
    var calls = aws.CallsTo("DescribeServices").Where(c => c.At > from).ToList();
    var perSecond = calls.GroupBy(c => c.At.ToUnixTimeSeconds()).Select(g => g.Count()).DefaultIfEmpty(0).Max();
    return (calls.Count, perSecond);
}

static async Task<Measurement> RunOursAsync(string? fault)
{
    var aws = Prepare(fault);
    var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
        .Deploy(d => d.Service(Service).Environment("RELEASE", "2"))
        .Build();
    var reporter = new RecordingReporter();
    var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions(), reporter);
    var started = aws.CallsTo("UpdateService").First().At;
    var reportedAt = reporter.Events.OfType<StageFinished>().Single(e => e.Stage == "Deploy").At;
    var (calls, perSecond) = Count(aws, started);
    return new Measurement(reportedAt - FinalStateAt(aws), calls, perSecond, $"exit {result.ExitCode} ({result.Outcome})");
}

static async Task<Measurement> RunWaiterAsync(string? fault)
{
    var aws = Prepare(fault);
    var ecs = aws.CreateEnvironment().Ecs;
    var current = aws.Ecs.CurrentTaskDefinition(Cluster, Service);
    var next = EcsDeploy.TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(current) with
    {
        ContainerDefinitions = [current.ContainerDefinitions![0] with { Environment = [.. current.ContainerDefinitions[0].Environment!, new EcsKeyValuePair("RELEASE", "2")] }],
    };
    var arn = (await ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest(next, []), CancellationToken.None)).TaskDefinition.TaskDefinitionArn;
    var started = aws.Clock.GetUtcNow();
    await ecs.UpdateServiceAsync(new UpdateServiceRequest
    {
        Cluster = Cluster,
        Service = Service,
        TaskDefinition = arn,
        DeploymentConfiguration = new DeploymentConfiguration { DeploymentCircuitBreaker = new DeploymentCircuitBreaker(true, true) },
    }, CancellationToken.None);

    // botocore's ServicesStable waiter: delay 15, maxAttempts 40; the first poll happens at once.
    var reported = "timed out (waiter failure)";
    for (var attempt = 1; attempt <= 40; attempt++)
    {
        var service = (await ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None)).Services.Single();
        if (service.Deployments.Count == 1 && service.RunningCount == service.DesiredCount)
        {
            var deployed = service.TaskDefinition == arn;
            reported = deployed ? "success (deployed)" : "success (FALSE: the service was rolled back)";
            break;
        }
        await Clock.DelayAsync(aws.Clock, TimeSpan.FromSeconds(15), CancellationToken.None);
    }
    var (calls, perSecond) = Count(aws, started);
    return new Measurement(aws.Clock.GetUtcNow() - FinalStateAt(aws), calls, perSecond, reported);
}

internal sealed record Measurement(TimeSpan Delay, int Calls, int MaxPerSecond, string Reported);
