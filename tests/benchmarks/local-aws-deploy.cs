#:project ../../src/EcsDeploy.Testing/EcsDeploy.Testing.csproj
#:property PublishAot=false

// Deploy benchmark (issue 8, "Measure"): a benchmark, not a timed test. Run:
//   dotnet run tests/benchmarks/local-aws-deploy.cs -- [speed (default 10; at high speeds the CLI's process start-up
//   alone outlasts a rollout, so prefer 1 to 10 for figures)]
// Needs the AWS CLI v1 of the pyenv Python. For a healthy rollout and for a circuit-breaker rollback
// (unhealthy-tasks), each on a fresh LocalAwsHost at the same speed (so the same rollout timeline), it runs:
//   cli:       what the seed does with the AWS CLI: describe-task-definition, register-task-definition,
//              update-service, `aws ecs wait services-stable`;
//   ecsdeploy: the same change (one environment variable) through EcsDeploy's Deploy stage and wire clients.
// Both poll on wall time (the CLI's waiter every 15 s, EcsDeploy at its own interval), so the comparison is
// honest at any speed. It prints wall time to "deployed", the time from the rollout's end (seen in the simulated
// AWS) to the tool's report, the API calls each made, what each reported, and the ratios. For each run it splits the
// wall time into before the rollout (to the new deployment's appearance: process work, plan, registration), the
// rollout itself (to its end) and after it (to the report), and for EcsDeploy lists its AWS calls on a timeline
// (start-end in seconds from the run's start), so calls made one after another that could go side by side show.

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using EcsDeploy;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Reporting;
using EcsDeploy.Testing;
using EcsDeploy.Testing.Hosting;

const string Cluster = "truecaller-backend-cluster";
const string Service = "truecaller-backend-service";
var speed = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var awsCli = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv", "shims", "aws");
var rows = new List<Row>();
var timelines = new List<string>();

foreach (var scenario in new[] { "healthy", "unhealthy-tasks" })
{
    foreach (var tool in new[] { "cli", "ecsdeploy" })
    {
        var aws = Seed.Truecaller();
        if (scenario != "healthy")
        {
            aws.Faults.Arm(scenario);
        }
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = speed }, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        using var watching = new CancellationTokenSource();
        var rollout = new RolloutMoments();
        var rolloutEnded = WatchRolloutAsync(aws, watch, rollout, watching.Token);
        var calls = new CallLog(watch);
        var (reported, ok) = tool == "cli" ? await CliAsync(host) : await EcsDeployAsync(host, calls);
        var deployedAt = watch.Elapsed;
        await watching.CancelAsync();
        var endedAt = await rolloutEnded;
        var current = aws.Ecs.Service(Cluster, Service).TaskDefinition!.Split('/')[^1];
        rows.Add(new Row(scenario, tool, deployedAt, endedAt is null ? null : deployedAt - endedAt.Value, host.Statistics.ApiCalls, ok, reported, current, rollout.Started, endedAt));
        if (tool == "ecsdeploy")
        {
            timelines.Add($"{scenario} ecsdeploy, {calls.Entries.Count} calls (rollout began at {(rollout.Started is { } began ? Seconds(began) : "-")}, ended at {(endedAt is { } end ? Seconds(end) : "-")}):");
            timelines.AddRange(calls.Entries.Select(c => $"  {c.Start.TotalSeconds,6:0.000}-{c.End.TotalSeconds,6:0.000}  {c.Operation}"));
        }
        Console.Error.WriteLine($"# {scenario} {tool}: {Seconds(deployedAt)}, {reported}");
    }
}

