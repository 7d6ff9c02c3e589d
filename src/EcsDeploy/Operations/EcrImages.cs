using EcsDeploy.Aws;

namespace EcsDeploy.Operations;

/// <summary>Reads the ECR side of a container image reference (<c>HOST/REPOSITORY:TAG</c> or <c>HOST/REPOSITORY@DIGEST</c>).</summary>
internal static class EcrImages
{
    /// <summary>The repository and image id of an ECR image reference, or null for an image of another registry.</summary>
    public static (string Repository, ImageIdentifier Id)? Parse(string? image, string? registryHost)
    {
        if (string.IsNullOrEmpty(image))
        {
            return null;
        }
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }
        var host = image[..slash];
        if (!host.Contains(".dkr.ecr.", StringComparison.Ordinal) && !string.Equals(host, registryHost, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var path = image[(slash + 1)..];
        var at = path.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            return (path[..at], new ImageIdentifier(ImageDigest: path[(at + 1)..]));
        }
        var colon = path.LastIndexOf(':');
        return colon > 0 ? (path[..colon], new ImageIdentifier(ImageTag: path[(colon + 1)..])) : (path, new ImageIdentifier(ImageTag: "latest"));
    }

    /// <summary>
    /// The manifest digest of <paramref name="image"/> in ECR; null for an image of another registry. Throws
    /// ImageNotFoundException or RepositoryNotFoundException (as <see cref="AwsServiceException"/>) when ECR has it no more.
    /// </summary>
    public static async Task<string?> DigestAsync(AwsEnvironment aws, string? image, string? registryHost, CancellationToken cancellationToken)
    {
        if (Parse(image, registryHost) is not { } reference)
        {
            return null;
        }
        var found = await aws.Ecr.DescribeImagesAsync(reference.Repository, [reference.Id], cancellationToken).ConfigureAwait(false);
        return found.Count > 0 ? found[0].ImageDigest
            : throw new AwsServiceException("ECR", "DescribeImages", "ImageNotFoundException", $"The image {image} does not exist.", 400);
    }

    /// <summary>Why <paramref name="image"/> cannot run any more (not in ECR), or null when it is there or not in ECR at all.</summary>
    public static async Task<string?> MissingAsync(AwsEnvironment aws, string? image, string? registryHost, CancellationToken cancellationToken)
    {
        try
        {
            await DigestAsync(aws, image, registryHost, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is "ImageNotFoundException" or "RepositoryNotFoundException")
        {
            return $"its image {image} is no longer in ECR ({ex.ErrorCode})";
        }
    }
}
