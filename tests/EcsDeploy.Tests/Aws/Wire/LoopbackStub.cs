using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>A request the stub received.</summary>
public sealed record StubRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The operation: from X-Amz-Target (JSON 1.1) or the form's Action (Query).</summary>
    public string Operation => Header("X-Amz-Target") is { } target ? target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..] : Form()["Action"];

    public Dictionary<string, string> Form()
        => System.Text.Encoding.UTF8.GetString(Body).Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);
}

/// <summary>An answer of the stub.</summary>
public sealed record StubAnswer(int Status, string Body, string ContentType = "application/x-amz-json-1.1", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A loopback HTTP server (HttpListener on 127.0.0.1) for what moto cannot do: answers shaped as botocore's
/// models say, errors, pagination. Records every request.
/// </summary>
public sealed class LoopbackStub : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<StubRequest, StubAnswer> _respond;
    private readonly Task _loop;

    public LoopbackStub(Func<StubRequest, StubAnswer> respond)
    {
        _respond = respond;
        for (var attempt = 0; ; attempt++)
        {
            var port = MotoServerFixture.FreePort();
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(Endpoint.ToString());
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The port was taken between probing and binding: another engineer's server. Try another.
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<StubRequest> Requests { get; } = new();

    internal AwsWireTransport Transport(AWSCredentials? credentials = null)
        => new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) },
            credentials ?? new BasicAWSCredentials("AKIDSTUB", "stub-secret"), "eu-central-1",
            name => name == "AWS_ENDPOINT_URL" ? Endpoint.ToString() : null);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var request = new StubRequest(context.Request.HttpMethod, context.Request.RawUrl ?? "/", headers, body.ToArray());
            Requests.Enqueue(request);
            StubAnswer answer;
            try
            {
                answer = _respond(request);
            }
            catch (Exception ex)
            {
                answer = new StubAnswer(599, "stub failed: " + ex, "text/plain");
            }
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType;
            foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }
            var bytes = System.Text.Encoding.UTF8.GetBytes(answer.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        // Close alone: on Unix, Stop() then Close() unregisters the port twice, and the second time binds it again,
        // which fails with "Address already in use" when a parallel test has taken the port meanwhile.
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener.
        }
    }
}
