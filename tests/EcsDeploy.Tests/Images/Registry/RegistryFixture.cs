using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EcsDeploy.Images.Registry;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Tests.Images.Registry;

/// <summary>
/// The real CNCF distribution registry (Debian package docker-registry) on a free 127.0.0.1 port, storage in a
/// temp dir, htpasswd basic auth with bcrypt. Started once per collection, stopped at the end.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string User = "ecsdeploy";
    public const string Password = "S3cret-Pa55word!";

    private readonly bool _relativeUrls;
    private readonly TokenAuthSettings? _tokenAuth;
    private Process? _process;
    private readonly System.Text.StringBuilder _log = new();

    public RegistryFixture() : this(relativeUrls: false)
    {
    }

    internal RegistryFixture(bool relativeUrls, TokenAuthSettings? tokenAuth = null)
    {
        _relativeUrls = relativeUrls;
        _tokenAuth = tokenAuth;
    }

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("ecsdeploy-registry-").FullName;
    public int Port { get; private set; }
    /// <summary>host:port, as in image references.</summary>
    public string Address => $"127.0.0.1:{Port}";
    public RegistryCredentials Credentials { get; } = new(User, Password);

    public OciRegistryClient CreateClient(OciRegistryClientOptions? options = null, RegistryCredentials? credentials = null) =>
        new(Address, credentials ?? Credentials, httpClient: null, options);

    public async Task InitializeAsync()
    {
        TestPeers.RequireAll(TestPeer.DockerRegistry, TestPeer.Htpasswd, TestPeer.Skopeo);
        var htpasswd = await Tools.RunAsync("htpasswd", ["-Bbn", User, Password]);
        await File.WriteAllTextAsync(Path.Combine(Directory, "htpasswd"), htpasswd.Trim() + "\n");
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "data"));
        // A port probed free may be taken before the registry binds it: then it exits, and we try another.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (RegistryExitedException) when (attempt < 4)
            {
                _process?.Dispose();
                lock (_log)
                {
                    _log.Clear();
                }
            }
        }
    }

    private async Task StartAsync()
    {
        Port = FreePort();
        var config = $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(Directory, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
              secret: ecsdeploy-test-secret
              relativeurls: {(_relativeUrls ? "true" : "false")}
            auth:
            {Auth()}
            """;
        var configPath = Path.Combine(Directory, "config.yml");
        await File.WriteAllTextAsync(configPath, config);
        var start = new ProcessStartInfo("docker-registry") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(configPath);
        _process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        _process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new RegistryExitedException($"docker-registry exited with {_process.ExitCode}: {Log}");
            }
            try
            {
                using var response = await http.GetAsync($"http://{Address}/v2/");
                // Our realm, so that another registry which won the race for the port is not taken for ours.
                if (response.StatusCode == HttpStatusCode.Unauthorized
                    && response.Headers.WwwAuthenticate.ToString().Contains(Realm, StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"docker-registry did not answer 401 with realm {Realm} on /v2/ within 15 s: {Log}");
            }
            await Task.Delay(50);
        }
    }

    private string Realm => _tokenAuth?.Realm ?? _htpasswdRealm;

    private readonly string _htpasswdRealm = "ecsdeploy-test-" + Guid.NewGuid().ToString("N");

    /// <summary>The lines under <c>auth:</c> (indented two spaces).</summary>
    private string Auth() => _tokenAuth is { } token
        ? $"  token:\n    realm: {token.Realm}\n    service: {token.Service}\n    issuer: {token.Issuer}\n    rootcertbundle: {token.RootCertBundlePath}"
        : $"  htpasswd:\n    realm: {_htpasswdRealm}\n    path: {Path.Combine(Directory, "htpasswd")}";

    public string Log
    {
        get { lock (_log) { return _log.ToString(); } }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }

    /// <summary>skopeo against this registry, with our credentials and plain http.</summary>
    public Task<string> SkopeoAsync(params string[] args) => Tools.RunAsync("skopeo", args);

    public Task<string> SkopeoInspectAsync(string repositoryAndTag, bool raw = false)
    {
        var args = new List<string> { "inspect", "--tls-verify=false", "--creds", $"{User}:{Password}" };
        if (raw)
        {
            args.Add("--raw");
        }
        args.Add($"docker://{Address}/{repositoryAndTag}");
        return Tools.RunAsync("skopeo", [.. args]);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed class RegistryExitedException(string message) : Exception(message);

/// <summary>The registry's token auth: it sends clients to <paramref name="Realm"/> and trusts JWTs signed under the bundle's certificates.</summary>
internal sealed record TokenAuthSettings(string Realm, string Service, string Issuer, string RootCertBundlePath);

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}

internal static class Tools
{
    /// <summary>Runs a program with arguments as a list; returns stdout; throws with stderr on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string program, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} could not be started ({e.Message}): run sudo bash .ci/install-deps.sh", e);
        }
        using var _ = process;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in time");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        }
        return await stdout;
    }
}
