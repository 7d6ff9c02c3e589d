#:project ../../src/EcsDeploy/EcsDeploy.csproj
#:property PublishAot=false

// Wire client benchmark (issue 3, "Measure"): a benchmark, not a timed test. Run:
//   dotnet run tests/benchmarks/wire-overhead.cs
// 1. One call's client overhead: DescribeServices through EcsWireClient (serialise, sign with AWSSDK.Core's
//    SigV4 signer, send, parse) against a loopback HttpListener, beside the same POST sent raw (pre-built body,
//    no signing, no parsing).
// 2. A full dry run of the seed's pipeline against moto (started here on a free loopback port, seeded by the
//    tests' moto_seed.py), beside the same read calls (recorded from the dry run) made by the AWS CLI, one process
//    per call as a shell script would, and by boto3 in one process.
// Wall-clock figures: run on an idle machine and compare ratios, not absolute numbers.

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using EcsDeploy;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Reporting;

var scriptDirectory = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Path.Combine(Directory.GetCurrentDirectory(), "tests", "benchmarks");
var repositoryRoot = Path.GetFullPath(Path.Combine(scriptDirectory, "..", ".."));
var python = Find("python3");
const string Region = "eu-central-1";
const int Calls = 300;

// ---------- 1. client overhead against a loopback stub ----------
const string Answer = """{"services":[{"serviceArn":"arn:aws:ecs:eu-central-1:123456789012:service/c/api","serviceName":"api","status":"ACTIVE","desiredCount":2,"runningCount":2,"pendingCount":0,"taskDefinition":"arn:aws:ecs:eu-central-1:123456789012:task-definition/api:7","deployments":[{"id":"ecs-svc/1234567890123456789","status":"PRIMARY","taskDefinition":"arn:aws:ecs:eu-central-1:123456789012:task-definition/api:7","desiredCount":2,"pendingCount":0,"runningCount":2,"failedTasks":0,"createdAt":1767225600.123,"updatedAt":1767225660.5,"rolloutState":"COMPLETED"}],"events":[{"id":"e1","createdAt":1767225660.5,"message":"(service api) has reached a steady state."}]}],"failures":[]}""";
var stubPort = FreePort();
using var listener = new HttpListener();
listener.Prefixes.Add($"http://127.0.0.1:{stubPort}/");
listener.Start();
_ = Task.Run(async () =>
{
    var bytes = Encoding.UTF8.GetBytes(Answer);
    while (listener.IsListening)
    {
        HttpListenerContext context;
        try { context = await listener.GetContextAsync(); } catch (HttpListenerException) { return; } catch (ObjectDisposedException) { return; }
        await context.Request.InputStream.CopyToAsync(Stream.Null);
        context.Response.ContentType = "application/x-amz-json-1.1";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }
});
var stubEndpoint = $"http://127.0.0.1:{stubPort}/";
var credentials = new BasicAWSCredentials("AKIDBENCHMARK", "benchmark-secret");
using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
var transport = new AwsWireTransport(http, credentials, Region, name => name == "AWS_ENDPOINT_URL" ? stubEndpoint : null);
var ecs = new EcsWireClient(transport);
var request = new DescribeServicesRequest("c", ["api"]);
for (var i = 0; i < 50; i++) { await ecs.DescribeServicesAsync(request, CancellationToken.None); }
var ours = await TimeEachAsync(Calls, () => ecs.DescribeServicesAsync(request, CancellationToken.None));
var rawBody = Encoding.UTF8.GetBytes("""{"cluster":"c","services":["api"]}""");
async Task RawAsync()
{
    using var message = new HttpRequestMessage(HttpMethod.Post, stubEndpoint) { Content = new ByteArrayContent(rawBody) };
    message.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices");
    using var response = await http.SendAsync(message);
    await response.Content.ReadAsByteArrayAsync();
}
for (var i = 0; i < 50; i++) { await RawAsync(); }
var raw = await TimeEachAsync(Calls, RawAsync);
listener.Stop();

Console.WriteLine($"1. DescribeServices on a loopback stub, {Calls} calls each (median / p95, microseconds)");
Console.WriteLine($"   {"raw HttpClient POST (no sign, no parse)",-44} {Median(raw),8:0} {P95(raw),8:0}");
Console.WriteLine($"   {"EcsWireClient (serialise, sign, parse)",-44} {Median(ours),8:0} {P95(ours),8:0}   client overhead {Median(ours) - Median(raw):0} us");

