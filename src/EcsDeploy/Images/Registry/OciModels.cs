using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images.Registry;

/// <summary>The media types of the OCI image spec and of Docker's image manifest v2 schema 2.</summary>
public static class RegistryMediaTypes
{
    /// <summary>OCI image manifest.</summary>
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    /// <summary>OCI image index (a multi-platform image).</summary>
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    /// <summary>OCI image config.</summary>
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    /// <summary>OCI layer, gzip-compressed tar.</summary>
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// <summary>OCI layer, uncompressed tar.</summary>
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    /// <summary>Docker image manifest v2 schema 2.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    /// <summary>Docker manifest list (a multi-platform image).</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    /// <summary>Docker image config.</summary>
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    /// <summary>Docker layer, gzip-compressed tar.</summary>
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>The manifest and index media types a client accepts when it reads a manifest.</summary>
    public static IReadOnlyList<string> ManifestTypes { get; } = [OciManifest, OciIndex, DockerManifest, DockerManifestList];

    /// <summary>Whether <paramref name="mediaType"/> is an image index or a Docker manifest list.</summary>
    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    /// <summary>Whether <paramref name="mediaType"/> is a single-platform image manifest (OCI or Docker).</summary>
    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;
}

/// <summary>Content digests (<c>sha256:HEX</c>) as the OCI image spec defines them.</summary>
public static partial class OciDigest
{
    /// <summary>The sha256 digest of <paramref name="content"/>, as <c>sha256:</c> and 64 lowercase hex digits.</summary>
    public static string Compute(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The sha256 digest of a stream's remaining content, read in small buffers.</summary>
    public static async Task<string> ComputeAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var hash = await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false);
        return "sha256:" + Convert.ToHexStringLower(hash);
    }

    /// <summary>Whether <paramref name="digest"/> is a well-formed sha256 or sha512 digest.</summary>
    public static bool IsValid(string? digest) => digest is not null && DigestRegex().IsMatch(digest);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="digest"/> is a well-formed sha256 or sha512 digest.</summary>
    public static void Validate(string digest, string parameterName)
    {
        if (!IsValid(digest))
        {
            throw new ArgumentException($"'{digest}' is not a digest of the form sha256:<64 lowercase hex digits> (or sha512:<128>).", parameterName);
        }
    }

    /// <summary>Creates the incremental hash for the algorithm named by <paramref name="digest"/>.</summary>
    internal static IncrementalHash CreateHash(string digest) =>
        digest.StartsWith("sha512:", StringComparison.Ordinal)
            ? IncrementalHash.CreateHash(HashAlgorithmName.SHA512)
            : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Formats a finished hash with the algorithm prefix of <paramref name="digest"/>.</summary>
    internal static string Format(string digest, byte[] hash) =>
        (digest.StartsWith("sha512:", StringComparison.Ordinal) ? "sha512:" : "sha256:") + Convert.ToHexStringLower(hash);

    /// <summary>The digest of <paramref name="content"/> computed with the algorithm of <paramref name="digestLike"/>.</summary>
    internal static string ComputeLike(string digestLike, ReadOnlySpan<byte> content) =>
        digestLike.StartsWith("sha512:", StringComparison.Ordinal)
            ? "sha512:" + Convert.ToHexStringLower(SHA512.HashData(content))
            : Compute(content);

    [GeneratedRegex("^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestRegex();
}

/// <summary>Names and references of the distribution spec: repository names, tags and digests.</summary>
internal static partial class OciReference
{
    /// <summary>Whether <paramref name="repository"/> is a valid repository name (lowercase path components).</summary>
    public static bool IsValidRepository(string? repository) =>
        repository is not null && repository.Length <= 255 && RepositoryRegex().IsMatch(repository);

    /// <summary>Whether <paramref name="tag"/> is a valid tag (at most 128 characters of <c>[A-Za-z0-9_.-]</c>, not starting with . or -).</summary>
    public static bool IsValidTag(string? tag) => tag is not null && TagRegex().IsMatch(tag);

    /// <summary>Throws unless <paramref name="repository"/> is a valid repository name.</summary>
    public static void ValidateRepository(string repository, string parameterName)
    {
        if (!IsValidRepository(repository))
        {
            throw new ArgumentException(
                $"'{repository}' is not a valid repository name: use lowercase letters, digits and separators (., _, __, -) in path components joined by '/'.",
                parameterName);
        }
    }

    /// <summary>Throws unless <paramref name="reference"/> is a valid tag or digest.</summary>
    public static void ValidateReference(string reference, string parameterName)
    {
        if (!IsValidTag(reference) && !OciDigest.IsValid(reference))
        {
            throw new ArgumentException(
                $"'{reference}' is neither a tag ([A-Za-z0-9_][A-Za-z0-9._-]{{0,127}}) nor a digest (sha256:<hex>).", parameterName);
        }
    }

    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryRegex();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}

/// <summary>The platform an image manifest in an index is built for.</summary>
/// <param name="Architecture">CPU architecture, for example <c>amd64</c> or <c>arm64</c>.</param>
/// <param name="Os">Operating system, for example <c>linux</c>.</param>
/// <param name="Variant">CPU variant, for example <c>v8</c>.</param>
public sealed record OciPlatform(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("variant")] string? Variant = null);

