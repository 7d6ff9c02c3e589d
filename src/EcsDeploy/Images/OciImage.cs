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

/// <summary>Writes through to <c>inner</c> and hashes what passes: a layer's diff id is the digest of the uncompressed tar.</summary>
internal sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
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