// ---------- 2. a dry run against moto, beside the AWS CLI ----------
var motoPort = FreePort();
var moto = Process.Start(new ProcessStartInfo(Find("moto_server"), ["-H", "127.0.0.1", "-p", motoPort.ToString(CultureInfo.InvariantCulture)])
{
    RedirectStandardError = true, RedirectStandardOutput = true, Environment = { ["INITIAL_NO_AUTH_ACTION_COUNT"] = "3" },
})!;
moto.BeginErrorReadLine();
moto.BeginOutputReadLine();
try
{
    var motoEndpoint = $"http://127.0.0.1:{motoPort}";
    using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
    {
        for (var attempt = 0; ; attempt++)
        {
            try { (await probe.GetAsync(motoEndpoint + "/moto-api/")).Dispose(); break; }
            catch (Exception) when (attempt < 200) { await Task.Delay(100); }
        }
    }
    var seed = JsonDocument.Parse(await RunAsync(python, [Path.Combine(repositoryRoot, "tests", "EcsDeploy.Tests", "Aws", "Wire", "moto_seed.py"), motoEndpoint, Region], null)).RootElement;
    var key = seed.GetProperty("accessKeyId").GetString()!;
    var secret = seed.GetProperty("secretAccessKey").GetString()!;
    var recorder = new RecordingHandler(new SocketsHttpHandler { AllowAutoRedirect = false });
    var definition = SeedPipeline(Path.Combine(repositoryRoot, "samples", "sample-backend")).Build();

    async Task<TimeSpan> DryRunAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var aws = await AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = Region,
            Credentials = new BasicAWSCredentials(key, secret),
            Environment = name => name == "AWS_ENDPOINT_URL" ? motoEndpoint : null,
            HttpHandler = recorder,
        }, CancellationToken.None);
        var result = await PipelineRunner.RunAsync(definition, aws, new RunOptions { DryRun = true }, new RecordingReporter(), CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dry run failed: {result.Outcome}: {result.Error}");
        }
        return Stopwatch.GetElapsedTime(started);
    }
    await DryRunAsync();
    var calls = recorder.Calls.ToList();
    recorder.Calls.Clear();
    var dryRuns = new List<double>();
    for (var i = 0; i < 5; i++) { dryRuns.Add((await DryRunAsync()).TotalMilliseconds); }

    var cliEnvironment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = motoEndpoint, ["AWS_ACCESS_KEY_ID"] = key, ["AWS_SECRET_ACCESS_KEY"] = secret, ["AWS_DEFAULT_REGION"] = Region };
    var cliStarted = Stopwatch.GetTimestamp();
    foreach (var call in calls)
    {
        await RunAsync(Find("aws"), [call.CliService, Kebab(call.Operation), "--cli-input-json", call.InputJson, "--output", "json"], cliEnvironment);
    }
    var cli = Stopwatch.GetElapsedTime(cliStarted).TotalMilliseconds;
    var botoRun = await BotoTimesAsync(motoEndpoint, calls.Select(c => (c.CliService, Snake(c.Operation), c.InputJson)).ToList(), 5, key, secret);

    Console.WriteLine();
    Console.WriteLine($"2. The seed pipeline's dry run against moto: {calls.Count} AWS calls ({string.Join(", ", calls.GroupBy(c => c.Operation).Select(g => g.Count() > 1 ? $"{g.Key} x{g.Count()}" : g.Key))})");
    Console.WriteLine($"   {"EcsDeploy dry run (plan included), median of 5",-52} {Median(dryRuns),8:0} ms");
    Console.WriteLine($"   {"boto3, the same calls in one process, median of 5",-52} {Median(botoRun) / 1000,8:0} ms");
    Console.WriteLine($"   {"AWS CLI, the same calls, one process each",-52} {cli,8:0} ms   CLI / EcsDeploy {cli / Median(dryRuns):0.0}x");
}
finally
{
    moto.Kill(entireProcessTree: true);
}

static PipelineBuilder SeedPipeline(string backend) => Pipeline.For("truecaller-backend")
    .InRegion(Region)
    .OnCluster("truecaller-backend-cluster")
    .Build(b => b.WorkingDirectory(backend).Run("npm", "ci", "--no-audit", "--no-fund").Run("npm", "run", "build").Run("npm", "run", "lint").Image("Dockerfile"))
    .Push(p => p.Repository("truecaller-backend").Tags(PushOptions.GitSha, "latest"))
    .Migrate(m => m.Prisma())
    .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds(30)).Service("truecaller-backend-ollama-service"))
    .Deploy(d => d.Service("truecaller-backend-service").Container("truecaller-backend")
        .Environment("NODE_ENV", "production").Environment("PORT", "3000")
        .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL").Secret("REDIS_URL", "truecaller-backend/REDIS_URL")
        .Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET").Secret("GOOGLE_APPLICATION_CREDENTIALS_JSON", "truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON")
        .RollbackOnFailure())
    .Verify(v => v.Http("/health").Ollama());