/// <summary>A content descriptor: what a manifest or index points at.</summary>
/// <param name="MediaType">The media type of the referenced content.</param>
/// <param name="Digest">The digest of the referenced content.</param>
/// <param name="Size">The size in bytes of the referenced content.</param>
/// <param name="Platform">For index entries: the platform of the manifest.</param>
/// <param name="Annotations">Optional annotations.</param>
public sealed record OciDescriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("platform")] OciPlatform? Platform = null,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations = null);

/// <summary>An image manifest (OCI or Docker schema 2): a config and ordered layers.</summary>
/// <param name="SchemaVersion">Always 2.</param>
/// <param name="MediaType">The manifest's media type.</param>
/// <param name="Config">The image config.</param>
/// <param name="Layers">The layers, base first.</param>
/// <param name="Annotations">Optional annotations.</param>
public sealed record OciImageManifest(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("config")] OciDescriptor Config,
    [property: JsonPropertyName("layers")] IReadOnlyList<OciDescriptor> Layers,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations = null)
{
    /// <summary>Parses a manifest; throws <see cref="FormatException"/> when it is not an image manifest.</summary>
    public static OciImageManifest Parse(ReadOnlySpan<byte> json)
    {
        OciImageManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<OciImageManifest>(json, OciJson.Options);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The content is not a valid image manifest: " + ex.Message, ex);
        }
        if (manifest is null || manifest.SchemaVersion != 2 || manifest.Config is null || manifest.Layers is null)
        {
            throw new FormatException("The content is not an image manifest of schema version 2 with a config and layers.");
        }
        return manifest;
    }

    /// <summary>The canonical JSON bytes of this manifest (the bytes whose digest names it once pushed).</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, OciJson.Options);
}

/// <summary>An image index (OCI) or manifest list (Docker): one manifest per platform.</summary>
/// <param name="SchemaVersion">Always 2.</param>
/// <param name="MediaType">The index's media type.</param>
/// <param name="Manifests">The manifests, each with its platform.</param>
/// <param name="Annotations">Optional annotations.</param>
public sealed record OciImageIndex(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("manifests")] IReadOnlyList<OciDescriptor> Manifests,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations = null)
{
    /// <summary>Parses an index; throws <see cref="FormatException"/> when it is not an image index.</summary>
    public static OciImageIndex Parse(ReadOnlySpan<byte> json)
    {
        OciImageIndex? index;
        try
        {
            index = JsonSerializer.Deserialize<OciImageIndex>(json, OciJson.Options);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The content is not a valid image index: " + ex.Message, ex);
        }
        if (index is null || index.SchemaVersion != 2 || index.Manifests is null)
        {
            throw new FormatException("The content is not an image index of schema version 2 with manifests.");
        }
        return index;
    }

    /// <summary>The canonical JSON bytes of this index.</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, OciJson.Options);
}

/// <summary>The JSON settings of the OCI documents: omit nulls, keep the declared property names.</summary>
internal static class OciJson
{
    /// <summary>Shared serializer options for the OCI records.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
