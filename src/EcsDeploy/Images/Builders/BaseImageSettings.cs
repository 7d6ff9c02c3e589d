using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

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
