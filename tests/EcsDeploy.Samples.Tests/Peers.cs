using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using EcsDeploy.Images.Registry;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Samples.Tests;

/// <summary>A PostgreSQL 15 server of its own (initdb in a temporary folder, as user postgres, on 127.0.0.1 only).</summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _folder;

    private PostgresServer(string folder, string url)
    {
        _folder = folder;
        Url = url;
    }

    public string Url { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Path.GetDirectoryName(TestPeers.Require(TestPeer.PgCtl))!;
        var folder = Directory.CreateTempSubdirectory("ecsdeploy-pg-").FullName;
        var port = Peers.FreePort();
        await Peers.RunAsync("chown", "postgres", folder);
        await RunAsPostgresAsync($"{bin}/initdb -D {folder}/data -U postgres --auth=trust -E UTF8 >/dev/null");
        await RunAsPostgresAsync($"{bin}/pg_ctl -D {folder}/data -o '-h 127.0.0.1 -p {port} -k {folder}' -l {folder}/log -w start >/dev/null");
        return new PostgresServer(folder, $"postgresql://postgres@127.0.0.1:{port}/postgres");
    }

    public async ValueTask DisposeAsync()
    {
        var bin = Path.GetDirectoryName(TestPeers.Require(TestPeer.PgCtl))!;
        await RunAsPostgresAsync($"{bin}/pg_ctl -D {_folder}/data -m immediate -w stop >/dev/null");
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Task RunAsPostgresAsync(string command)
        => Environment.UserName == "postgres" ? Peers.RunAsync("/bin/sh", "-c", command) : Peers.RunAsync("su", "postgres", "-s", "/bin/sh", "-c", command);
}

/// <summary>
/// The CNCF registry (docker-registry) on a free 127.0.0.1 port without authentication, as a pull-through mirror would
/// be, holding one small image under a Docker Hub name; it counts the manifest requests for that image.
/// </summary>
internal sealed class BaseImageMirror : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly string _repository;
    private readonly StringBuilder _log = new();

    private BaseImageMirror(Process process, string folder, string address, string repository)
    {
        _process = process;
        _folder = folder;
        Address = address;
        _repository = repository;
    }

    /// <summary>host:port.</summary>
    public string Address { get; }

    /// <summary>How many manifest requests of the image the registry logged.</summary>
    public int ManifestRequests
    {
        get
        {
            lock (_log)
            {
                return _log.ToString().Split('\n').Count(l => l.Contains($"/v2/{_repository}/manifests/", StringComparison.Ordinal));
            }
        }
    }

    public static async Task<BaseImageMirror> StartAsync(string repository, string tag)
    {
        var program = TestPeers.Require(TestPeer.DockerRegistry);
        var folder = Directory.CreateTempSubdirectory("ecsdeploy-mirror-").FullName;
        var port = Peers.FreePort();
        var config = Path.Combine(folder, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
            storage:
              filesystem:
                rootdirectory: {Path.Combine(folder, "data")}
            http:
              addr: 127.0.0.1:{port}
            """);
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start)!;
        var mirror = new BaseImageMirror(process, folder, $"127.0.0.1:{port}", repository);
        process.OutputDataReceived += (_, e) => mirror.Log(e.Data);
        process.ErrorDataReceived += (_, e) => mirror.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; ; attempt++)
        {
            Assert.False(process.HasExited, $"docker-registry exited: {mirror.LogText}");
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{mirror.Address}/v2/"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (attempt < 150)
            {
            }
            await Task.Delay(100);
        }
        await mirror.PushAsync(tag);
        return mirror;
    }

    private string LogText { get { lock (_log) { return _log.ToString(); } } }

    private void Log(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>A one-layer linux/amd64 image (a file under /etc), pushed with the library's registry client.</summary>
    private async Task PushAsync(string tag)
    {
        using var client = new OciRegistryClient(Address);
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "etc/base-release") { DataStream = new MemoryStream("test base image\n"u8.ToArray()) };
            writer.WriteEntry(entry);
        }
        var uncompressed = tar.ToArray();
        using var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(uncompressed);
        }
        var layer = gz.ToArray();
        var config = Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Env\":[\"PATH=/usr/local/bin:/usr/bin:/bin\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{Digest(uncompressed)}\"]}}}}");
        var manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + $"\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{Digest(config)}\",\"size\":{config.Length}}},"
            + $"\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{Digest(layer)}\",\"size\":{layer.Length}}}]}}");
        foreach (var blob in new[] { layer, config })
        {
            using var content = new MemoryStream(blob);
            await client.PushBlobAsync(_repository, Digest(blob), content, blob.Length, CancellationToken.None);
        }
        await client.PutManifestAsync(_repository, tag, "application/vnd.oci.image.manifest.v1+json", manifest, CancellationToken.None);
    }

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Peers
{
    /// <summary>A TCP port on 127.0.0.1 that nothing listens on (bound, then released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
    }
}
