#:project ../../src/EcsDeploy/EcsDeploy.csproj
#:property PublishAot=false

// Registry push benchmark (issue 5, "Measure"): a benchmark, not a timed test. Run:
//   dotnet run tests/benchmarks/registry-push.cs -- [base-layer-MiB (default 1024)] [app-layer-MiB (default 8)] [chunk-threshold-MiB|monolithic]
// Needs docker-registry, htpasswd and skopeo (.ci/install-deps.sh). Starts the CNCF registry on a free
// 127.0.0.1 port and prints, in one run against it: requests and bytes for a first push, a re-push of the unchanged
// image, a push where one layer changed, and a retag; wall time beside `skopeo copy` of the same image; and the
// growth of the working set while pushing the base layer (target: flat, independent of the layer's size).

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using EcsDeploy.Images.Registry;

var baseMib = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
var appMib = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
var options = new OciRegistryClientOptions();
if (args.Length > 2)
{
    options.ChunkedUploadThreshold = args[2] == "monolithic" ? long.MaxValue : long.Parse(args[2], CultureInfo.InvariantCulture) * 1024 * 1024;
}
const string User = "bench";
const string Password = "bench-Pa55";
var work = Directory.CreateTempSubdirectory("ecsdeploy-bench-").FullName;
Process? registryProcess = null;
try
{
    // ---- the registry ----
    var htpasswd = await Run("htpasswd", ["-Bbn", User, Password]);
    await File.WriteAllTextAsync(Path.Combine(work, "htpasswd"), htpasswd.Trim() + "\n");
    int port;
    using (var listener = new TcpListener(IPAddress.Loopback, 0))
    {
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }
    var config = $"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {Path.Combine(work, "data")}\n" +
                 $"http:\n  addr: 127.0.0.1:{port}\n  secret: bench\nauth:\n  htpasswd:\n    realm: bench\n    path: {Path.Combine(work, "htpasswd")}\n";
    await File.WriteAllTextAsync(Path.Combine(work, "config.yml"), config);
    var start = new ProcessStartInfo("docker-registry") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
    start.ArgumentList.Add("serve");
    start.ArgumentList.Add(Path.Combine(work, "config.yml"));
    registryProcess = Process.Start(start)!;
    registryProcess.BeginErrorReadLine();
    registryProcess.BeginOutputReadLine();
    var address = $"127.0.0.1:{port}";
    using (var http = new HttpClient())
    {
        for (var i = 0; ; i++)
        {
            try
            {
                using var r = await http.GetAsync($"http://{address}/v2/");
                if (r.StatusCode == HttpStatusCode.Unauthorized) break;
            }
            catch (HttpRequestException) when (i < 200) { }
            await Task.Delay(50);
        }
    }

    // ---- the image: a big base layer, an app layer, a config; blobs on disk ----
    Console.WriteLine($"writing a {baseMib} MiB base layer and a {appMib} MiB app layer to {work} ...");
    var blobs = Path.Combine(work, "layout", "blobs", "sha256");
    Directory.CreateDirectory(blobs);
    var baseLayer = await WriteBlob(blobs, "base", baseMib);
    var appLayer = await WriteBlob(blobs, "app-1", appMib);
    var changedAppLayer = await WriteBlob(blobs, "app-2", appMib);
    (OciDescriptor Descriptor, byte[] Bytes) Config(string label)
    {
        var bytes = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Labels\":{{\"build\":\"{label}\"}}}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[]}}}}");
        File.WriteAllBytes(Path.Combine(blobs, OciDigest.Compute(bytes)[7..]), bytes);
        return (new OciDescriptor(RegistryMediaTypes.OciConfig, OciDigest.Compute(bytes), bytes.Length), bytes);
    }
    var config1 = Config("1");
    var config2 = Config("2");
    byte[] Manifest((OciDescriptor Descriptor, byte[] Bytes) config, params OciDescriptor[] layers) =>
        new OciImageManifest(2, RegistryMediaTypes.OciManifest, config.Descriptor, layers).ToJsonBytes();
    var manifest1 = Manifest(config1, baseLayer, appLayer);
    var manifest2 = Manifest(config2, baseLayer, changedAppLayer);
    BlobContent[] Blobs((OciDescriptor Descriptor, byte[] Bytes) config, params OciDescriptor[] layers) =>
        [BlobContent.FromBytes(config.Descriptor, config.Bytes), .. layers.Select(l => BlobContent.FromFile(l, Path.Combine(blobs, l.Digest[7..])))];

    // OCI layout for skopeo (same blobs, same manifest)
    File.WriteAllBytes(Path.Combine(blobs, OciDigest.Compute(manifest1)[7..]), manifest1);
    File.WriteAllText(Path.Combine(work, "layout", "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    File.WriteAllBytes(Path.Combine(work, "layout", "index.json"), new OciImageIndex(2, RegistryMediaTypes.OciIndex,
        [new OciDescriptor(RegistryMediaTypes.OciManifest, OciDigest.Compute(manifest1), manifest1.Length, Annotations: new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = "v1" })]).ToJsonBytes());

    // Both read the layers from the page cache: read them once first, so neither pays the disk for the other.
    foreach (var file in Directory.EnumerateFiles(blobs))
    {
        await using var warm = File.OpenRead(file);
        await warm.CopyToAsync(Stream.Null);
    }

    // ---- skopeo copy (first, on a fresh registry, so it has no known locations to mount from) ----
    var watch = Stopwatch.StartNew();
    await Run("skopeo", ["copy", "--insecure-policy", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", $"{User}:{Password}",
        $"oci:{Path.Combine(work, "layout")}:v1", $"docker://{address}/bench/skopeo:v1"]);
    var skopeoTime = watch.Elapsed;

    using var client = new OciRegistryClient(address, new RegistryCredentials(User, Password), options: options);
    var rows = new List<string[]>();
    async Task<TimeSpan> Measure(string name, Func<Task> action, string target)
    {
        var before = client.Counters.Snapshot();
        var sw = Stopwatch.StartNew();
        await action();
        sw.Stop();
        var d = client.Counters.Snapshot().Since(before);
        rows.Add([name, d.Requests.ToString(CultureInfo.InvariantCulture), Mib(d.BytesSent), Mib(d.BlobBytesSent), $"{sw.Elapsed.TotalSeconds:0.00} s", target]);
        return sw.Elapsed;
    }

    // ---- first push, with a memory sampler ----
    using var self = Process.GetCurrentProcess();
    GC.Collect();
    self.Refresh();
    var baselineWorkingSet = self.WorkingSet64;
    long peakWorkingSet = baselineWorkingSet;
    using var stopSampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!stopSampling.IsCancellationRequested)
        {
            self.Refresh();
            peakWorkingSet = Math.Max(peakWorkingSet, self.WorkingSet64);
            try { await Task.Delay(20, stopSampling.Token); } catch (OperationCanceledException) { }
        }
    });
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var oursTime = await Measure("first push", () => client.PushImageAsync("bench/ours", RegistryMediaTypes.OciManifest, manifest1, Blobs(config1, baseLayer, appLayer), ["v1"], null, CancellationToken.None), "all blobs");
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    stopSampling.Cancel();
    await sampler;

    await Measure("re-push unchanged", () => client.PushImageAsync("bench/ours", RegistryMediaTypes.OciManifest, manifest1, Blobs(config1, baseLayer, appLayer), ["v1"], null, CancellationToken.None), "0 blob bytes");
    await Measure("push, app layer changed", () => client.PushImageAsync("bench/ours", RegistryMediaTypes.OciManifest, manifest2, Blobs(config2, baseLayer, changedAppLayer), ["v2"], null, CancellationToken.None), $"{Mib(changedAppLayer.Size + config2.Bytes.Length)} (that layer + config)");
    await Measure("retag (manifest only)", () => client.TagAsync("bench/ours", "v2", "latest", CancellationToken.None), "0 blob bytes");
    await Measure("mount into another repo", async () =>
    {
        foreach (var d in new[] { baseLayer, changedAppLayer, config2.Descriptor })
        {
            await client.MountBlobAsync("bench/other", d.Digest, "bench/ours", CancellationToken.None);
        }
    }, "0 blob bytes");

    // ---- report ----
    Console.WriteLine();
    Console.WriteLine($"registry push benchmark: base layer {baseMib} MiB, app layer {appMib} MiB, chunked above {(options.ChunkedUploadThreshold == long.MaxValue ? "never" : Mib(options.ChunkedUploadThreshold))} in chunks of {Mib(options.ChunkSize)}, CNCF registry 2.8 on {address}");
    string[] header = ["scenario", "requests", "bytes sent", "blob bytes", "wall", "target"];
    var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
    Console.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))));
    foreach (var row in rows)
    {
        Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))));
    }
    Console.WriteLine();
    Console.WriteLine($"first push wall time: ours {oursTime.TotalSeconds:0.00} s, skopeo copy {skopeoTime.TotalSeconds:0.00} s, ratio ours/skopeo {oursTime / skopeoTime:0.00} (target <= 1)");
    Console.WriteLine($"while pushing {Mib(baseLayer.Size + appLayer.Size)} of layers: working set grew {Mib(peakWorkingSet - baselineWorkingSet)} (peak {Mib(peakWorkingSet)}), managed allocations {Mib(allocated)} (target: flat)");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"registry-push: first push ours/skopeo {oursTime / skopeoTime:0.00}"));
}
finally
{
    if (registryProcess is { HasExited: false })
    {
        registryProcess.Kill(entireProcessTree: true);
        registryProcess.WaitForExit(5000);
    }
    Directory.Delete(work, recursive: true);
}

