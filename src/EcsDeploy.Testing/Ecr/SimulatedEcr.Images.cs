using System.Text.Json;
using EcsDeploy.Testing.Ecr;

namespace EcsDeploy.Testing;

// The image store behind ECR's API and the registry: manifests in, and how an image reference resolves at launch.
public sealed partial class SimulatedEcr
{
    /// <summary>
    /// Whether an image reference (<c>HOST/REPO:tag</c> or <c>HOST/REPO@sha256:...</c>) resolves in this registry, as
    /// the agent resolves it when it pulls; null when the reference names another registry (not checked).
    /// </summary>
    internal bool? Resolves(string imageReference) => Locate(imageReference) is { } found ? found.Image is not null : null;

    /// <summary>Removes the image a reference names, as a lifecycle policy's expire action would (for fault scenarios).</summary>
    internal void Expire(string imageReference)
    {
        lock (_aws.Gate)
        {
            if (Locate(imageReference) is { Image: { } image, Repository: { } repository })
            {
                repository.Images.Remove(image.Digest);
                repository.ScanResults.Remove(image.Digest);
                repository.ExpiredImages++;
            }
        }
    }

    private (SimRepository? Repository, SimImage? Image)? Locate(string imageReference)
    {
        var prefix = Host + "/";
        if (!imageReference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = imageReference[prefix.Length..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var colon = rest.LastIndexOf(':');
        var (name, digest, tag) = at >= 0 ? (rest[..at], rest[(at + 1)..], (string?)null)
            : colon > rest.LastIndexOf('/') ? (rest[..colon], (string?)null, rest[(colon + 1)..]) : (rest, null, "latest");
        lock (_aws.Gate)
        {
            if (!_repositories.TryGetValue(name, out var repository))
            {
                return (null, null);
            }
            return (repository, digest is not null ? repository.Images.GetValueOrDefault(digest) : repository.Images.Values.FirstOrDefault(i => i.Tags.Contains(tag!)));
        }
    }

    internal SimImage PutManifestLocked(SimRepository repository, byte[] manifest, string digest, string mediaType, string? tag, string operation, bool fromApi)
    {
        // Every blob the manifest names must already be in the repository.
        using (var json = JsonDocument.Parse(manifest))
        {
            var referenced = new List<string>();
            if (json.RootElement.TryGetProperty("config", out var config))
            {
                referenced.Add(config.GetProperty("digest").GetString()!);
            }
            if (json.RootElement.TryGetProperty("layers", out var layers))
            {
                referenced.AddRange(layers.EnumerateArray().Select(l => l.GetProperty("digest").GetString()!));
            }
            var missing = referenced.Where(d => !repository.Blobs.ContainsKey(d)).ToList();
            if (missing.Count > 0)
            {
                throw Error(operation, fromApi ? "LayersNotFoundException" : "MANIFEST_BLOB_UNKNOWN", $"blob unknown to registry: {missing[0]}");
            }
        }
        var existing = repository.Images.GetValueOrDefault(digest);
        if (tag is not null)
        {
            var holder = repository.Images.Values.FirstOrDefault(i => i.Tags.Contains(tag));
            if (holder is not null && holder.Digest == digest && fromApi)
            {
                throw Error(operation, "ImageAlreadyExistsException", $"Image with digest '{digest}' and tag '{tag}' already exists in the repository with name '{repository.Name}' in registry with id '{_aws.AccountId}'");
            }
            if (holder is not null && holder.Digest != digest)
            {
                if (repository.Immutable)
                {
                    throw Error(operation, "ImageTagAlreadyExistsException", $"The image tag '{tag}' already exists in the '{repository.Name}' repository and cannot be overwritten because the repository is immutable.");
                }
                holder.Tags.Remove(tag);
            }
        }
        if (existing is null)
        {
            long size;
            using (var json = JsonDocument.Parse(manifest))
            {
                size = json.RootElement.TryGetProperty("layers", out var layers) ? layers.EnumerateArray().Sum(l => l.GetProperty("size").GetInt64()) : 0;
            }
            existing = new SimImage(digest, manifest, mediaType, _aws.Clock.GetUtcNow(), size);
            repository.Images[digest] = existing;
            if (repository.ScanOnPush)
            {
                existing.ScanStartedAt = existing.PushedAt + ScanStartDelay;
                existing.ScanResult = repository.NewImageScanResult;
            }
        }
        if (tag is not null)
        {
            existing.Tags.Add(tag);
        }
        return existing;
    }

    internal static string MediaTypeOf(byte[] manifest)
    {
        using var json = JsonDocument.Parse(manifest);
        return json.RootElement.TryGetProperty("mediaType", out var mediaType) ? mediaType.GetString()! : "application/vnd.oci.image.manifest.v1+json";
    }
}
