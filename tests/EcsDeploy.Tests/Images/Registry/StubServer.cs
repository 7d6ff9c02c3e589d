using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace EcsDeploy.Tests.Images.Registry;

/// <summary>A tiny HTTP server on 127.0.0.1 (HttpListener) whose answers a test scripts: a lying registry, a token service.</summary>
internal sealed class StubServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<StubRequest, StubResponse> _handler;
    private readonly Task _loop;

    public StubServer(Func<StubRequest, StubResponse> handler)
    {
        _handler = handler;
        for (var attempt = 0; ; attempt++)
        {
            Port = RegistryFixture.FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public string BaseUrl => $"http://{Address}";
    public ConcurrentQueue<StubRequest> Requests { get; } = new();

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
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var request = new StubRequest(
                    context.Request.HttpMethod,
                    context.Request.Url!.PathAndQuery,
                    context.Request.Headers["Authorization"],
                    context.Request.Headers["Content-Range"],
                    context.Request.Headers["Accept"],
                    body.ToArray());
                Requests.Enqueue(request);
                var response = _handler(request);
                context.Response.StatusCode = response.Status;
                foreach (var (name, value) in response.Headers)
                {
                    context.Response.AddHeader(name, value);
                }
                if (response.ContentType is not null)
                {
                    context.Response.ContentType = response.ContentType;
                }
                context.Response.ContentLength64 = response.Body.Length;
                await context.Response.OutputStream.WriteAsync(response.Body);
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException)
            {
                // client went away
            }
        }
    }

    public void Dispose()
    {
        // Close alone: on Unix, Stop() then Close() unregisters the port twice, and the second time binds it again,
        // which fails with "Address already in use" when a parallel test has taken the port meanwhile.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

internal sealed record StubRequest(string Method, string PathAndQuery, string? Authorization, string? ContentRange, string? Accept, byte[] Body)
{
    public string Path => PathAndQuery.Split('?')[0];
    public string Query => PathAndQuery.Contains('?') ? PathAndQuery[(PathAndQuery.IndexOf('?') + 1)..] : "";
    public IReadOnlyList<string> QueryValues(string name) =>
        Query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p[0] == name)
            .Select(p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))
            .ToList();
}

internal sealed record StubResponse(int Status, byte[] Body, string? ContentType = null, IReadOnlyList<(string Name, string Value)>? ExtraHeaders = null)
{
    public IReadOnlyList<(string Name, string Value)> Headers => ExtraHeaders ?? [];

    public static StubResponse Json(int status, string json, params (string, string)[] headers) =>
        new(status, Encoding.UTF8.GetBytes(json), "application/json", headers);

    public static StubResponse Error(int status, string code, string message, params (string, string)[] headers) =>
        Json(status, $$"""{"errors":[{"code":"{{code}}","message":"{{message}}","detail":null}]}""", headers);

    public static StubResponse Empty(int status, params (string, string)[] headers) => new(status, [], null, headers);
}
