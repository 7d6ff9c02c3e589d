using EcsDeploy.Testing.Reads;

namespace EcsDeploy.Testing;

// aws ecr list-images: every tag of the repository's images (an untagged image by its digest alone), filtered by tag
// status, in pages (maxResults 1 to 1000, 100 by default).
public sealed partial class SimulatedEcr
{
    /// <summary>One page of ListImages: (digest, tag) pairs, oldest push first; TAGGED, UNTAGGED or ANY (the default).</summary>
    internal (List<(string Digest, string? Tag)> ImageIds, string? NextToken) ListImagesPage(string repositoryName, string? tagStatus, int? maxResults, string? nextToken)
    {
        const string Operation = "ListImages";
        _aws.Enter("ECR", Operation);
        lock (_aws.Gate)
        {
            if (maxResults is < 1 or > 1000)
            {
                throw Invalid(Operation, "maxResults must be between 1 and 1000.");
            }
            if (tagStatus is not (null or "TAGGED" or "UNTAGGED" or "ANY"))
            {
                throw Invalid(Operation, $"tagStatus must be TAGGED, UNTAGGED or ANY, not '{tagStatus}'.");
            }
            var repository = Repository(repositoryName, Operation);
            var ids = repository.Images.Values.OrderBy(i => i.PushedAt).ThenBy(i => i.Digest, StringComparer.Ordinal)
                .Where(i => tagStatus switch { "TAGGED" => i.Tags.Count > 0, "UNTAGGED" => i.Tags.Count == 0, _ => true })
                .SelectMany(i => i.Tags.Count == 0 ? [(i.Digest, (string?)null)] : i.Tags.Order(StringComparer.Ordinal).Select(t => (i.Digest, (string?)t)))
                .ToList();
            try
            {
                return PageTokens.Page(ids, Operation, nextToken, maxResults ?? 100);
            }
            catch (FormatException ex)
            {
                throw Invalid(Operation, ex.Message);
            }
        }
    }
}
