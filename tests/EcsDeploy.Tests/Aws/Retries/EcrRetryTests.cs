using EcsDeploy.Aws;
using EcsDeploy.Aws.Retries;

namespace EcsDeploy.Tests.Aws.Retries;

/// <summary>Which ECR scan and lifecycle operations the retrying ECR decorator re-sends after a server error.</summary>
public sealed class EcrRetryTests
{
    private static AwsRetryPolicy Policy() => new(TimeProvider.System, baseDelay: TimeSpan.FromMilliseconds(1), random: new Random(1));

    [Fact]
    public async Task StartImageScan_OnAServerError_IsNotReSent_ButTheReadsAndIdempotentPutsAre()
    {
        var inner = new FailingOnceEcr();
        var ecr = new RetryingEcrApi(inner, Policy());
        var id = new ImageIdentifier("sha256:abc");

        await Assert.ThrowsAsync<AwsServiceException>(() => ecr.StartImageScanAsync("repo", id, CancellationToken.None));
        await ecr.DescribeImageScanFindingsAsync("repo", id, CancellationToken.None);
        await ecr.PutLifecyclePolicyAsync("repo", "{}", CancellationToken.None);
        await ecr.PutImageScanningConfigurationAsync("repo", new ImageScanningConfiguration(true), CancellationToken.None);
        await ecr.GetLifecyclePolicyAsync("repo", CancellationToken.None);

        Assert.Equal(1, inner.Calls["StartImageScan"]);
        Assert.Equal(2, inner.Calls["DescribeImageScanFindings"]);
        Assert.Equal(2, inner.Calls["PutLifecyclePolicy"]);
        Assert.Equal(2, inner.Calls["PutImageScanningConfiguration"]);
        Assert.Equal(2, inner.Calls["GetLifecyclePolicy"]);
    }

    /// <summary>Answers each operation with HTTP 500 the first time, then succeeds.</summary>
    private sealed class FailingOnceEcr : IEcrApi
    {
        public Dictionary<string, int> Calls { get; } = [];

        private Task<T> Once<T>(string operation, T answer)
        {
            Calls[operation] = Calls.GetValueOrDefault(operation) + 1;
            return Calls[operation] == 1
                ? Task.FromException<T>(new AwsServiceException("ECR", operation, "ServerException", "boom", 500))
                : Task.FromResult(answer);
        }

        public Task<ImageScanStatus> StartImageScanAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken) => Once("StartImageScan", new ImageScanStatus("IN_PROGRESS"));
        public Task<ImageScanFindingsResult> DescribeImageScanFindingsAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken) => Once("DescribeImageScanFindings", new ImageScanFindingsResult());
        public Task<EcrLifecyclePolicyText> PutLifecyclePolicyAsync(string repositoryName, string lifecyclePolicyText, CancellationToken cancellationToken) => Once("PutLifecyclePolicy", new EcrLifecyclePolicyText { LifecyclePolicyText = lifecyclePolicyText });
        public Task<EcrLifecyclePolicyText> GetLifecyclePolicyAsync(string repositoryName, CancellationToken cancellationToken) => Once("GetLifecyclePolicy", new EcrLifecyclePolicyText { LifecyclePolicyText = "{}" });
        public Task<ImageScanningConfiguration> PutImageScanningConfigurationAsync(string repositoryName, ImageScanningConfiguration configuration, CancellationToken cancellationToken) => Once("PutImageScanningConfiguration", configuration);
        public Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(IReadOnlyList<string> repositoryNames, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<EcrAuthorizationData> GetAuthorizationTokenAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<BatchGetImageResponse> BatchGetImageAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<EcrImage> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
