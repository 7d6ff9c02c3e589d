using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>A built image and what the builder wants the user to know about it.</summary>
/// <param name="Image">The image, with its blobs as files (or, for base layers, in their registry).</param>
/// <param name="Builder">The builder's name (<c>docker</c>, <c>buildah</c>, <c>daemonless</c>).</param>
/// <param name="BaseImage">The base image used (reference and digest), or null when none was applied.</param>
/// <param name="Warnings">For example that the base image was not fetched and the image holds the application layer only.</param>
internal sealed record ImageBuildResult(OciImage Image, string Builder, string? BaseImage, IReadOnlyList<string> Warnings);
