namespace EcsDeploy.Aws.Retries;

/// <summary>
/// <see cref="IEcrApi"/> with every operation sent through the environment's <see cref="AwsRetryPolicy"/>.
/// To add an operation: one line that names it as the API does and says whether a blind re-send is safe
/// (<c>idempotent: false</c> for the operations marked <see cref="NotIdempotentAttribute"/> on the port).
/// </summary>
internal sealed class RetryingEcrApi(IEcrApi inner, AwsRetryPolicy policy) : IEcrApi
{
    public Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(IReadOnlyList<string> repositoryNames, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeRepositories", idempotent: true, ct => inner.DescribeRepositoriesAsync(repositoryNames, ct), cancellationToken);

    public Task<EcrAuthorizationData> GetAuthorizationTokenAsync(CancellationToken cancellationToken)
        => policy.ExecuteAsync("GetAuthorizationToken", idempotent: true, ct => inner.GetAuthorizationTokenAsync(ct), cancellationToken);

    public Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeImages", idempotent: true, ct => inner.DescribeImagesAsync(repositoryName, imageIds, ct), cancellationToken);

    public Task<BatchGetImageResponse> BatchGetImageAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken)
        => policy.ExecuteAsync("BatchGetImage", idempotent: true, ct => inner.BatchGetImageAsync(repositoryName, imageIds, ct), cancellationToken);

    public Task<EcrImage> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("PutImage", idempotent: true, ct => inner.PutImageAsync(request, ct), cancellationToken);

    public Task<ImageScanningConfiguration> PutImageScanningConfigurationAsync(string repositoryName, ImageScanningConfiguration configuration, CancellationToken cancellationToken)
        => policy.ExecuteAsync("PutImageScanningConfiguration", idempotent: true, ct => inner.PutImageScanningConfigurationAsync(repositoryName, configuration, ct), cancellationToken);

    public Task<ImageScanFindingsResult> DescribeImageScanFindingsAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeImageScanFindings", idempotent: true, ct => inner.DescribeImageScanFindingsAsync(repositoryName, imageId, ct), cancellationToken);

    public Task<ImageScanStatus> StartImageScanAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken)
        => policy.ExecuteAsync("StartImageScan", idempotent: false, ct => inner.StartImageScanAsync(repositoryName, imageId, ct), cancellationToken);

    public Task<EcrLifecyclePolicyText> GetLifecyclePolicyAsync(string repositoryName, CancellationToken cancellationToken)
        => policy.ExecuteAsync("GetLifecyclePolicy", idempotent: true, ct => inner.GetLifecyclePolicyAsync(repositoryName, ct), cancellationToken);

    public Task<EcrLifecyclePolicyText> PutLifecyclePolicyAsync(string repositoryName, string lifecyclePolicyText, CancellationToken cancellationToken)
        => policy.ExecuteAsync("PutLifecyclePolicy", idempotent: true, ct => inner.PutLifecyclePolicyAsync(repositoryName, lifecyclePolicyText, ct), cancellationToken);
}
