using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Amazon.Runtime;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>
/// A moto server on a free loopback port with SigV4 checking on (INITIAL_NO_AUTH_ACTION_COUNT=3), seeded by
/// moto_seed.py with boto3: the seed creates the IAM user and key the tests sign with, then ECS, ECR, ELBv2,
/// Secrets Manager, CloudWatch Logs and S3 resources.
/// </summary>
public sealed class MotoServerFixture : IAsyncLifetime
{
    public const string Region = "eu-central-1";

    private Process? _process;

    public Uri Endpoint { get; private set; } = null!;

    public JsonElement Seed { get; private set; }

    public string AccessKeyId => Seed.GetProperty("accessKeyId").GetString()!;

    public string SecretAccessKey => Seed.GetProperty("secretAccessKey").GetString()!;

    public string S(string name) => Seed.GetProperty(name).GetString()!;

    public Func<string, string?> EnvironmentFor(Uri endpoint) => name => name == "AWS_ENDPOINT_URL" ? endpoint.ToString() : null;

    public AwsWireTransport Transport(AWSCredentials? credentials = null, Uri? endpoint = null)
        => new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) },
            credentials ?? new BasicAWSCredentials(AccessKeyId, SecretAccessKey), Region, EnvironmentFor(endpoint ?? Endpoint));

    public async Task InitializeAsync()
    {
        var port = FreePort();
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
        start.Environment["MOTO_ALLOW_NONEXISTENT_REGION"] = "false";
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Wait for readiness (the only wall-clock wait of these tests): moto answers in about 0.5 s.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "moto-api/"));
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && deadline.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
        var seed = await Python.RunAsync("moto_seed.py", [Endpoint.ToString().TrimEnd('/'), Region], null, TimeSpan.FromSeconds(60));
        Seed = JsonDocument.Parse(seed).RootElement.Clone();
    }

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
