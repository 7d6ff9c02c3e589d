using System.Net.Sockets;
using System.Text;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>
/// Builds without a daemon: the supported Dockerfile subset applied on top of the base image's layers (fetched
/// manifest and config; the layers stay in their registry and are mounted or streamed at push time), plus one
/// deterministic application layer (Ustar, sorted, fixed times, root owned, .dockerignore honoured) holding every
/// COPY/ADD and WORKDIR. The same context and base always give the same digest.
/// </summary>
internal sealed class DaemonlessImageBuilder : IImageBuilder
{
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
                baseImage = await BaseImageFetcher.FetchAsync(reference, request.BaseImage.Credentials, platform, cancellationToken).ConfigureAwait(false);
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
        var (layer, diffId) = await ApplicationLayer.WriteAsync(request.ContextDirectory, dockerfile, request.OutputDirectory, cancellationToken).ConfigureAwait(false);
        var config = DaemonlessConfig.Merge(dockerfile, baseImage, reference, diffId, request.BaseImage.Platform);
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

    private static async Task<OciBlob> WriteBlobAsync(string directory, string name, string mediaType, byte[] content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, name);
        await File.WriteAllBytesAsync(path, content, cancellationToken).ConfigureAwait(false);
        return new OciBlob(mediaType, OciDigest.Compute(content), content.Length, path);
    }
}