static async Task<List<double>> TimeEachAsync(int count, Func<Task> call)
{
    var times = new List<double>(count);
    for (var i = 0; i < count; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
    }
    return times;
}

// boto3 in one process: the same calls, repeated; returns the microseconds of each repetition of the whole list.
static async Task<List<double>> BotoTimesAsync(string endpoint, IReadOnlyList<(string Service, string Method, string InputJson)> calls, int repetitions, string key, string secret)
{
    const string Script = """
import json, sys, time, boto3
from botocore.config import Config
spec = json.load(sys.stdin)
clients = {}
def client(name):
    if name not in clients:
        clients[name] = boto3.client(name, endpoint_url=spec["endpoint"], region_name="eu-central-1", aws_access_key_id=spec["key"], aws_secret_access_key=spec["secret"], config=Config(retries={"max_attempts": 1}))
    return clients[name]
for s, m, i in spec["calls"]:
    getattr(client(s), m)(**json.loads(i))
times = []
for _ in range(spec["repetitions"]):
    t = time.perf_counter()
    for s, m, i in spec["calls"]:
        getattr(client(s), m)(**json.loads(i))
    times.append((time.perf_counter() - t) * 1e6)
print(json.dumps(times))
""";
    var input = JsonSerializer.Serialize(new { endpoint, key, secret, repetitions, calls = calls.Select(c => new[] { c.Service, c.Method, c.InputJson }) });
    var output = await RunAsync(Find("python3"), ["-c", Script], null, input);
    return JsonSerializer.Deserialize<List<double>>(output)!;
}

static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, Dictionary<string, string>? environment, string? stdin = null)
{
    var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
    foreach (var (name, value) in environment ?? [])
    {
        start.Environment[name] = value;
    }
    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    if (stdin is not null) { await process.StandardInput.WriteAsync(stdin); }
    process.StandardInput.Close();
    await process.WaitForExitAsync();
    return process.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"{program} {string.Join(' ', arguments.Take(2))} exited {process.ExitCode}: {await stderr}");
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
static double P95(List<double> values) => values.Order().ElementAt((int)(values.Count * 0.95));
static string Kebab(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
static string Snake(string name) => Kebab(name).Replace('-', '_');

static int FreePort()
{
    using var socket = new TcpListener(IPAddress.Loopback, 0);
    socket.Start();
    return ((IPEndPoint)socket.LocalEndpoint).Port;
}

static string Find(string name)
{
    var shim = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv", "shims", name);
    return File.Exists(shim) ? shim : name;
}

/// <summary>A call the dry run made, with its input as the CLI and boto3 take it.</summary>
sealed record RecordedCall(string CliService, string Operation, string InputJson);

/// <summary>Records each AWS call (service, operation, input) on its way out.</summary>
sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public List<RecordedCall> Calls { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        if (request.Headers.TryGetValues("X-Amz-Target", out var targets))
        {
            var target = targets.First();
            var prefix = target[..target.IndexOf('.')];
            var service = prefix switch
            {
                "AmazonEC2ContainerServiceV20141113" => "ecs",
                "AmazonEC2ContainerRegistry_V20150921" => "ecr",
                "secretsmanager" => "secretsmanager",
                _ => "logs",
            };
            lock (Calls) { Calls.Add(new RecordedCall(service, target[(prefix.Length + 1)..], body)); }
        }
        else
        {
            // Query: turn the form (Names.member.1=...) into the CLI's input JSON ({"Names": [...]}).
            var form = body.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));
            var input = new JsonObject();
            foreach (var (name, value) in form.Where(p => p.Key is not ("Action" or "Version")))
            {
                var parts = name.Split('.');
                if (parts.Length == 3 && parts[1] == "member")
                {
                    ((input[parts[0]] ??= new JsonArray()) as JsonArray)!.Add(value);
                }
                else
                {
                    input[name] = value;
                }
            }
            lock (Calls) { Calls.Add(new RecordedCall("elbv2", form["Action"], input.ToJsonString())); }
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
