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
