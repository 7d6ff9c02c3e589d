using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Operations;

namespace EcsDeploy.Preflight;

// The image check: the image is in ECR, and its manifest (or index) has the task's platform.
internal sealed partial class ServicePreflight
{
    private const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    private const string ManifestListMediaType = "application/vnd.docker.distribution.manifest.list.v2+json";

    private string? _registryHost;
    private string? _registryProblem;
    private IImageRegistry? _registry;

    private async Task<List<PreflightCheck>> ImageChecksAsync(TaskDefinition definition, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        var (os, architecture) = Platform(definition);
        var (wantOs, wantArchitecture) = FargateSizes.OciPlatform(os, architecture);
        var deployed = target.Spec is { } spec ? spec.Container ?? ((definition.ContainerDefinitions?.Count ?? 0) == 1 ? definition.ContainerDefinitions![0].Name : context.Definition.Name) : null;
        foreach (var container in definition.ContainerDefinitions ?? [])
        {
            var name = $"image of {container.Name}";
            if (container.Name == deployed && target.ImageSkipReason is { } why)
            {
                checks.Add(Skip(name, why));
                continue;
            }
            checks.Add(await ImageCheckAsync(name, container.Image, wantOs, wantArchitecture, cancellationToken).ConfigureAwait(false));
        }
        return checks;
    }

    private async Task<PreflightCheck> ImageCheckAsync(string name, string? image, string os, string architecture, CancellationToken cancellationToken)
    {
        var registryHost = await RegistryHostAsync(cancellationToken).ConfigureAwait(false);
        if (EcrImages.Parse(image, registryHost) is not { } reference)
        {
            return Skip(name, $"{image} is not in this account's ECR: not checked", image);
        }
        BatchGetImageResponse found;
        try
        {
            found = await Aws.Ecr.BatchGetImageAsync(reference.Repository, [reference.Id], cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "RepositoryNotFoundException")
        {
            return Fail(name, $"ECR has no repository '{reference.Repository}'", image, "create the repository, or fix the image reference");
        }
        if (found.Images.Count == 0)
        {
            return Fail(name, $"{image} is not in ECR ({found.Failures.FirstOrDefault()?.FailureCode ?? "ImageNotFound"})", image,
                "push the image, or deploy a tag that exists (--image-tag); a lifecycle policy may have expired it");
        }
        var manifest = found.Images[0];
        var platforms = await PlatformsAsync(reference.Repository, manifest, cancellationToken).ConfigureAwait(false);
        if (platforms is null)
        {
            return Skip(name, $"{image} is in ECR; its platform could not be read ({_registryProblem ?? "the registry client cannot read blobs"})", image);
        }
        if (platforms.Count == 0)
        {
            return Skip(name, $"{image} is in ECR; its manifest names no platform", image);
        }
        var want = $"{os}/{architecture}";
        return platforms.Contains(want, StringComparer.Ordinal)
            ? Ok(name, $"in ECR, has {want}", image)
            : Fail(name, $"{image} is built for {string.Join(", ", platforms)}, but the task runs {want}", image,
                $"build the image for {want} (docker buildx build --platform {want}), or set the task's runtimePlatform to match");
    }

    /// <summary>The platforms (os/architecture) a manifest or index offers; null when the config blob cannot be read.</summary>
    private async Task<IReadOnlyList<string>?> PlatformsAsync(string repository, EcrImage image, CancellationToken cancellationToken)
    {
        using var manifest = JsonDocument.Parse(image.ImageManifest);
        var root = manifest.RootElement;
        var mediaType = image.ImageManifestMediaType ?? (root.TryGetProperty("mediaType", out var m) ? m.GetString() : null);
        if (mediaType is IndexMediaType or ManifestListMediaType || root.TryGetProperty("manifests", out _))
        {
            return [.. root.GetProperty("manifests").EnumerateArray()
                .Where(e => e.TryGetProperty("platform", out _))
                .Select(e => e.GetProperty("platform"))
                .Where(p => p.TryGetProperty("os", out var o) && o.GetString() != "unknown")
                .Select(p => $"{p.GetProperty("os").GetString()}/{p.GetProperty("architecture").GetString()}")
                .Distinct(StringComparer.Ordinal)];
        }
        if (!root.TryGetProperty("config", out var config) || !config.TryGetProperty("digest", out var digest))
        {
            return [];
        }
        try
        {
            _registry ??= await Aws.OpenRegistryAsync(cancellationToken).ConfigureAwait(false);
            var client = (_registry as global::EcsDeploy.Aws.Retries.RetryingImageRegistry)?.Inner ?? _registry;
            if (Aws.IsLocal && client is Images.Registry.OciRegistryClient http && !global::EcsDeploy.Aws.Wire.AwsWireEndpoints.IsLoopback(http.BaseAddress))
            {
                // A local environment reaches nothing beyond 127.0.0.1 on its own (an emulator's ECR names AWS's registry).
                _registryProblem = $"a local environment does not reach the registry {http.BaseAddress.Host}";
                return null;
            }
            using var blob = new MemoryStream();
            await _registry.GetBlobAsync(repository, digest.GetString()!, blob, cancellationToken).ConfigureAwait(false);
            using var configJson = JsonDocument.Parse(blob.ToArray());
            var os = configJson.RootElement.TryGetProperty("os", out var o) ? o.GetString() : null;
            var architecture = configJson.RootElement.TryGetProperty("architecture", out var a) ? a.GetString() : null;
            return os is null || architecture is null ? [] : [$"{os}/{architecture}"];
        }
        catch (NotSupportedException)
        {
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or Images.Registry.RegistryException or JsonException)
        {
            _registryProblem = ex.Message;
            return null;
        }
    }

    private async Task<string?> RegistryHostAsync(CancellationToken cancellationToken)
    {
        if (_registryHost is null)
        {
            try
            {
                _registry ??= await Aws.OpenRegistryAsync(cancellationToken).ConfigureAwait(false);
                _registryHost = _registry.Host;
            }
            catch (Exception ex) when (ex is AwsServiceException or HttpRequestException or InvalidOperationException)
            {
                _registryHost = "";
            }
        }
        return _registryHost.Length == 0 ? null : _registryHost;
    }
}
