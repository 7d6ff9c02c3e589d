using System.Text.Json;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>Fetches the base image of a daemonless build: manifest and config, through one shared HttpClient.</summary>
internal static class BaseImageFetcher
{
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    { Timeout = TimeSpan.FromMinutes(30) });

    /// <summary>
    /// Reads the manifest of <paramref name="reference"/> (the <paramref name="platform"/> entry of an index) and its
    /// config, and checks that the config is built for that platform. The layers stay in the registry.
    /// </summary>
    public static async Task<FetchedBaseImage> FetchAsync(ImageReference reference, RegistryCredentials? credentials, OciPlatform platform, CancellationToken cancellationToken)
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
}
