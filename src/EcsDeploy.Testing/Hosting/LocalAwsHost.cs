using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// Serves a <see cref="SimulatedAws"/> over the real AWS wire protocols on 127.0.0.1, so that the AWS CLI, an
/// SDK or EcsDeploy's own wire clients can deploy to it and inspect it. One port serves everything:
/// <list type="bullet">
/// <item>JSON 1.1 (<c>POST /</c> with <c>X-Amz-Target</c>) for ECS, ECR, Secrets Manager, CloudWatch Logs and Application Auto Scaling;</item>
/// <item>the Query protocol (form-encoded <c>Action</c>, XML answers) for Elastic Load Balancing v2 and IAM;</item>
/// <item>the OCI distribution API of the simulated ECR registry under <c>/v2/</c>, with basic auth (user <c>AWS</c>,
/// the password inside GetAuthorizationToken's token, whose <c>proxyEndpoint</c> names this host);</item>
/// <item>the simulated load balancers: a request whose <c>Host</c> header is a load balancer's DNS name (sent
/// directly, or through this host used as an HTTP proxy, <c>HTTP_PROXY=http://127.0.0.1:PORT</c>) is answered as
/// the load balancer would (<c>/health</c>, Ollama's <c>/</c> and <c>/api/tags</c>).</item>
/// </list>
/// Every AWS API call must carry a SigV4 signature made with <see cref="AccessKeyId"/> and
/// <see cref="SecretAccessKey"/>; a bad one is refused as AWS refuses it. A background loop moves the simulated
/// clock with wall time times <see cref="Speed"/>, so rollouts progress while someone watches.
/// </summary>
public sealed partial class LocalAwsHost : IAsyncDisposable
{
    private const string JsonContentType = "application/x-amz-json-1.1";

    private readonly WebApplication _app;
    private readonly SigV4Verifier _verifier;
    private readonly JsonApiDispatcher _json;
    private readonly Elbv2QueryDispatcher _query;
    private readonly IamQueryDispatcher _iam;
    private readonly RegistryEndpoint _registry;
    private readonly HttpMessageInvoker _loadBalancers;
    private readonly TimeProvider _wall;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _randomGate = new();
    private readonly Random _random;
    private Task _clockLoop = Task.CompletedTask;
    private double _speed;
    private HostFaults _faults;
    private long _apiCalls;
    private long _registryRequests;
    private long _loadBalancerRequests;
    private long _signatureFailures;
    private long _faultsInjected;
    private int _disposed;

    private LocalAwsHost(SimulatedAws aws, LocalAwsHostOptions options, WebApplication app)
    {
        Aws = aws;
        Endpoint = new Uri("http://127.0.0.1/");
        _app = app;
        _wall = options.WallClock;
        _speed = options.Speed;
        _faults = options.Faults;
        _random = new Random(options.RandomSeed);
        AccessKeyId = options.AccessKeyId ?? "AKIA" + RandomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
        SecretAccessKey = options.SecretAccessKey ?? RandomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
        _verifier = new SigV4Verifier(AccessKeyId, SecretAccessKey, aws.Region, _wall);
        _json = new JsonApiDispatcher(aws, () => Endpoint.GetLeftPart(UriPartial.Authority));
        _query = new Elbv2QueryDispatcher(aws);
        _iam = new IamQueryDispatcher(aws);
        _registry = new RegistryEndpoint(aws);
        _loadBalancers = new HttpMessageInvoker(new SimulatedHttpHandler(aws), disposeHandler: true);
    }

    /// <summary>The simulated AWS served.</summary>
    public SimulatedAws Aws { get; }

    /// <summary>The endpoint, <c>http://127.0.0.1:PORT/</c>: the value of <c>AWS_ENDPOINT_URL</c> and of <c>HTTP_PROXY</c>.</summary>
    public Uri Endpoint { get; private set; }

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port => Endpoint.Port;

    /// <summary>The region of the simulated account.</summary>
    public string Region => Aws.Region;

    /// <summary>The access key id requests must be signed with.</summary>
    public string AccessKeyId { get; }

    /// <summary>The secret access key requests must be signed with.</summary>
    public string SecretAccessKey { get; }

