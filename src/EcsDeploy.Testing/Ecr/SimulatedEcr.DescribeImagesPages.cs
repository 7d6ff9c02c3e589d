using System.Globalization;
using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecr;

namespace EcsDeploy.Testing;

// DescribeImages in pages, as ECR answers it on the wire: maxResults 1 to 1000 (default 100) and a nextToken while more
// remain; neither may be combined with imageIds. The port's DescribeImagesAsync gives every page at once.
public sealed partial class SimulatedEcr
{
    private const string ImagePageToken = "describe-images:";

    /// <summary>One page of DescribeImages: images oldest push first, and the token of the next page (null on the last).</summary>
    internal (IReadOnlyList<EcrImageDetail> Images, string? NextToken) DescribeImagesPage(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, int? maxResults, string? nextToken)
    {
        ArgumentNullException.ThrowIfNull(imageIds);
        const string Operation = "DescribeImages";
        _aws.Enter("ECR", Operation);
        lock (_aws.Gate)
        {
            if (imageIds.Count > 0 && (maxResults is not null || nextToken is not null))
            {
                throw Invalid(Operation, "maxResults and nextToken cannot be used together with imageIds: describe the images by id, or page through all of them.");
            }
            if (maxResults is < 1 or > 1000)
            {
                throw Invalid(Operation, "maxResults must be between 1 and 1000.");
            }
            if (imageIds.Count > 100)
            {
                throw Invalid(Operation, "imageIds must hold at most 100 image ids.");
            }
            var repository = Repository(repositoryName, Operation);
            if (imageIds.Count > 0)
            {
                return ([.. imageIds.Select(id => Detail(repositoryName, FindImage(repository, id, Operation)))], null);
            }
            var all = repository.Images.Values.OrderBy(i => i.PushedAt).ThenBy(i => i.Digest, StringComparer.Ordinal).ToList();
            var start = nextToken is null ? 0 : ImagePageStart(nextToken, Operation);
            var size = maxResults ?? 100;
            var next = start + size < all.Count
                ? Convert.ToBase64String(Encoding.UTF8.GetBytes(ImagePageToken + (start + size).ToString(CultureInfo.InvariantCulture)))
                : null;
            return ([.. all.Skip(start).Take(size).Select(i => Detail(repositoryName, i))], next);
        }
    }

    private static EcrImageDetail Detail(string repositoryName, SimImage image) => new()
    {
        RepositoryName = repositoryName,
        ImageDigest = image.Digest,
        ImageTags = [.. image.Tags.Order(StringComparer.Ordinal)],
        ImagePushedAt = image.PushedAt,
        ImageSizeInBytes = image.Size,
        ImageManifestMediaType = image.MediaType,
    };

    private int ImagePageStart(string token, string operation)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(ImagePageToken, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(ImagePageToken.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            {
                return start;
            }
        }
        catch (FormatException)
        {
            // Not base64: answered below.
        }
        throw Invalid(operation, "Invalid NextToken: pass the nextToken of the previous DescribeImages answer unchanged.");
    }

    private AwsServiceException Invalid(string operation, string message)
        => new("ECR", operation, "InvalidParameterException", message, 400, _aws.NewRequestId());
}
