namespace EcsDeploy.Images.Builders;

/// <summary>
/// An image reference as a Dockerfile's FROM names it (<c>node:20-alpine</c>, <c>ghcr.io/org/app@sha256:...</c>,
/// <c>127.0.0.1:5000/base:1</c>), resolved to the registry host, repository and tag or digest to fetch.
/// </summary>
/// <param name="Original">The reference as written.</param>
/// <param name="Registry">The registry host (Docker Hub's is <c>registry-1.docker.io</c>), or the mirror's.</param>
/// <param name="Repository">The repository (Docker Hub's official images get <c>library/</c>).</param>
/// <param name="Reference">The tag or digest (default tag <c>latest</c>).</param>
/// <param name="IsDockerHub">Whether the reference names Docker Hub (explicitly or by default).</param>
internal sealed record ImageReference(string Original, string Registry, string Repository, string Reference, bool IsDockerHub)
{
    /// <summary>Docker Hub's registry API host.</summary>
    public const string DockerHubHost = "registry-1.docker.io";

    /// <summary>Whether the registry is on a loopback address (127.0.0.1, [::1], localhost).</summary>
    public bool IsLoopback
    {
        get
        {
            var host = Registry;
            if (host.StartsWith('['))
            {
                host = host[1..host.IndexOf(']', StringComparison.Ordinal)];
            }
            else if (host.Contains(':', StringComparison.Ordinal))
            {
                host = host[..host.LastIndexOf(':')];
            }
            return host == "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
        }
    }

    /// <summary>Registry, repository and reference, as one string for messages.</summary>
    public string Resolved => Registry + "/" + Repository + (Reference.Contains(':', StringComparison.Ordinal) ? "@" : ":") + Reference;

    /// <summary>Parses <paramref name="reference"/>; images without a registry come from <paramref name="mirror"/> (host or host/prefix) when given.</summary>
    /// <exception cref="FormatException">The reference is not an image reference.</exception>
    public static ImageReference Parse(string reference, string? mirror = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var rest = reference.Trim();
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }
        string? registry = null;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = rest[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first;
                rest = rest[(slash + 1)..];
            }
        }
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }
        var hub = registry is null or "docker.io" or "index.docker.io" or "registry-1.docker.io";
        var repository = rest;
        if (hub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }
        if (hub && !string.IsNullOrWhiteSpace(mirror))
        {
            var m = mirror.Trim().TrimEnd('/');
            var cut = m.IndexOf("://", StringComparison.Ordinal);
            if (cut >= 0)
            {
                m = m[(cut + 3)..];
            }
            var mirrorSlash = m.IndexOf('/', StringComparison.Ordinal);
            registry = mirrorSlash < 0 ? m : m[..mirrorSlash];
            if (mirrorSlash >= 0)
            {
                repository = m[(mirrorSlash + 1)..] + "/" + repository;
            }
        }
        else if (hub)
        {
            registry = DockerHubHost;
        }
        var target = digest ?? tag ?? "latest";
        if (!EcsDeploy.Images.Registry.OciReference.IsValidRepository(repository) || (digest is not null ? !EcsDeploy.Images.Registry.OciDigest.IsValid(digest) : !EcsDeploy.Images.Registry.OciReference.IsValidTag(target)))
        {
            throw new FormatException($"'{reference}' is not an image reference (registry/repository:tag or @sha256:digest).");
        }
        return new ImageReference(reference, registry!, repository, target, hub);
    }
}