    /// <summary>The speed factor of the simulated clock against wall time (0: the clock is not driven). Can be changed while serving.</summary>
    public double Speed
    {
        get => Volatile.Read(ref _speed);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _speed, value);
        }
    }

    /// <summary>The faults injected between the processes. Can be changed while serving.</summary>
    public HostFaults Faults
    {
        get => Volatile.Read(ref _faults);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Volatile.Write(ref _faults, value);
        }
    }

    /// <summary>What the host served so far.</summary>
    public LocalAwsHostStatistics Statistics => new(
        Interlocked.Read(ref _apiCalls), Interlocked.Read(ref _registryRequests), Interlocked.Read(ref _loadBalancerRequests),
        Interlocked.Read(ref _signatureFailures), Interlocked.Read(ref _faultsInjected));

    /// <summary>The last error the clock loop met while advancing the simulated world, if any.</summary>
    public Exception? ClockError { get; private set; }

    /// <summary>Starts serving <paramref name="aws"/> on 127.0.0.1.</summary>
    /// <param name="aws">The simulated AWS (seed it first, for example with <see cref="Seed.Truecaller"/>).</param>
    /// <param name="options">The settings (default: a free port, speed 1, generated credentials, no faults).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LocalAwsHost> StartAsync(SimulatedAws aws, LocalAwsHostOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aws);
        options ??= new LocalAwsHostOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Speed);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var host = new LocalAwsHost(aws, options, app);
        app.Run(host.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Urls.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel reported no address.");
        host.Endpoint = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/");
        host._clockLoop = Task.Run(() => host.DriveClockAsync(host._stopping.Token), CancellationToken.None);
        return host;
    }

    /// <summary>Stops serving and stops the clock loop; the simulated AWS keeps its state.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _clockLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _loadBalancers.Dispose();
        _stopping.Dispose();
    }

    private async Task DriveClockAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), _wall);
        var last = _wall.GetTimestamp();
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = _wall.GetTimestamp();
            var elapsed = _wall.GetElapsedTime(last, now);
            last = now;
            var speed = Speed;
            if (speed <= 0)
            {
                continue;
            }
            try
            {
                Aws.Clock.Advance(elapsed * speed);
            }
            catch (Exception ex) when (ex is InvalidOperationException or AwsServiceException or ArgumentException or KeyNotFoundException or NullReferenceException)
            {
                ClockError = ex;
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var request = context.Request;
        var hostName = request.Host.Host;
        if (Aws.Elbv2.All.Any(lb => string.Equals(lb.DNSName, hostName, StringComparison.OrdinalIgnoreCase)))
        {
            Interlocked.Increment(ref _loadBalancerRequests);
            await LoadBalancerAsync(context, cancellationToken).ConfigureAwait(false);
            return;
        }
        var path = request.Path.Value ?? "/";
        if (path == "/v2" || path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _registryRequests);
            await _registry.HandleAsync(context, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsPost(request.Method))
        {
            Interlocked.Increment(ref _apiCalls);
            await ApiAsync(context, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsGet(request.Method) && path == "/")
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync($"EcsDeploy local AWS host: {Aws.Region}, account {Aws.AccountId}, speed {Speed.ToString(CultureInfo.InvariantCulture)}\n", cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!string.Equals(hostName, "127.0.0.1", StringComparison.Ordinal) && !string.Equals(hostName, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            // A proxied request for a name the simulated world does not have: the name does not resolve.
            context.Response.StatusCode = 502;
            await context.Response.WriteAsync($"Name or service not known ({hostName})\n", cancellationToken).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 404;
    }

    private async Task LoadBalancerAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var uri = new Uri($"http://{request.Host.Host}{request.Path}{request.QueryString}");
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
        using var response = await _loadBalancers.SendAsync(message, cancellationToken).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } contentType)
        {
            context.Response.ContentType = contentType.ToString();
        }
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!HttpMethods.IsHead(request.Method))
        {
            await context.Response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ApiAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        var requestId = Guid.NewGuid().ToString();
        response.Headers["x-amzn-RequestId"] = requestId;
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            body = buffer.ToArray();
        }

        var (service, operation, form, problem) = AwsWireAnswers.ResolveOperation(request.Headers["X-Amz-Target"], body, request.Headers.Authorization.ToString());
        if (service is null)
        {
            await AwsWireAnswers.ErrorAsync(response, problem!.Value.Query, 400, problem.Value.Code, problem.Value.Message, requestId, cancellationToken).ConfigureAwait(false);
            return;
        }
        var isQuery = service.Protocol == AwsWireProtocol.Query;

        // SigV4, as AWS checks it before anything else.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var signed = new SigV4Request(request.Method,
            question < 0 ? rawTarget : rawTarget[..question],
            question < 0 ? "" : rawTarget[(question + 1)..],
            name => [.. request.Headers[name].Where(v => v is not null).Select(v => v!)],
            body);
        var (outcome, detail) = _verifier.Verify(signed, service.SigningName, AwsWireEndpoints.SigningRegion(service, Aws.Region));
        if (outcome != SigV4Outcome.Valid)
        {
            Interlocked.Increment(ref _signatureFailures);
            var (status, code) = AwsWireAnswers.SignatureError(outcome, isQuery);
            await AwsWireAnswers.ErrorAsync(response, isQuery, status, code, detail, requestId, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Faults between the processes.
        double roll;
        lock (_randomGate)
        {
            roll = _random.NextDouble();
        }
        var fault = Faults.Choose(roll);
        if (fault is not null)
        {
            Interlocked.Increment(ref _faultsInjected);
        }
        switch (fault)
        {
            case "throttling":
                await AwsWireAnswers.ErrorAsync(response, isQuery, 400, isQuery ? "Throttling" : "ThrottlingException", "Rate exceeded", requestId, cancellationToken).ConfigureAwait(false);
                return;
            case "http-500":
                await AwsWireAnswers.ErrorAsync(response, isQuery, 500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", requestId, cancellationToken).ConfigureAwait(false);
                return;
            case "http-503":
                await AwsWireAnswers.ErrorAsync(response, isQuery, 503, isQuery ? "ServiceUnavailable" : "ServiceUnavailableException", "Service Unavailable", requestId, cancellationToken).ConfigureAwait(false);
                return;
            case "drop-connection":
                context.Abort();
                return;
            case "slow":
                await Task.Delay(Faults.SlowDelay, _wall, cancellationToken).ConfigureAwait(false);
                break;
        }

        try
        {
            if (isQuery)
            {
                var document = await (service == AwsWireService.Iam ? _iam.DispatchAsync(operation, form!, requestId, cancellationToken) : _query.DispatchAsync(operation, form!, requestId, cancellationToken)).ConfigureAwait(false);
                response.StatusCode = 200;
                response.ContentType = "text/xml";
                await response.WriteAsync(document.ToString(SaveOptions.DisableFormatting), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var answer = await _json.DispatchAsync(service, operation, body, cancellationToken).ConfigureAwait(false);
                response.StatusCode = 200;
                response.ContentType = service.Protocol == AwsWireProtocol.Json10 ? "application/x-amz-json-1.0" : JsonContentType;
                await response.Body.WriteAsync(answer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AwsServiceException ex)
        {
            if (service.Protocol == AwsWireProtocol.Json10)
            {
                // An AWS Query compatible service (CloudWatch) names the error's Query code here, as AWS does.
                response.Headers["x-amzn-query-error"] = $"{ex.ErrorCode};{(ex.StatusCode < 500 ? "Sender" : "Receiver")}";
            }
            await AwsWireAnswers.ErrorAsync(response, isQuery, ex.StatusCode, ex.ErrorCode, ex.ErrorMessage, requestId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or KeyNotFoundException or NullReferenceException or FormatException or JsonException)
        {
            await AwsWireAnswers.ErrorAsync(response, isQuery, 500, isQuery ? "InternalFailure" : "ServerException", $"The local AWS host failed: {ex.GetType().Name}: {ex.Message}", requestId, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string RandomString(string alphabet, int length)
        => string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]));

    /// <summary>A lifetime that neither hooks Ctrl+C nor prints: the owner of the host decides when it stops.</summary>
    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
