using System.Text.Json;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>Reads an OCI image layout folder (oci-layout, index.json, blobs/ALG/HEX) into an <see cref="OciImage"/>.</summary>
internal static class OciLayout
{
    /// <summary>
    /// index.json, then its single manifest (an index inside is resolved to <paramref name="platform"/>), then the
    /// config and layers, every blob checked to exist with the size its descriptor gives and the manifest's digest verified.
    /// </summary>
    public static async Task<OciImage> ReadAsync(string directory, OciPlatform platform, CancellationToken cancellationToken)
    {
        var indexPath = Path.Combine(directory, "index.json");
        if (!File.Exists(indexPath))
        {
            throw new PipelineStageException($"Build: {directory} is not an OCI image layout (no index.json).", FailureKind.Failed);
        }
        var index = OciImageIndex.Parse(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false));
        var descriptor = index.Manifests.Count == 1
            ? index.Manifests[0]
            : index.Manifests.FirstOrDefault(m => m.Platform is { } p && p.Os == platform.Os && p.Architecture == platform.Architecture)
              ?? throw new PipelineStageException($"Build: the OCI layout in {directory} holds {index.Manifests.Count} manifests and none for {platform.Os}/{platform.Architecture}.", FailureKind.Failed);
        var manifestBytes = await ReadBlobAsync(directory, descriptor, cancellationToken).ConfigureAwait(false);
        if (RegistryMediaTypes.IsIndex(descriptor.MediaType) || IsIndex(manifestBytes))
        {
            var inner = OciImageIndex.Parse(manifestBytes);
            descriptor = inner.Manifests.FirstOrDefault(m => m.Platform is { } p && p.Os == platform.Os && p.Architecture == platform.Architecture)
                ?? inner.Manifests.FirstOrDefault(m => m.Platform is null || m.Platform.Os != "unknown")
                ?? throw new PipelineStageException($"Build: the image index in {directory} has no manifest for {platform.Os}/{platform.Architecture}.", FailureKind.Failed);
            manifestBytes = await ReadBlobAsync(directory, descriptor, cancellationToken).ConfigureAwait(false);
        }
        var manifest = OciImageManifest.Parse(manifestBytes);
        OciBlob Blob(OciDescriptor d)
        {
            var path = BlobPath(directory, d.Digest);
            var info = new FileInfo(path);
            if (!info.Exists || info.Length != d.Size)
            {
                throw new PipelineStageException($"Build: blob {d.Digest} of the OCI layout in {directory} is missing or not {d.Size} bytes.", FailureKind.Failed);
            }
            return new OciBlob(d.MediaType, d.Digest, d.Size, path);
        }
        return new OciImage(manifestBytes, OciDigest.Compute(manifestBytes), Blob(manifest.Config), [.. manifest.Layers.Select(Blob)])
        {
            MediaType = manifest.MediaType ?? descriptor.MediaType,
        };
    }

    private static bool IsIndex(byte[] bytes)
    {
        using var json = JsonDocument.Parse(bytes);
        return json.RootElement.TryGetProperty("manifests", out _);
    }

    private static string BlobPath(string directory, string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return Path.Combine(directory, "blobs", digest[..colon], digest[(colon + 1)..]);
    }

    private static async Task<byte[]> ReadBlobAsync(string directory, OciDescriptor descriptor, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(BlobPath(directory, descriptor.Digest), cancellationToken).ConfigureAwait(false);
        if (OciDigest.ComputeLike(descriptor.Digest, bytes) != descriptor.Digest)
        {
            throw new PipelineStageException($"Build: blob {descriptor.Digest} of the OCI layout in {directory} does not match its digest.", FailureKind.Failed);
        }
        return bytes;
    }
}