Console.WriteLine($"speed {speed.ToString(CultureInfo.InvariantCulture)}x, same host build and rollout timelines for both tools");
Console.WriteLine($"{"scenario",-16} {"tool",-10} {"wall",8} {"end→report",11} {"API calls",9}  {"says",-9} service now on / report");
foreach (var row in rows)
{
    Console.WriteLine($"{row.Scenario,-16} {row.Tool,-10} {Seconds(row.Wall),8} {(row.Lag is { } lag ? Seconds(lag) : "-"),11} {row.ApiCalls,9}  {(row.Success ? "success" : "failure"),-9} {row.ServiceOn} / {row.Report}");
}
Console.WriteLine();
Console.WriteLine($"{"scenario",-16} {"tool",-10} {"before rollout",14} {"rollout",9} {"after",7} {"outside",8}");
foreach (var row in rows)
{
    if (row.RolloutStarted is { } began && row.RolloutEnded is { } ended)
    {
        Console.WriteLine($"{row.Scenario,-16} {row.Tool,-10} {Seconds(began),14} {Seconds(ended - began),9} {Seconds(row.Wall - ended),7} {Seconds(row.Wall - (ended - began)),8}");
    }
}
Console.WriteLine();
foreach (var line in timelines)
{
    Console.WriteLine(line);
}
Console.WriteLine();
foreach (var scenario in rows.Select(r => r.Scenario).Distinct())
{
    var cli = rows.Single(r => r.Scenario == scenario && r.Tool == "cli");
    var ours = rows.Single(r => r.Scenario == scenario && r.Tool == "ecsdeploy");
    Console.WriteLine($"{scenario}: wall cli/ecsdeploy = {Ratio(cli.Wall, ours.Wall)}, end→report cli/ecsdeploy = {(cli.Lag is { } a && ours.Lag is { } b ? Ratio(a, b) : "-")}, API calls cli/ecsdeploy = {(double)cli.ApiCalls / Math.Max(1, ours.ApiCalls):0.00}");
}
return 0;

static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

static string Ratio(TimeSpan a, TimeSpan b) => (a.TotalSeconds / Math.Max(0.001, b.TotalSeconds)).ToString("0.00", CultureInfo.InvariantCulture);

// The wall time at which the service's newest deployment left IN_PROGRESS (COMPLETED, or FAILED and rolled back).
static async Task<TimeSpan?> WatchRolloutAsync(SimulatedAws aws, Stopwatch watch, RolloutMoments moments, CancellationToken cancellationToken)
{
    var first = aws.Ecs.Service(Cluster, Service).Deployments.Select(d => d.Id).ToHashSet();
    var sawNew = false;
    try
    {
        while (true)
        {
            var service = aws.Ecs.Service(Cluster, Service);
            sawNew |= service.Deployments.Any(d => !first.Contains(d.Id));
            if (sawNew && moments.Started is null)
            {
                moments.Started = watch.Elapsed;
            }
            // A rollback reactivates the last completed deployment (its id again): the end is one deployment left, settled.
            if (sawNew && service.Deployments.Count == 1 && service.Deployments[0].RolloutState != "IN_PROGRESS")
            {
                return watch.Elapsed;
            }
            await Task.Delay(20, cancellationToken);
        }
    }
    catch (OperationCanceledException)
    {
        return null;
    }
}

async Task<(string Report, bool Success)> CliAsync(LocalAwsHost host)
{
    var described = JsonNode.Parse((await Cli(host, "ecs", "describe-task-definition", "--task-definition", "truecaller-backend")).Stdout)!["taskDefinition"]!.AsObject();
    foreach (var name in new[] { "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy", "deregisteredAt" })
    {
        described.Remove(name);
    }
    var container = described["containerDefinitions"]![0]!.AsObject();
    var environment = container["environment"] as JsonArray ?? [];
    environment.Add(new JsonObject { ["name"] = "DEPLOYED_BY", ["value"] = "benchmark" });
    container["environment"] = environment;
    var input = Path.GetTempFileName();
    await File.WriteAllTextAsync(input, described.ToJsonString());
    var registered = JsonNode.Parse((await Cli(host, "ecs", "register-task-definition", "--cli-input-json", "file://" + input)).Stdout)!["taskDefinition"]!["taskDefinitionArn"]!.GetValue<string>();
    File.Delete(input);
    await Cli(host, "ecs", "update-service", "--cluster", Cluster, "--service", Service, "--task-definition", registered,
        "--deployment-configuration", "deploymentCircuitBreaker={enable=true,rollback=true},maximumPercent=200,minimumHealthyPercent=100");
    var wait = await Cli(host, "ecs", "wait", "services-stable", "--cluster", Cluster, "--services", Service);
    return (wait.ExitCode == 0 ? "wait services-stable: exit 0" : $"wait services-stable: exit {wait.ExitCode}", wait.ExitCode == 0);
}

