using System.Text.Json;

namespace EcsDeploy.Aws.Wire;

/// <summary>Amazon ECR's API over the JSON 1.1 protocol (target prefix <c>AmazonEC2ContainerRegistry_V20150921</c>).</summary>
/// <param name="transport">The shared HTTP core.</param>
internal sealed class EcrWireClient(AwsWireTransport transport) : IEcrApi
{
    private static readonly AwsWireService Service = AwsWireService.Ecr;
    private static readonly JsonSerializerOptions Json = AwsWireJson.CamelCase;

    /// <summary>The manifest media types BatchGetImage asks for (Docker v2 and OCI, single and multi-platform).</summary>
    internal static readonly IReadOnlyList<string> AcceptedMediaTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ];

    /// <inheritdoc />
    public async Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(IReadOnlyList<string> repositoryNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repositoryNames);
        var repositories = new List<EcrRepository>();
        string? nextToken = null;
        do
        {
            var request = new DescribeRepositoriesWire(repositoryNames.Count > 0 ? repositoryNames : null, nextToken);
            var page = await transport.JsonAsync<DescribeRepositoriesAnswer>(Service, "DescribeRepositories", request, Json, cancellationToken).ConfigureAwait(false);
            repositories.AddRange(page.Repositories ?? []);
            nextToken = page.NextToken;
        }
        while (!string.IsNullOrEmpty(nextToken));
        return repositories;
    }

    /// <inheritdoc />
    public async Task<EcrAuthorizationData> GetAuthorizationTokenAsync(CancellationToken cancellationToken)
    {
        var response = await transport.JsonAsync<AuthorizationAnswer>(Service, "GetAuthorizationToken", new EmptyRequest(), Json, cancellationToken).ConfigureAwait(false);
        return response.AuthorizationData is { Count: > 0 } data
            ? data[0]
            : throw new AwsServiceException(Service.Name, "GetAuthorizationToken", "InvalidResponse", "The answer has no authorization data.", 200);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentNullException.ThrowIfNull(imageIds);
        if (imageIds.Count > 0)
        {
            // By id: one answer (ECR refuses nextToken and maxResults beside imageIds).
            var answer = await transport.JsonAsync<DescribeImagesAnswer>(Service, "DescribeImages", new DescribeImagesWire(repositoryName, imageIds, null, null), Json, cancellationToken).ConfigureAwait(false);
            return answer.ImageDetails ?? [];
        }
        var images = new List<EcrImageDetail>();
        string? nextToken = null;
        do
        {
            // All images: pages of the most ECR gives (maxResults 1000), following nextToken to the end.
            var request = new DescribeImagesWire(repositoryName, null, nextToken, 1000);
            var page = await transport.JsonAsync<DescribeImagesAnswer>(Service, "DescribeImages", request, Json, cancellationToken).ConfigureAwait(false);
            images.AddRange(page.ImageDetails ?? []);
            nextToken = page.NextToken;
        }
        while (!string.IsNullOrEmpty(nextToken));
        return images;
    }

    /// <inheritdoc />
    public async Task<BatchGetImageResponse> BatchGetImageAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentNullException.ThrowIfNull(imageIds);
        var request = new BatchGetImageWire(repositoryName, imageIds, AcceptedMediaTypes);
        var response = await transport.JsonAsync<BatchGetImageResponse>(Service, "BatchGetImage", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { Images = response.Images ?? [], Failures = response.Failures ?? [] };
    }

    /// <inheritdoc />
    public async Task<EcrImage> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<PutImageAnswer>(Service, "PutImage", request, Json, cancellationToken).ConfigureAwait(false);
        return response.Image ?? throw new AwsServiceException(Service.Name, "PutImage", "InvalidResponse", "The answer has no image.", 200);
    }

    /// <inheritdoc />
    public async Task<ImageScanningConfiguration> PutImageScanningConfigurationAsync(string repositoryName, ImageScanningConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentNullException.ThrowIfNull(configuration);
        var response = await transport.JsonAsync<ScanningConfigurationAnswer>(Service, "PutImageScanningConfiguration", new ScanningConfigurationWire(repositoryName, configuration), Json, cancellationToken).ConfigureAwait(false);
        return response.ImageScanningConfiguration ?? configuration;
    }

    /// <inheritdoc />
    public async Task<ImageScanFindingsResult> DescribeImageScanFindingsAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentNullException.ThrowIfNull(imageId);
        return await transport.JsonAsync<ImageScanFindingsResult>(Service, "DescribeImageScanFindings", new ImageWire(repositoryName, imageId), Json, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ImageScanStatus> StartImageScanAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentNullException.ThrowIfNull(imageId);
        var response = await transport.JsonAsync<StartImageScanAnswer>(Service, "StartImageScan", new ImageWire(repositoryName, imageId), Json, cancellationToken).ConfigureAwait(false);
        return response.ImageScanStatus ?? new ImageScanStatus("IN_PROGRESS");
    }

    /// <inheritdoc />
    public async Task<EcrLifecyclePolicyText> GetLifecyclePolicyAsync(string repositoryName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        return await transport.JsonAsync<EcrLifecyclePolicyText>(Service, "GetLifecyclePolicy", new RepositoryWire(repositoryName), Json, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<EcrLifecyclePolicyText> PutLifecyclePolicyAsync(string repositoryName, string lifecyclePolicyText, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryName);
        ArgumentException.ThrowIfNullOrEmpty(lifecyclePolicyText);
        var response = await transport.JsonAsync<PutLifecyclePolicyAnswer>(Service, "PutLifecyclePolicy", new LifecyclePolicyWire(repositoryName, lifecyclePolicyText), Json, cancellationToken).ConfigureAwait(false);
        return new EcrLifecyclePolicyText { RepositoryName = response.RepositoryName ?? repositoryName, LifecyclePolicyText = response.LifecyclePolicyText ?? lifecyclePolicyText };
    }

    internal sealed record EmptyRequest;
    internal sealed record RepositoryWire(string RepositoryName);
    internal sealed record ImageWire(string RepositoryName, ImageIdentifier ImageId);
    internal sealed record ScanningConfigurationWire(string RepositoryName, ImageScanningConfiguration ImageScanningConfiguration);
    internal sealed record ScanningConfigurationAnswer(ImageScanningConfiguration? ImageScanningConfiguration);
    internal sealed record StartImageScanAnswer(ImageScanStatus? ImageScanStatus);
    internal sealed record LifecyclePolicyWire(string RepositoryName, string LifecyclePolicyText);
    internal sealed record PutLifecyclePolicyAnswer(string? RepositoryName, string? LifecyclePolicyText);
    internal sealed record DescribeRepositoriesWire(IReadOnlyList<string>? RepositoryNames, string? NextToken);
    internal sealed record DescribeRepositoriesAnswer(IReadOnlyList<EcrRepository>? Repositories, string? NextToken);
    internal sealed record AuthorizationAnswer(IReadOnlyList<EcrAuthorizationData>? AuthorizationData);
    internal sealed record DescribeImagesWire(string RepositoryName, IReadOnlyList<ImageIdentifier>? ImageIds, string? NextToken, int? MaxResults);
    internal sealed record DescribeImagesAnswer(IReadOnlyList<EcrImageDetail>? ImageDetails, string? NextToken);
    internal sealed record BatchGetImageWire(string RepositoryName, IReadOnlyList<ImageIdentifier> ImageIds, IReadOnlyList<string> AcceptedMediaTypes);
    internal sealed record PutImageAnswer(EcrImage? Image);
}
