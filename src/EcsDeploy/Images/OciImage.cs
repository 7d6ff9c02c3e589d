using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EcsDeploy.Images;

/// <summary>OCI media types.</summary>
public static class OciMediaTypes
{
    /// <summary>An OCI image manifest.</summary>
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    /// <summary>An OCI image config.</summary>
    public const string Config = "application/vnd.oci.image.config.v1+json";
    /// <summary>A gzip-compressed tar layer.</summary>
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
}

/// <summary>
/// A blob of an image, kept in a file so that memory does not grow with its size; or, for the layers of a base image
/// the daemonless builder did not download, left in its registry (<see cref="Source"/> set, <see cref="Path"/> empty):
/// the push mounts it (same registry) or streams it registry to registry.
/// </summary>
public sealed record OciBlob(string MediaType, string Digest, long Size, string Path)
{
    /// <summary>Where the blob lives when it is not in a local file (a base image layer); null for local blobs.</summary>
    public RemoteBlobSource? Source { get; init; }

    /// <summary>Opens the blob's file for reading (local blobs only).</summary>
    public Stream Open() => Source is null
        ? File.OpenRead(Path)
        : throw new InvalidOperationException($"Blob {Digest} is in {Source.Registry.Host}/{Source.Repository}, not in a local file: push it with BlobTransfer (mount or registry-to-registry copy).");
}

/// <summary>A blob left in a registry: the client that reads it and its repository there.</summary>
/// <param name="Registry">A client of the registry holding the blob.</param>
/// <param name="Repository">The repository holding the blob (for a mount, the <c>from</c> repository).</param>
public sealed record RemoteBlobSource(EcsDeploy.Images.Registry.OciRegistryClient Registry, string Repository);

/// <summary>A built image: manifest, config and layers, with real sha256 digests.</summary>
public sealed record OciImage(byte[] Manifest, string ManifestDigest, OciBlob Config, IReadOnlyList<OciBlob> Layers)
{
    /// <summary>The manifest media type (default the OCI manifest; a docker build may give Docker's schema 2).</summary>
    public string MediaType { get; init; } = OciMediaTypes.Manifest;

    /// <summary>Every blob the registry must hold: the layers, then the config.</summary>
    public IEnumerable<OciBlob> Blobs => Layers.Append(Config);
}

/// <summary>The parts of a Dockerfile the daemonless builder applies to the image config.</summary>
public sealed record DockerfileSettings(string? BaseImage, string WorkingDirectory, IReadOnlyList<string>? EntryPoint, IReadOnlyList<string>? Command, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> ExposedPorts)
{
    /// <summary>Reads FROM, WORKDIR, ENV, EXPOSE, ENTRYPOINT and CMD (exec form) from a Dockerfile.</summary>
    public static DockerfileSettings Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? from = null;
        var workdir = "/";
        IReadOnlyList<string>? entryPoint = null, command = null;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var ports = new List<string>();
        foreach (var raw in text.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                continue;
            }
            var instruction = line[..space].ToUpperInvariant();
            var rest = line[(space + 1)..].Trim();
            switch (instruction)
            {
                case "FROM": from = rest.Split(' ')[0]; break;
                case "WORKDIR": workdir = rest.StartsWith('/') ? rest : System.IO.Path.Combine(workdir, rest).Replace('\\', '/'); break;
                case "EXPOSE": ports.AddRange(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Contains('/', StringComparison.Ordinal) ? p : p + "/tcp")); break;
                case "ENV":
                    foreach (var pair in rest.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var eq = pair.IndexOf('=', StringComparison.Ordinal);
                        if (eq > 0)
                        {
                            env[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                        }
                    }
                    break;
                case "CMD": command = ExecForm(rest); break;
                case "ENTRYPOINT": entryPoint = ExecForm(rest); break;
            }
        }
        return new DockerfileSettings(from, workdir, entryPoint, command, env, ports);
    }

    private static string[] ExecForm(string rest) => rest.StartsWith('[')
        ? JsonSerializer.Deserialize<string[]>(rest) ?? []
        : ["/bin/sh", "-c", rest];
}

