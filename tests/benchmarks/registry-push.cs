#:project ../../src/EcsDeploy/EcsDeploy.csproj
#:property PublishAot=false

// Registry push benchmark (issue 5, "Measure"): a benchmark, not a timed test. Run:
//   dotnet run tests/benchmarks/registry-push.cs -- [base-layer-MiB (default 1024)] [app-layer-MiB (default 8)] [chunk-threshold-MiB|monolithic] [rounds (default 3)]
// Needs docker-registry, htpasswd and skopeo (.ci/install-deps.sh). Prints requests and bytes for a first push, a
// re-push of the unchanged image, a push where one layer changed, and a retag; the first push's wall time beside
// `skopeo copy` of the same image; and the growth of the working set while pushing (target: flat, independent of
// the layer's size). The machine may be shared: each first push (ours and skopeo's, alternating which goes first)
// runs on a CNCF registry of its own, started empty on a free 127.0.0.1 port, for several rounds, and the ratio is
// the median of the rounds' ratios.

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
if (args.Length > 2 && args[2] != "default")
{
    options.ChunkedUploadThreshold = args[2] == "monolithic" ? long.MaxValue : long.Parse(args[2], CultureInfo.InvariantCulture) * 1024 * 1024;
}
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
const string User = "bench";
const string Password = "bench-Pa55";
var work = Directory.CreateTempSubdirectory("ecsdeploy-bench-").FullName;
var registries = new List<Process>();
try
{
    var htpasswd = await Run("htpasswd", ["-Bbn", User, Password]);
    await File.WriteAllTextAsync(Path.Combine(work, "htpasswd"), htpasswd.Trim() + "\n");

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

    // ---- first pushes: each on a registry of its own, started empty; skopeo first in odd rounds, ours first in even ones ----
    var skopeoTimes = new List<TimeSpan>();
    var oursTimes = new List<TimeSpan>();
    var ratios = new List<double>();
    long growth = 0, peak = 0, allocated = 0;
    RegistryTransferSnapshot firstPush = default!;
    string address = "";
    for (var round = 1; round <= rounds; round++)
    {
        TimeSpan skopeoTime = default, oursTime = default;
        foreach (var tool in round % 2 == 1 ? new[] { "skopeo", "ours" } : ["ours", "skopeo"])
        {
            foreach (var old in registries.ToList())
            {
                StopRegistry(old);
                registries.Remove(old);
            }
            var data = Path.Combine(work, "data");
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
            (var process, address) = await StartRegistry(work, data);
            registries.Add(process);
            if (tool == "skopeo")
            {
                var watch = Stopwatch.StartNew();
                await Run("skopeo", ["copy", "--insecure-policy", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", $"{User}:{Password}",
                    $"oci:{Path.Combine(work, "layout")}:v1", $"docker://{address}/bench/skopeo:v1"]);
                skopeoTime = watch.Elapsed;
            }
            else
            {
                using var client = new OciRegistryClient(address, new RegistryCredentials(User, Password), options: options);
                var (time, grew, peakSet, managed) = await WithMemory(() => client.PushImageAsync("bench/ours", RegistryMediaTypes.OciManifest, manifest1, Blobs(config1, baseLayer, appLayer), ["v1"], null, CancellationToken.None));
                oursTime = time;
                growth = Math.Max(growth, grew);
                peak = Math.Max(peak, peakSet);
                allocated = Math.Max(allocated, managed);
                firstPush = client.Counters.Snapshot();
            }
        }
        skopeoTimes.Add(skopeoTime);
        oursTimes.Add(oursTime);
        ratios.Add(oursTime / skopeoTime);
        Console.WriteLine($"round {round}: ours {oursTime.TotalSeconds:0.00} s, skopeo copy {skopeoTime.TotalSeconds:0.00} s, ours/skopeo {oursTime / skopeoTime:0.00}");
    }

    // ---- what follows a first push, on the last round's registry (it holds bench/ours:v1) ----
    using var follower = new OciRegistryClient(address, new RegistryCredentials(User, Password), options: options);
    var rows = new List<string[]>
    {
        new[] { "first push (last round)", firstPush.Requests.ToString(CultureInfo.InvariantCulture), Mib(firstPush.BytesSent), Mib(firstPush.BlobBytesSent), $"{oursTimes[^1].TotalSeconds:0.00} s", "all blobs" },
    };
    async Task Measure(string name, Func<Task> action, string target)
    {
        var before = follower.Counters.Snapshot();
        var sw = Stopwatch.StartNew();
        await action();
        sw.Stop();
        var d = follower.Counters.Snapshot().Since(before);
        rows.Add([name, d.Requests.ToString(CultureInfo.InvariantCulture), Mib(d.BytesSent), Mib(d.BlobBytesSent), $"{sw.Elapsed.TotalSeconds:0.00} s", target]);
    }
    await Measure("re-push unchanged", () => follower.PushImageAsync("bench/ours", RegistryMediaTypes.OciManifest, manifest1, Blobs(config1, baseLayer, appLayer), ["v1"], null, CancellationToken.None), "0 blob bytes");
    await Measure("push, app layer changed", () => follower.PushImageAsync("bench/ours", RegistryMediaTypes.OciManifest, manifest2, Blobs(config2, baseLayer, changedAppLayer), ["v2"], null, CancellationToken.None), $"{Mib(changedAppLayer.Size + config2.Bytes.Length)} (that layer + config)");
    await Measure("retag (manifest only)", () => follower.TagAsync("bench/ours", "v2", "latest", CancellationToken.None), "0 blob bytes");
    await Measure("mount into another repo", async () =>
    {
        foreach (var d in new[] { baseLayer, changedAppLayer, config2.Descriptor })
        {
            await follower.MountBlobAsync("bench/other", d.Digest, "bench/ours", CancellationToken.None);
        }
    }, "0 blob bytes");

    // ---- report ----
    Console.WriteLine();
    Console.WriteLine($"registry push benchmark: base layer {baseMib} MiB, app layer {appMib} MiB, chunked above {(options.ChunkedUploadThreshold == long.MaxValue ? "never" : Mib(options.ChunkedUploadThreshold))} in chunks of {Mib(options.ChunkSize)}, CNCF registry 2.8 on 127.0.0.1, {rounds} rounds");
    string[] header = ["scenario", "requests", "bytes sent", "blob bytes", "wall", "target"];
    var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
    Console.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))));
    foreach (var row in rows)
    {
        Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))));
    }
    Console.WriteLine();
    var ratio = Median(ratios);
    Console.WriteLine($"first push wall time (median of {rounds}): ours {Median(oursTimes.Select(t => t.TotalSeconds).ToList()):0.00} s, skopeo copy {Median(skopeoTimes.Select(t => t.TotalSeconds).ToList()):0.00} s; median of the rounds' ratios ours/skopeo {ratio:0.00} (target <= 1)");
    Console.WriteLine($"while pushing {Mib(baseLayer.Size + appLayer.Size)} of layers: working set grew at most {Mib(growth)} (peak {Mib(peak)}), managed allocations at most {Mib(allocated)} (target: flat)");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"registry-push: first push ours/skopeo {ratio:0.00}"));
}
finally
{
    foreach (var process in registries)
    {
        StopRegistry(process);
    }
    Directory.Delete(work, recursive: true);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// Wall time of a push, and how the process's working set and managed allocations grew meanwhile (sampled every 20 ms).
static async Task<(TimeSpan Time, long Growth, long Peak, long Allocated)> WithMemory(Func<Task> push)
{
    using var self = Process.GetCurrentProcess();
    GC.Collect();
    self.Refresh();
    var baseline = self.WorkingSet64;
    var peak = baseline;
    using var stop = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            self.Refresh();
            peak = Math.Max(peak, self.WorkingSet64);
            try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { }
        }
    });
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    await push();
    watch.Stop();
    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    stop.Cancel();
    await sampler;
    return (watch.Elapsed, peak - baseline, peak, allocated);
}

// The CNCF registry with htpasswd auth, storing into an empty folder, on a free 127.0.0.1 port; ready when /v2/ answers 401.
static async Task<(Process Process, string Address)> StartRegistry(string work, string data)
{
    int port;
    using (var listener = new TcpListener(IPAddress.Loopback, 0))
    {
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }
    var config = $"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {data}\n" +
                 $"http:\n  addr: 127.0.0.1:{port}\n  secret: bench\nauth:\n  htpasswd:\n    realm: bench\n    path: {Path.Combine(work, "htpasswd")}\n";
    var configPath = Path.Combine(work, "config.yml");
    await File.WriteAllTextAsync(configPath, config);
    var start = new ProcessStartInfo("docker-registry") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
    start.ArgumentList.Add("serve");
    start.ArgumentList.Add(configPath);
    var process = Process.Start(start)!;
    process.BeginErrorReadLine();
    process.BeginOutputReadLine();
    var address = $"127.0.0.1:{port}";
    using var http = new HttpClient();
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
    return (process, address);
}

static void StopRegistry(Process process)
{
    if (!process.HasExited)
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit(5000);
    }
    process.Dispose();
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
