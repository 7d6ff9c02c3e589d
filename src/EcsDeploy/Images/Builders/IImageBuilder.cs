using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

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