/// <summary>
/// Builds an OCI image without Docker or buildah: the build context becomes one deterministic tar layer
/// (sorted entries, fixed timestamps, root ownership) placed under the Dockerfile's WORKDIR, and the config
/// carries the Dockerfile's CMD, ENTRYPOINT, ENV and EXPOSE. The same context always yields the same digest.
/// </summary>
public static class ContextImageBuilder
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeSeconds(0);

    /// <summary>Builds the image of <paramref name="contextDirectory"/> with the settings of <paramref name="dockerfilePath"/>.</summary>
    public static async Task<OciImage> BuildAsync(string contextDirectory, string dockerfilePath, string outputDirectory, CancellationToken cancellationToken)
    {
        var settings = DockerfileSettings.Parse(await File.ReadAllTextAsync(dockerfilePath, cancellationToken).ConfigureAwait(false));
        Directory.CreateDirectory(outputDirectory);
        var ignore = IgnoreRules.Load(contextDirectory);

        // Layer: tar (for the diff id) inside gzip (for the blob digest), both hashed while written.
        var layerPath = System.IO.Path.Combine(outputDirectory, "layer.tar.gz");
        using var diffIdHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = File.Create(layerPath))
        {
            await using var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
            await using var hashing = new HashingWriteStream(gzip, diffIdHash);
            // Ustar, not Pax: Pax entries carry atime/ctime extended headers stamped with the current time, which
            // would make every build's digest different (found by the killed-process test).
            await using var tar = new TarWriter(hashing, TarEntryFormat.Ustar, leaveOpen: true);
            var root = settings.WorkingDirectory.Trim('/');
            foreach (var directory in Ancestors(root))
            {
                await tar.WriteEntryAsync(Entry(TarEntryType.Directory, directory + "/", 0b111_101_101), cancellationToken).ConfigureAwait(false);
            }
            foreach (var relative in EnumerateFiles(contextDirectory, ignore))
            {
                var full = System.IO.Path.Combine(contextDirectory, relative);
                var name = (root.Length == 0 ? "" : root + "/") + relative.Replace('\\', '/');
                if (Directory.Exists(full))
                {
                    await tar.WriteEntryAsync(Entry(TarEntryType.Directory, name + "/", 0b111_101_101), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var entry = Entry(TarEntryType.RegularFile, name, 0b110_100_100);
                await using var content = File.OpenRead(full);
                entry.DataStream = content;
                await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            }
        }
        var layer = new OciBlob(OciMediaTypes.LayerGzip, await DigestOfFileAsync(layerPath, cancellationToken).ConfigureAwait(false), new FileInfo(layerPath).Length, layerPath);
        var diffId = "sha256:" + Convert.ToHexStringLower(diffIdHash.GetHashAndReset());

        var config = new JsonObject
        {
            ["created"] = "1970-01-01T00:00:00Z",
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["WorkingDir"] = settings.WorkingDirectory,
                ["Env"] = new JsonArray([.. settings.Environment.Select(e => (JsonNode)JsonValue.Create($"{e.Key}={e.Value}"))]),
                ["Entrypoint"] = settings.EntryPoint is null ? null : new JsonArray([.. settings.EntryPoint.Select(s => (JsonNode)JsonValue.Create(s))]),
                ["Cmd"] = settings.Command is null ? null : new JsonArray([.. settings.Command.Select(s => (JsonNode)JsonValue.Create(s))]),
                ["ExposedPorts"] = new JsonObject([.. settings.ExposedPorts.Select(p => new KeyValuePair<string, JsonNode?>(p, new JsonObject()))]),
                ["Labels"] = new JsonObject { ["org.opencontainers.image.base.name"] = settings.BaseImage ?? "" },
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
        };
        var configBlob = await WriteBlobAsync(outputDirectory, "config.json", OciMediaTypes.Config, Encoding.UTF8.GetBytes(config.ToJsonString()), cancellationToken).ConfigureAwait(false);

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciMediaTypes.Manifest,
            ["config"] = Descriptor(configBlob),
            ["layers"] = new JsonArray(Descriptor(layer)),
        };
        var manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        return new OciImage(manifestBytes, Digest(manifestBytes), configBlob, [layer]);
    }

    /// <summary>The sha256 digest of bytes, as <c>sha256:hex</c>.</summary>
    public static string Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The sha256 digest of a file, as <c>sha256:hex</c>.</summary>
    public static async Task<string> DigestOfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    private static JsonObject Descriptor(OciBlob blob) => new() { ["mediaType"] = blob.MediaType, ["digest"] = blob.Digest, ["size"] = blob.Size };

    private static async Task<OciBlob> WriteBlobAsync(string directory, string name, string mediaType, byte[] content, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(directory, name);
        await File.WriteAllBytesAsync(path, content, cancellationToken).ConfigureAwait(false);
        return new OciBlob(mediaType, Digest(content), content.Length, path);
    }

    private static UstarTarEntry Entry(TarEntryType type, string name, int mode) => new(type, name)
    {
        ModificationTime = Epoch,
        Mode = (UnixFileMode)mode,
        Uid = 0,
        Gid = 0,
    };

    private static IEnumerable<string> Ancestors(string path)
    {
        if (path.Length == 0)
        {
            yield break;
        }
        var parts = path.Split('/');
        for (var i = 1; i <= parts.Length; i++)
        {
            yield return string.Join('/', parts[..i]);
        }
    }

    private static IEnumerable<string> EnumerateFiles(string root, IgnoreRules ignore)
    {
        var all = Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => System.IO.Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => !ignore.IsIgnored(p))
            .Order(StringComparer.Ordinal);
        return all;
    }

    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count)
        {
            hash.AppendData(buffer, offset, count);
            inner.Write(buffer, offset, count);
        }
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}

/// <summary>A .dockerignore subset: one pattern a line, matching a path or any of its parent folders; <c>*</c> wildcards; <c>#</c> comments.</summary>
internal sealed class IgnoreRules
{
    private readonly List<System.Text.RegularExpressions.Regex> _patterns = [];

    public static IgnoreRules Load(string contextDirectory)
    {
        var rules = new IgnoreRules();
        // Never ship VCS metadata or local dependencies that the image installs itself.
        rules.Add(".git");
        var file = Path.Combine(contextDirectory, ".dockerignore");
        if (File.Exists(file))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var pattern = line.Trim();
                if (pattern.Length > 0 && !pattern.StartsWith('#') && !pattern.StartsWith('!'))
                {
                    rules.Add(pattern.Trim('/'));
                }
            }
        }
        return rules;
    }

    private void Add(string pattern)
    {
        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "(/.*)?$";
        _patterns.Add(new System.Text.RegularExpressions.Regex(regex));
    }

    public bool IsIgnored(string relativePath) => _patterns.Any(p => p.IsMatch(relativePath));
}
