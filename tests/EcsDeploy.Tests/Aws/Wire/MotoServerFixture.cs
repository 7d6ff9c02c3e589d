using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Amazon.Runtime;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>
/// A moto server on a free loopback port with SigV4 checking on (INITIAL_NO_AUTH_ACTION_COUNT=3), seeded by
/// moto_seed.py with boto3: the seed creates the IAM user and key the tests sign with, then ECS, ECR, ELBv2,
/// Secrets Manager, CloudWatch Logs and S3 resources. One server serves the whole collection (<see cref="MotoCollection"/>);
/// a test that changes state seeds resources of its own (<see cref="SeedServiceAsync"/>).
/// </summary>
public sealed class MotoServerFixture : IAsyncLifetime
{
    public const string Region = "eu-central-1";

    /// <summary>
    /// How long moto may take to say it listens, and a script to finish: about 0.5 s and 2 s on an idle machine, but up to
    /// a minute and more while other builds load both cores. Past it the fixture fails with moto's own output.
    /// </summary>
    public static readonly TimeSpan StartBudget = TimeSpan.FromMinutes(4);

    private Process? _process;

    public Uri Endpoint { get; private set; } = null!;

    public JsonElement Seed { get; private set; }

    public string AccessKeyId => Seed.GetProperty("accessKeyId").GetString()!;

    public string SecretAccessKey => Seed.GetProperty("secretAccessKey").GetString()!;

    public string S(string name) => Seed.GetProperty(name).GetString()!;

    public Func<string, string?> EnvironmentFor(Uri endpoint) => name => name == "AWS_ENDPOINT_URL" ? endpoint.ToString() : null;

    internal AwsWireTransport Transport(AWSCredentials? credentials = null, Uri? endpoint = null)
        => new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) },
            credentials ?? new BasicAWSCredentials(AccessKeyId, SecretAccessKey), Region, EnvironmentFor(endpoint ?? Endpoint));

    public async Task InitializeAsync()
    {
        // A free port can be taken by another engineer's server before moto binds it: moto then exits, and a
        // readiness probe could reach the other server. So moto counts as started only once it says it listens.
        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync(FreePort()))
            {
                break;
            }
            if (attempt == 5)
            {
                throw new InvalidOperationException("moto_server did not start on a free loopback port in 5 attempts.");
            }
        }
        var seed = await Python.RunAsync("moto_seed.py", [Endpoint.ToString().TrimEnd('/'), Region], null, StartBudget);
        Seed = JsonDocument.Parse(seed).RootElement.Clone();
    }

    /// <summary>Seeds a service of its own named after <paramref name="name"/> (moto_day2.py) and returns what it made.</summary>
    public async Task<JsonElement> SeedServiceAsync(string name)
        => JsonDocument.Parse(await Python.RunAsync("moto_day2.py", [Endpoint.ToString().TrimEnd('/'), Region, AccessKeyId, SecretAccessKey, name], null, StartBudget)).RootElement.Clone();

    /// <summary>One read through boto3, an independent client (moto_read.py): the answer of <paramref name="operation"/>.</summary>
    public async Task<JsonElement> ReadAsync(string service, string operation, object parameters)
        => JsonDocument.Parse(await Python.RunAsync("moto_read.py",
            [Endpoint.ToString().TrimEnd('/'), Region, AccessKeyId, SecretAccessKey, service, operation, JsonSerializer.Serialize(parameters)], null, StartBudget)).RootElement.Clone();

    private async Task<bool> TryStartAsync(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(Python.MotoServer)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "3";
        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start)!;
        DataReceivedEventHandler watch = (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }
            output.Enqueue(line);
            if (line.Contains($"Running on http://127.0.0.1:{port}", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.OutputDataReceived += watch;
        process.ErrorDataReceived += watch;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetResult();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        // The only wall-clock wait of these tests: moto is up in about 0.5 s (longer on a loaded machine).
        var started = Stopwatch.StartNew();
        try
        {
            await listening.Task.WaitAsync(StartBudget);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"moto_server did not say it listens on port {port} within {StartBudget.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min; its output:\n{string.Join('\n', output)}");
        }
        StartedIn = started.Elapsed;
        if (process.HasExited)
        {
            process.Dispose();
            _process = null;
            return false;
        }
        using var http = new HttpClient { Timeout = StartBudget };
        using var response = await http.GetAsync(new Uri(Endpoint, "moto-api/"));
        return true;
    }

    /// <summary>How long the server took to say it listens (for a failure's message: a loaded machine shows here).</summary>
    public TimeSpan StartedIn { get; private set; }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        return Task.CompletedTask;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoServerFixture>
{
    public const string Name = "moto";
}