static string Mib(long bytes) => bytes < 1024 * 1024
    ? $"{bytes} B"
    : $"{bytes / (1024.0 * 1024):0.0} MiB";

static async Task<OciDescriptor> WriteBlob(string directory, string seed, int mib)
{
    // Pseudo-random (incompressible) content, written and hashed 1 MiB at a time.
    var path = Path.Combine(directory, "tmp-" + seed);
    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    var random = new Random(seed.GetHashCode(StringComparison.Ordinal));
    var block = new byte[1024 * 1024];
    await using (var file = File.Create(path))
    {
        for (var i = 0; i < mib; i++)
        {
            random.NextBytes(block);
            hash.AppendData(block);
            await file.WriteAsync(block);
        }
    }
    var digest = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    File.Move(path, Path.Combine(directory, digest[7..]), overwrite: true);
    return new OciDescriptor(RegistryMediaTypes.OciLayer, digest, (long)mib * 1024 * 1024);
}

static async Task<string> Run(string program, IReadOnlyList<string> arguments)
{
    var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) info.ArgumentList.Add(a);
    using var p = Process.Start(info)!;
    var stdout = p.StandardOutput.ReadToEndAsync();
    var stderr = p.StandardError.ReadToEndAsync();
    await p.WaitForExitAsync();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{program} exited with {p.ExitCode}: {await stderr}");
    return await stdout;
}