async Task<(string Report, bool Success)> EcsDeployAsync(LocalAwsHost host, CallLog calls)
{
    var environment = await AwsWireEnvironment.CreateAsync(new AwsWireOptions
    {
        Region = host.Region,
        Credentials = new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey),
        Environment = name => host.EnvironmentVariables.GetValueOrDefault(name),
        HttpHandler = calls,
    }, CancellationToken.None);
    var definition = Pipeline.For("truecaller-backend")
        .InRegion(host.Region)
        .OnCluster(Cluster)
        .Deploy(d => d.Service(Service).Container("truecaller-backend")
            .Environment("NODE_ENV", "production").Environment("PORT", "3000").Environment("DEPLOYED_BY", "benchmark")
            .RollbackOnFailure())
        .Build();
    var result = await PipelineRunner.RunAsync(definition, environment, new RunOptions(), new RecordingReporter(), CancellationToken.None);
    return ($"exit {result.ExitCode} {result.Outcome}{(result.RolledBack ? " rolled back to " + result.RolledBackTo?.Split('/')[^1] : "")}", result.ExitCode == 0);
}

async Task<(int ExitCode, string Stdout)> Cli(LocalAwsHost host, params string[] arguments)
{
    var start = new ProcessStartInfo(awsCli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }
    start.ArgumentList.Add("--output");
    start.ArgumentList.Add("json");
    start.Environment["AWS_CONFIG_FILE"] = "/nonexistent";
    start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent";
    foreach (var (name, value) in host.EnvironmentVariables)
    {
        start.Environment[name] = value;
    }
    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0 && arguments[1] != "wait")
    {
        throw new InvalidOperationException($"aws {string.Join(' ', arguments)}: exit {process.ExitCode}: {await stderr}");
    }
    return (process.ExitCode, await stdout);
}

internal sealed record Row(string Scenario, string Tool, TimeSpan Wall, TimeSpan? Lag, long ApiCalls, bool Success, string Report, string ServiceOn, TimeSpan? RolloutStarted, TimeSpan? RolloutEnded);

internal sealed class RolloutMoments
{
    public TimeSpan? Started { get; set; }
}

// Each AWS call EcsDeploy makes, with when it started and ended: the operation from X-Amz-Target (JSON 1.1) or the form's Action (Query).
internal sealed class CallLog(Stopwatch watch) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    private readonly Lock _gate = new();
    private readonly List<(string Operation, TimeSpan Start, TimeSpan End)> _entries = [];

    public IReadOnlyList<(string Operation, TimeSpan Start, TimeSpan End)> Entries
    {
        get { lock (_gate) { return [.. _entries.OrderBy(e => e.Start)]; } }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var start = watch.Elapsed;
        var operation = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.First().Split('.')[^1] : null;
        if (operation is null && request.Content is not null)
        {
            var form = await request.Content.ReadAsStringAsync(cancellationToken);
            operation = form.Split('&').Select(p => p.Split('=')).FirstOrDefault(p => p[0] == "Action")?[1] ?? request.RequestUri?.AbsolutePath;
        }
        var response = await base.SendAsync(request, cancellationToken);
        lock (_gate)
        {
            _entries.Add((operation ?? request.RequestUri?.AbsolutePath ?? "?", start, watch.Elapsed));
        }
        return response;
    }
}
