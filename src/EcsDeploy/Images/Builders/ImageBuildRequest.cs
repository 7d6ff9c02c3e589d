using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

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

    /// <summary>Build arguments (<c>--build-arg NAME=VALUE</c>) for the Dockerfile's ARGs, passed by docker and
    /// buildah (whose RUN steps read them); the daemonless builder, which runs no RUN step, keeps the ARG defaults.</summary>
    public IReadOnlyDictionary<string, string> BuildArguments { get; init; } = new Dictionary<string, string>();

    /// <summary>Receives each line the builder's programs print.</summary>
    public Action<string>? OnOutput { get; init; }
}
