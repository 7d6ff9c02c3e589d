using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>A base image fetched from its registry: its manifest and config read, its layers left there.</summary>
internal sealed record FetchedBaseImage(ImageReference Reference, string ManifestDigest, OciImageManifest Manifest, byte[] Config, OciRegistryClient Client);

/// <summary>
/// Builds without a daemon: the supported Dockerfile subset applied on top of the base image's layers (fetched
/// manifest and config; the layers stay in their registry and are mounted or streamed at push time), plus one
/// deterministic application layer (Ustar, sorted, fixed times, root owned, .dockerignore honoured) holding every
/// COPY/ADD and WORKDIR. The same context and base always give the same digest.
/// </summary>
internal sealed class DaemonlessImageBuilder : IImageBuilder
{
    private const string Epoch = "1970-01-01T00:00:00Z";
    private static readonly DateTimeOffset EpochTime = DateTimeOffset.FromUnixTimeSeconds(0);
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    { Timeout = TimeSpan.FromMinutes(30) });

    public ImageBuilderKind Kind => ImageBuilderKind.Daemonless;

    public Task<BuilderAvailability> DetectAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new BuilderAvailability(true, "daemonless: always available (Dockerfile subset without RUN)"));

    /// <summary>Reads and checks the Dockerfile; every unsupported instruction is a problem naming its line.</summary>
    public static async Task<ParsedDockerfile> ParseAsync(string dockerfilePath, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var parsed = ParsedDockerfile.Parse(await File.ReadAllTextAsync(dockerfilePath, cancellationToken).ConfigureAwait(false), Path.GetFileName(dockerfilePath), problems);
        if (problems.Count > 0)
        {
            throw new PipelineStageException("Build: the daemonless builder cannot build this Dockerfile:\n  - " + string.Join("\n  - ", problems), FailureKind.Invalid);
        }
        return parsed;
    }

    /// <summary>Whether the base image will be fetched, and if not, why (for the plan and the warning).</summary>
    public static (bool Fetch, string? SkipReason) BaseDecision(ParsedDockerfile dockerfile, ImageBuildRequest request, out ImageReference? reference)
    {
        reference = null;
        if (dockerfile.BaseImage is null)
        {
            return (false, null);
        }
        try
        {
            reference = ImageReference.Parse(dockerfile.BaseImage, request.BaseImage.Mirror);
        }
        catch (FormatException ex)
        {
            throw new PipelineStageException($"Build: FROM {dockerfile.BaseImage}: {ex.Message}", FailureKind.Invalid, ex);
        }
        return request.BaseImage.Policy switch
        {
            BaseImagePolicy.Skip => (false, "b.BaseImage(BaseImagePolicy.Skip)"),
            BaseImagePolicy.Default when request.OfflineTarget && !reference.IsLoopback =>
                (false, $"the local target reaches nothing beyond 127.0.0.1 and runs no container, so {reference.Registry} is not asked (b.BaseImage(BaseImagePolicy.Required) or a loopback b.BaseImageRegistry(...) to fetch it)"),
            _ => (true, null),
        };
    }

    public async Task<ImageBuildResult> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dockerfile = await ParseAsync(request.DockerfilePath, cancellationToken).ConfigureAwait(false);
        var warnings = new List<string>();
        var (fetch, skipReason) = BaseDecision(dockerfile, request, out var reference);
        FetchedBaseImage? baseImage = null;
        if (reference is not null && !fetch)
        {
            warnings.Add($"base image {reference.Original} not fetched: {skipReason}; the image holds the application layer only");
        }
        else if (reference is not null)
        {
            var platform = ParsePlatform(dockerfile.Platform) ?? request.BaseImage.Platform;
            try
            {
                baseImage = await FetchBaseAsync(reference, request.BaseImage.Credentials, platform, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsFetchFailure(ex, cancellationToken))
            {
                var reason = Reason(ex);
                if (request.BaseImage.Policy == BaseImagePolicy.IfReachable)
                {
                    warnings.Add($"base image {reference.Original} not fetched from {reference.Registry}: {reason}; the image holds the application layer only");
                }
                else
                {
                    throw new BaseImageUnavailableException(
                        $"Build: base image {reference.Original} could not be fetched from {reference.Registry}: {reason}. " +
                        "Fix: give a reachable mirror (b.BaseImageRegistry(\"mirror.example:5000\")), credentials (b.BaseImageCredentials(...)), " +
                        "or accept an image without its base with b.BaseImage(BaseImagePolicy.IfReachable).", ex);
                }
            }
        }

        Directory.CreateDirectory(request.OutputDirectory);
        var (layer, diffId) = await WriteAppLayerAsync(request.ContextDirectory, dockerfile, request.OutputDirectory, cancellationToken).ConfigureAwait(false);
        var config = MergeConfig(dockerfile, baseImage, reference, diffId, request.BaseImage.Platform);
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var configBlob = await WriteBlobAsync(request.OutputDirectory, "config.json", OciMediaTypes.Config, configBytes, cancellationToken).ConfigureAwait(false);

        var layers = new List<OciBlob>();
        if (baseImage is not null)
        {
            var source = new RemoteBlobSource(baseImage.Client, baseImage.Reference.Repository);
            layers.AddRange(baseImage.Manifest.Layers.Select(l => new OciBlob(OciLayerType(l.MediaType), l.Digest, l.Size, "") { Source = source }));
        }
        layers.Add(layer);
        var manifest = new OciImageManifest(2, OciMediaTypes.Manifest,
            new OciDescriptor(configBlob.MediaType, configBlob.Digest, configBlob.Size),
            [.. layers.Select(l => new OciDescriptor(l.MediaType, l.Digest, l.Size))]).ToJsonBytes();
        await File.WriteAllBytesAsync(Path.Combine(request.OutputDirectory, "manifest.json"), manifest, cancellationToken).ConfigureAwait(false);
        var image = new OciImage(manifest, OciDigest.Compute(manifest), configBlob, layers);
        var used = baseImage is null ? null : $"{baseImage.Reference.Original} ({baseImage.Reference.Registry}/{baseImage.Reference.Repository}@{baseImage.ManifestDigest})";
        return new ImageBuildResult(image, "daemonless", used, warnings);
    }

    internal static OciPlatform? ParsePlatform(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var parts = text.Split('/');
        return parts.Length is 2 or 3 ? new OciPlatform(parts[1], parts[0], parts.Length == 3 ? parts[2] : null) : null;
    }

    private static bool IsFetchFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        RegistryException or HttpRequestException or SocketException or IOException or FormatException or TimeoutException => true,
        PipelineStageException p => p.Kind != FailureKind.Invalid,
        _ => false,
    };

    private static string Reason(Exception ex) => ex switch
    {
        HttpRequestException { InnerException: SocketException s } => s.Message,
        OperationCanceledException => "timed out",
        _ => ex.Message,
    };

    /// <summary>Docker's gzip layer type has the same bytes as OCI's; the manifest we write is OCI, so its layers are too.</summary>
    private static string OciLayerType(string mediaType) => mediaType switch
    {
        RegistryMediaTypes.DockerLayerGzip => RegistryMediaTypes.OciLayerGzip,
        "application/vnd.docker.image.rootfs.diff.tar" => RegistryMediaTypes.OciLayer,
        _ => mediaType,
    };

    internal static async Task<FetchedBaseImage> FetchBaseAsync(ImageReference reference, RegistryCredentials? credentials, OciPlatform platform, CancellationToken cancellationToken)
    {
        var client = new OciRegistryClient(reference.Registry, credentials, SharedHttp.Value);
        var top = await client.GetManifestAsync(reference.Repository, reference.Reference, cancellationToken).ConfigureAwait(false)
            ?? throw new RegistryException("GetManifest", "MANIFEST_UNKNOWN", $"no image {reference.Repository}:{reference.Reference}", 404, reference.Repository);
        var manifestBytes = top.Content;
        var digest = top.Digest;
        if (RegistryMediaTypes.IsIndex(top.MediaType))
        {
            var index = OciImageIndex.Parse(top.Content.Span);
            var entry = index.Manifests.FirstOrDefault(m => m.Platform is { } p && p.Os == platform.Os && p.Architecture == platform.Architecture
                    && (platform.Variant is null || p.Variant == platform.Variant))
                ?? throw new PipelineStageException(
                    $"Build: base image {reference.Original} has no {platform.Os}/{platform.Architecture} variant (it has {string.Join(", ", index.Manifests.Select(m => m.Platform is null ? "?" : m.Platform.Os + "/" + m.Platform.Architecture))}): pick another base or b.Platform(...).",
                    FailureKind.Failed);
            var chosen = await client.GetManifestAsync(reference.Repository, entry.Digest, cancellationToken).ConfigureAwait(false)
                ?? throw new RegistryException("GetManifest", "MANIFEST_UNKNOWN", $"the index names {entry.Digest}, which is missing", 404, reference.Repository);
            manifestBytes = chosen.Content;
            digest = chosen.Digest;
        }
        var manifest = OciImageManifest.Parse(manifestBytes.Span);
        if (manifest.Config.Size > 16 * 1024 * 1024)
        {
            throw new FormatException($"the base image config is {manifest.Config.Size} bytes, more than the 16 MiB accepted");
        }
        using var config = new MemoryStream();
        await client.GetBlobAsync(reference.Repository, manifest.Config.Digest, config, cancellationToken).ConfigureAwait(false);
        var configBytes = config.ToArray();
        using (var json = JsonDocument.Parse(configBytes))
        {
            var os = json.RootElement.TryGetProperty("os", out var o) ? o.GetString() : null;
            var arch = json.RootElement.TryGetProperty("architecture", out var a) ? a.GetString() : null;
            if (os != platform.Os || arch != platform.Architecture)
            {
                throw new PipelineStageException($"Build: base image {reference.Original} is built for {os}/{arch}, not {platform.Os}/{platform.Architecture}: pick another base or b.Platform(...).", FailureKind.Failed);
            }
        }
        return new FetchedBaseImage(reference, digest, manifest, configBytes, client);
    }

    /// <summary>
    /// The config: the base's (or an empty linux config), with ENV merged by name, CMD reset by a new ENTRYPOINT,
    /// WORKDIR, USER, EXPOSE, LABEL and STOPSIGNAL applied, rootfs.diff_ids = base + ours, history = base + ours,
    /// and a fixed creation time.
    /// </summary>
    internal static JsonObject MergeConfig(ParsedDockerfile dockerfile, FetchedBaseImage? baseImage, ImageReference? reference, string diffId, OciPlatform platform)
    {
        var root = baseImage is null
            ? new JsonObject { ["architecture"] = platform.Architecture, ["os"] = platform.Os }
            : JsonNode.Parse(baseImage.Config)!.AsObject();
        root.Remove("container");
        root.Remove("container_config");
        root["created"] = Epoch;
        var config = root["config"] as JsonObject ?? new JsonObject();
        root["config"] = config;

        var env = (config["Env"] as JsonArray)?.Select(e => e!.GetValue<string>()).ToList() ?? [];
        var workdir = config["WorkingDir"]?.GetValue<string>() is { Length: > 0 } w ? w : "/";
        var cmdSetHere = false;
        var history = root["history"] as JsonArray ?? [];
        root["history"] = history;
        foreach (var step in dockerfile.Steps)
        {
            switch (step)
            {
                case EnvStep e:
                    foreach (var (key, value) in e.Pairs)
                    {
                        var at = env.FindIndex(x => x.StartsWith(key + "=", StringComparison.Ordinal));
                        if (at >= 0)
                        {
                            env[at] = key + "=" + value;
                        }
                        else
                        {
                            env.Add(key + "=" + value);
                        }
                    }
                    break;
                case WorkdirStep wd:
                    workdir = "/" + UnixPath.Combine(workdir, wd.Path);
                    config["WorkingDir"] = workdir;
                    break;
                case CmdStep c:
                    config["Cmd"] = Strings(c.Command);
                    cmdSetHere = true;
                    break;
                case EntrypointStep ep:
                    config["Entrypoint"] = Strings(ep.Command);
                    if (!cmdSetHere)
                    {
                        config["Cmd"] = null; // docker: a new ENTRYPOINT drops the inherited CMD
                    }
                    break;
                case UserStep u:
                    config["User"] = u.User;
                    break;
                case StopSignalStep s:
                    config["StopSignal"] = s.Signal;
                    break;
                case ExposeStep x:
                    var ports = config["ExposedPorts"] as JsonObject ?? new JsonObject();
                    config["ExposedPorts"] = ports;
                    foreach (var port in x.Ports)
                    {
                        ports[port] = new JsonObject();
                    }
                    break;
                case LabelStep l:
                    var labels = config["Labels"] as JsonObject ?? new JsonObject();
                    config["Labels"] = labels;
                    foreach (var (key, value) in l.Pairs)
                    {
                        labels[key] = value;
                    }
                    break;
            }
            if (step is not (CopyStep or WorkdirStep))
            {
                history.Add(new JsonObject { ["created"] = Epoch, ["created_by"] = "ecsdeploy daemonless: " + step.Text, ["empty_layer"] = true });
            }
        }
        config["Env"] = Strings(env);
        var allLabels = config["Labels"] as JsonObject ?? new JsonObject();
        config["Labels"] = allLabels;
        if (baseImage is not null)
        {
            allLabels["org.opencontainers.image.base.name"] = baseImage.Reference.Original;
            allLabels["org.opencontainers.image.base.digest"] = baseImage.ManifestDigest;
        }
        else if (reference is not null)
        {
            // Never claim a base that was not used: this label says which FROM was left out.
            allLabels["io.ecsdeploy.base-image.not-applied"] = reference.Original;
        }
        var copies = dockerfile.Steps.Where(s => s is CopyStep or WorkdirStep).Select(s => s.Text).ToList();
        history.Add(new JsonObject
        {
            ["created"] = Epoch,
            ["created_by"] = "ecsdeploy daemonless: application layer (" + (copies.Count == 0 ? "empty" : string.Join("; ", copies)) + ")",
        });
        var rootfs = root["rootfs"] as JsonObject ?? new JsonObject { ["type"] = "layers" };
        var diffIds = rootfs["diff_ids"] as JsonArray ?? [];
        diffIds.Add(diffId);
        rootfs["diff_ids"] = diffIds;
        root["rootfs"] = rootfs;
        return root;
    }

    private static JsonArray Strings(IEnumerable<string> values) => [.. values.Select(v => (JsonNode)JsonValue.Create(v))];

    /// <summary>The application layer: WORKDIR folders and COPY/ADD results, later copies replacing earlier ones.</summary>
    private static async Task<(OciBlob Layer, string DiffId)> WriteAppLayerAsync(string contextDirectory, ParsedDockerfile dockerfile, string outputDirectory, CancellationToken cancellationToken)
    {
        var context = Path.GetFullPath(contextDirectory);
        var ignore = IgnoreRules.Load(context);
        var entries = new SortedDictionary<string, string?>(StringComparer.Ordinal); // path in the image -> source file (null: folder)
        void AddFolder(string path)
        {
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 1; i <= parts.Length; i++)
            {
                entries.TryAdd(string.Join('/', parts[..i]), null);
            }
        }
        var workdir = "";
        var problems = new List<string>();
        foreach (var step in dockerfile.Steps)
        {
            if (step is WorkdirStep wd)
            {
                workdir = UnixPath.Combine(workdir, wd.Path);
                AddFolder(workdir);
            }
            else if (step is CopyStep copy)
            {
                var destination = UnixPath.Combine(workdir, copy.Destination);
                var intoFolder = copy.Destination.EndsWith('/') || copy.Destination is "." or "./" || copy.Sources.Count > 1;
                foreach (var source in copy.Sources)
                {
                    var matches = ResolveSources(context, source, ignore);
                    if (matches.Count == 0)
                    {
                        problems.Add($"line {copy.Line}: COPY source '{source}' is not in the build context {context} (or .dockerignore excludes it)");
                        continue;
                    }
                    foreach (var match in matches)
                    {
                        var full = Path.Combine(context, match);
                        if (Directory.Exists(full))
                        {
                            AddFolder(destination);
                            foreach (var file in Directory.EnumerateFileSystemEntries(full, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                            {
                                var relative = Path.GetRelativePath(context, file).Replace('\\', '/');
                                if (ignore.IsIgnored(relative))
                                {
                                    continue;
                                }
                                var target = UnixPath.Combine(destination, Path.GetRelativePath(full, file).Replace('\\', '/'));
                                if (Directory.Exists(file))
                                {
                                    AddFolder(target);
                                }
                                else
                                {
                                    AddFolder(UnixPath.Parent(target));
                                    entries[target] = file;
                                }
                            }
                        }
                        else
                        {
                            var target = intoFolder || matches.Count > 1 ? UnixPath.Combine(destination, Path.GetFileName(full)) : destination;
                            AddFolder(UnixPath.Parent(target));
                            entries[target] = full;
                        }
                    }
                }
            }
        }
        if (problems.Count > 0)
        {
            throw new PipelineStageException("Build: " + string.Join("; ", problems) + ": build it first (a b.Run(...) command) or fix the COPY.", FailureKind.Failed);
        }

        var layerPath = Path.Combine(outputDirectory, "layer.tar.gz");
        using var diffIdHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var layerFile = File.Create(layerPath);
        await using (layerFile.ConfigureAwait(false))
        {
            var gzip = new GZipStream(layerFile, CompressionLevel.Optimal, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                var hashing = new HashingWriteStream(gzip, diffIdHash);
                await using (hashing.ConfigureAwait(false))
                {
                    // Ustar, not Pax: Pax headers carry atime/ctime, which would make every build's digest different.
                    var tar = new TarWriter(hashing, TarEntryFormat.Ustar, leaveOpen: true);
                    await using (tar.ConfigureAwait(false))
                    {
                        foreach (var (path, source) in entries)
                        {
                            if (source is null)
                            {
                                await tar.WriteEntryAsync(Entry(TarEntryType.Directory, path + "/", 0b111_101_101), cancellationToken).ConfigureAwait(false);
                                continue;
                            }
                            var executable = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(source) & UnixFileMode.UserExecute) != 0;
                            var entry = Entry(TarEntryType.RegularFile, path, executable ? 0b111_101_101 : 0b110_100_100);
                            var content = File.OpenRead(source);
                            await using (content.ConfigureAwait(false))
                            {
                                entry.DataStream = content;
                                await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }
                }
            }
        }
        string digest;
        var read = File.OpenRead(layerPath);
        await using (read.ConfigureAwait(false))
        {
            digest = await OciDigest.ComputeAsync(read, cancellationToken).ConfigureAwait(false);
        }
        var layer = new OciBlob(OciMediaTypes.LayerGzip, digest, new FileInfo(layerPath).Length, layerPath);
        return (layer, "sha256:" + Convert.ToHexStringLower(diffIdHash.GetHashAndReset()));
    }

    private static List<string> ResolveSources(string context, string source, IgnoreRules ignore)
    {
        var relative = UnixPath.Combine("", source);
        var full = Path.GetFullPath(Path.Combine(context, relative));
        if (!full.StartsWith(context, StringComparison.Ordinal))
        {
            return [];
        }
        var name = Path.GetFileName(relative);
        if (name.Contains('*', StringComparison.Ordinal) || name.Contains('?', StringComparison.Ordinal))
        {
            var folder = Path.Combine(context, UnixPath.Parent(relative));
            if (!Directory.Exists(folder))
            {
                return [];
            }
            var pattern = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(name).Replace(@"\*", "[^/]*", StringComparison.Ordinal).Replace(@"\?", "[^/]", StringComparison.Ordinal) + "$");
            return [.. Directory.EnumerateFileSystemEntries(folder)
                .Select(p => Path.GetRelativePath(context, p).Replace('\\', '/'))
                .Where(p => pattern.IsMatch(Path.GetFileName(p)) && !ignore.IsIgnored(p))
                .Order(StringComparer.Ordinal)];
        }
        if (relative.Length == 0)
        {
            return ["."];
        }
        return (File.Exists(full) || Directory.Exists(full)) && !ignore.IsIgnored(relative) ? [relative] : [];
    }

    private static UstarTarEntry Entry(TarEntryType type, string name, int mode) => new(type, name)
    {
        ModificationTime = EpochTime,
        Mode = (UnixFileMode)mode,
        Uid = 0,
        Gid = 0,
    };

    private static async Task<OciBlob> WriteBlobAsync(string directory, string name, string mediaType, byte[] content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, name);
        await File.WriteAllBytesAsync(path, content, cancellationToken).ConfigureAwait(false);
        return new OciBlob(mediaType, OciDigest.Compute(content), content.Length, path);
    }
}

/// <summary>Paths inside an image: '/'-separated, relative to the root, without '.' or '..' parts.</summary>
internal static class UnixPath
{
    /// <summary>Joins <paramref name="path"/> onto <paramref name="folder"/> (an absolute <paramref name="path"/> replaces it) and normalises.</summary>
    public static string Combine(string folder, string path)
    {
        var parts = new List<string>();
        var all = path.StartsWith('/') ? path : folder + "/" + path;
        foreach (var part in all.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }
}
