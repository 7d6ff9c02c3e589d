using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>
/// The base image (FROM) could not be fetched: its registry is unreachable, refused the credentials, or timed out. A
/// fact about the machine and its network rather than about the Dockerfile, so a PR check reports it as could-not-run.
/// </summary>
internal sealed class BaseImageUnavailableException(string message, Exception? innerException = null)
    : PipelineStageException(message, FailureKind.Failed, innerException);

/// <summary>Whether a builder can run on this machine, and why (or why not).</summary>
/// <param name="Available">True when the builder can run.</param>
/// <param name="Reason">For example <c>docker: client present, no daemon (Cannot connect ...)</c>.</param>
internal sealed record BuilderAvailability(bool Available, string Reason);

/// <summary>Where base images come from and how to authenticate to their registry.</summary>
internal sealed record BaseImageSettings
{
    /// <summary>
    /// A registry (host, or host/path-prefix) that serves the images a Dockerfile names without a registry (Docker Hub
    /// images such as <c>node:20-alpine</c>), for runners that cannot reach docker.io: <c>mirror.example:5000</c> turns
    /// <c>node:20</c> into <c>mirror.example:5000/library/node:20</c>. Null: Docker Hub itself.
    /// </summary>
    public string? Mirror { get; init; }

    /// <summary>Credentials for the base image's registry (never logged); null for anonymous access.</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>What to do when the base image cannot be fetched.</summary>
    public BaseImagePolicy Policy { get; init; }

    /// <summary>The platform to take from a multi-platform base image (default linux/amd64, what Fargate runs by default).</summary>
    public OciPlatform Platform { get; init; } = new("amd64", "linux");
}

/// <summary>One image build.</summary>
/// <param name="ContextDirectory">The build context.</param>
/// <param name="DockerfilePath">The Dockerfile (full path).</param>
/// <param name="OutputDirectory">An empty folder the image's blobs are written to.</param>
internal sealed record ImageBuildRequest(string ContextDirectory, string DockerfilePath, string OutputDirectory)
{
    /// <summary>The base image settings.</summary>
    public BaseImageSettings BaseImage { get; init; } = new();

    /// <summary>True on the local target: a base image beyond 127.0.0.1 must not be fetched unless the policy says so.</summary>
    public bool OfflineTarget { get; init; }

    /// <summary>Docker only: a registry reference used as build cache (<c>--cache-from/--cache-to type=registry</c>).</summary>
    public string? CacheReference { get; init; }

    /// <summary>Receives each line the builder's programs print.</summary>
    public Action<string>? OnOutput { get; init; }
}

/// <summary>A built image and what the builder wants the user to know about it.</summary>
/// <param name="Image">The image, with its blobs as files (or, for base layers, in their registry).</param>
/// <param name="Builder">The builder's name (<c>docker</c>, <c>buildah</c>, <c>daemonless</c>).</param>
/// <param name="BaseImage">The base image used (reference and digest), or null when none was applied.</param>
/// <param name="Warnings">For example that the base image was not fetched and the image holds the application layer only.</param>
internal sealed record ImageBuildResult(OciImage Image, string Builder, string? BaseImage, IReadOnlyList<string> Warnings);

/// <summary>Builds an OCI image from a Dockerfile and a context.</summary>
internal interface IImageBuilder
{
    /// <summary>The builder's kind.</summary>
    ImageBuilderKind Kind { get; }

    /// <summary>Whether the builder can run here, and why (for the plan).</summary>
    Task<BuilderAvailability> DetectAsync(CancellationToken cancellationToken);

    /// <summary>Builds the image; its blobs are written under <see cref="ImageBuildRequest.OutputDirectory"/>.</summary>
    Task<ImageBuildResult> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken);
}
