using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Images;
using EcsDeploy.Testing.Ecr;

namespace EcsDeploy.Testing;

/// <summary>
/// Simulated Amazon ECR: repositories, images (a manifest with tags), the answers of PutImage (already exists,
/// immutable tags), and an OCI registry behind it that stores blobs by verified sha256 digest. Basic scanning: with
/// scan on push, a new image's scan appears <see cref="ScanStartDelay"/> after the push (ScanNotFoundException until
/// then), stays IN_PROGRESS for <see cref="ScanDuration"/>, then ends with the findings set for the image (none by
/// default). Lifecycle policies are validated as ECR validates them and applied, as ECR does asynchronously,
/// <see cref="LifecycleEvaluationDelay"/> after they are set and then every 24 hours of virtual time.
/// </summary>
public sealed partial class SimulatedEcr : IEcrApi
{
    private readonly SimulatedAws _aws;
    private readonly Dictionary<string, SimRepository> _repositories = new(StringComparer.Ordinal);
    private SimScanResult? _defaultNewImageScanResult;

    internal SimulatedEcr(SimulatedAws aws)
    {
        _aws = aws;
        Registry = new SimulatedRegistry(this, aws);
    }

    /// <summary>The registry (OCI distribution API) of the account.</summary>
    public SimulatedRegistry Registry { get; }

    /// <summary>The registry host, <c>ACCOUNT.dkr.ecr.REGION.amazonaws.com</c>.</summary>
    public string Host => $"{_aws.AccountId}.dkr.ecr.{_aws.Region}.amazonaws.com";

    /// <summary>Creates a repository; returns its URI.</summary>
    public string CreateRepository(string name, bool immutableTags = false)
    {
        // ECR's repository name rule: 2-256 characters, lowercase path segments joined by . _ __ or -.
        if (name is null || name.Length is < 2 or > 256
            || !System.Text.RegularExpressions.Regex.IsMatch(name, @"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            throw Error("CreateRepository", "InvalidParameterException", $"Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''");
        }
        lock (_aws.Gate)
        {
            var repository = new SimRepository(name, immutableTags) { NewImageScanResult = _defaultNewImageScanResult };
            _repositories[name] = repository;
            return $"{Host}/{name}";
        }
    }

    /// <summary>How long after a push with scan on push (or StartImageScan) the scan appears (default 2 s).</summary>
    public TimeSpan ScanStartDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a scan stays IN_PROGRESS (default 20 s).</summary>
    public TimeSpan ScanDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long after PutLifecyclePolicy the policy is first applied (ECR: within 24 hours; default 1 hour).</summary>
    public TimeSpan LifecycleEvaluationDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Sets the findings the scan of an image in the repository reports (by severity).</summary>
    public void ScanFindings(string repositoryName, string imageDigest, int critical = 0, int high = 0, int medium = 0, int low = 0, int informational = 0, int undefined = 0)
    {
        lock (_aws.Gate)
        {
            var repository = Repository(repositoryName, "DescribeImageScanFindings");
            repository.ScanResults[imageDigest] = SimScanResult.Complete(critical, high, medium, low, informational, undefined);
        }
    }

    /// <summary>Sets the findings the scans of images pushed to the repository from now on report (by severity).</summary>
    public void ScanFindingsForNewImages(string repositoryName, int critical = 0, int high = 0, int medium = 0, int low = 0, int informational = 0, int undefined = 0)
    {
        lock (_aws.Gate)
        {
            Repository(repositoryName, "DescribeImageScanFindings").NewImageScanResult = SimScanResult.Complete(critical, high, medium, low, informational, undefined);
        }
    }

    /// <summary>Sets the findings the scans of images pushed from now on report, in every repository (repositories created later too).</summary>
    public void ScanFindingsForNewImagesInEveryRepository(int critical = 0, int high = 0, int medium = 0, int low = 0, int informational = 0, int undefined = 0)
    {
        lock (_aws.Gate)
        {
            _defaultNewImageScanResult = SimScanResult.Complete(critical, high, medium, low, informational, undefined);
            foreach (var repository in _repositories.Values)
            {
                repository.NewImageScanResult = _defaultNewImageScanResult;
            }
        }
    }

    /// <summary>Scans of images pushed to the repository from now on end with <paramref name="status"/> (FAILED or UNSUPPORTED_IMAGE).</summary>
    public void ScanStatusForNewImages(string repositoryName, string status, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(status);
        lock (_aws.Gate)
        {
            Repository(repositoryName, "DescribeImageScanFindings").NewImageScanResult = new SimScanResult(status, description, new Dictionary<string, int>());
        }
    }

    /// <summary>Whether the repository scans on push (for assertions).</summary>
    public bool ScanOnPush(string repositoryName)
    {
        lock (_aws.Gate)
        {
            return Repository(repositoryName, "DescribeRepositories").ScanOnPush;
        }
    }

    /// <summary>The repository's lifecycle policy text, or null (for assertions).</summary>
    public string? LifecyclePolicy(string repositoryName)
    {
        lock (_aws.Gate)
        {
            return Repository(repositoryName, "GetLifecyclePolicy").LifecyclePolicyText;
        }
    }

    /// <summary>Pushes an image made of a config blob only (distinct per <paramref name="tag"/>), at the current virtual time, as
    /// another client would (not recorded in <see cref="SimulatedAws.Calls"/>); returns its digest.</summary>
    public string PushTestImage(string repositoryName, string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        using var seeding = _aws.Seeding();
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Labels\":{{\"tag\":\"{tag}\"}}}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[]}}}}");
        var configDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(config));
        lock (_aws.Gate)
        {
            Repository(repositoryName, "PutImage").Blobs[configDigest] = config;
        }
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[]}}");
        return Registry.PutManifestAsync(repositoryName, tag, "application/vnd.oci.image.manifest.v1+json", manifest, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The tags of every image in a repository, by manifest digest (for assertions).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Images(string repositoryName)
    {
        lock (_aws.Gate)
        {
            return Repository(repositoryName, "DescribeImages").Images.ToDictionary(i => i.Key, i => (IReadOnlyList<string>)[.. i.Value.Tags.Order(StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(IReadOnlyList<string> repositoryNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repositoryNames);
        _aws.Enter("ECR", "DescribeRepositories");
        lock (_aws.Gate)
        {
            var names = repositoryNames.Count == 0 ? _repositories.Keys.ToList() : repositoryNames;
            return Task.FromResult<IReadOnlyList<EcrRepository>>([.. names.Select(n => Repository(n, "DescribeRepositories")).Select(r => new EcrRepository
            {
                RepositoryName = r.Name,
                RepositoryArn = _aws.Arn("ecr", $"repository/{r.Name}"),
                RepositoryUri = $"{Host}/{r.Name}",
                ImageTagMutability = r.Immutable ? "IMMUTABLE" : "MUTABLE",
                ImageScanningConfiguration = new ImageScanningConfiguration(r.ScanOnPush),
            })]);
        }
    }

    /// <inheritdoc />
    public Task<EcrAuthorizationData> GetAuthorizationTokenAsync(CancellationToken cancellationToken)
    {
        _aws.Enter("ECR", "GetAuthorizationToken");
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"AWS:{Registry.Password}"));
        return Task.FromResult(new EcrAuthorizationData(token, _aws.Clock.GetUtcNow().AddHours(12), $"https://{Host}"));
    }

    /// <summary>DescribeImages: every page at once (see <see cref="DescribeImagesPage"/> for one page as the wire answers it).</summary>
    public Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken)
    {
        var (images, nextToken) = DescribeImagesPage(repositoryName, imageIds, null, null);
        var all = images.ToList();
        while (nextToken is not null)
        {
            (images, nextToken) = DescribeImagesPage(repositoryName, [], null, nextToken);
            all.AddRange(images);
        }
        return Task.FromResult<IReadOnlyList<EcrImageDetail>>(all);
    }

    /// <inheritdoc />
    public Task<BatchGetImageResponse> BatchGetImageAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imageIds);
        _aws.Enter("ECR", "BatchGetImage");
        lock (_aws.Gate)
        {
            var repository = Repository(repositoryName, "BatchGetImage");
            var found = new List<EcrImage>();
            var failures = new List<EcrImageFailure>();
            foreach (var id in imageIds)
            {
                var image = id.ImageDigest is not null ? repository.Images.GetValueOrDefault(id.ImageDigest) : repository.Images.Values.FirstOrDefault(i => i.Tags.Contains(id.ImageTag!));
                if (image is null)
                {
                    failures.Add(new EcrImageFailure(id, "ImageNotFound", "Requested image not found"));
                }
                else
                {
                    found.Add(new EcrImage { RepositoryName = repositoryName, ImageId = new ImageIdentifier(image.Digest, id.ImageTag), ImageManifest = Encoding.UTF8.GetString(image.Manifest), ImageManifestMediaType = image.MediaType });
                }
            }
            return Task.FromResult(new BatchGetImageResponse(found, failures));
        }
    }

    /// <inheritdoc />
    public Task<EcrImage> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECR", "PutImage");
        lock (_aws.Gate)
        {
            var repository = Repository(request.RepositoryName, "PutImage");
            if (request.ImageTag is { Length: 0 or > 300 })
            {
                throw Error("PutImage", "InvalidParameterException", "1 validation error detected: Value at 'imageTag' failed to satisfy constraint: Member must have length between 1 and 300");
            }
            var bytes = Encoding.UTF8.GetBytes(request.ImageManifest);
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (request.ImageDigest is not null && request.ImageDigest != digest)
            {
                throw Error("PutImage", "ImageDigestDoesNotMatchException", $"The specified image digest {request.ImageDigest} does not match the digest of the image manifest ({digest}).");
            }
            var image = PutManifestLocked(repository, bytes, digest, request.ImageManifestMediaType ?? MediaTypeOf(bytes), request.ImageTag, "PutImage", fromApi: true);
            return Task.FromResult(new EcrImage { RepositoryName = request.RepositoryName, ImageId = new ImageIdentifier(image.Digest, request.ImageTag), ImageManifest = request.ImageManifest, ImageManifestMediaType = image.MediaType });
        }
    }

    /// <inheritdoc />
    public Task<ImageScanningConfiguration> PutImageScanningConfigurationAsync(string repositoryName, ImageScanningConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _aws.Enter("ECR", "PutImageScanningConfiguration");
        lock (_aws.Gate)
        {
            Repository(repositoryName, "PutImageScanningConfiguration").ScanOnPush = configuration.ScanOnPush;
            return Task.FromResult(configuration);
        }
    }

    /// <inheritdoc />
    public Task<ImageScanFindingsResult> DescribeImageScanFindingsAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imageId);
        _aws.Enter("ECR", "DescribeImageScanFindings");
        lock (_aws.Gate)
        {
            var repository = Repository(repositoryName, "DescribeImageScanFindings");
            var image = FindImage(repository, imageId, "DescribeImageScanFindings");
            var now = _aws.Clock.GetUtcNow();
            if (image.ScanStartedAt is not { } started || started > now)
            {
                throw Error("DescribeImageScanFindings", "ScanNotFoundException",
                    $"Image scan does not exist for the image with '{{imageDigest:'{imageId.ImageDigest ?? "null"}', imageTag:'{imageId.ImageTag ?? "null"}'}}' in the repository with name '{repository.Name}' in the registry with id '{_aws.AccountId}'");
            }
            var id = new ImageIdentifier(image.Digest, imageId.ImageTag);
            if (now < started + ScanDuration)
            {
                return Task.FromResult(new ImageScanFindingsResult { RepositoryName = repository.Name, ImageId = id, ImageScanStatus = new ImageScanStatus("IN_PROGRESS", "The scan is in progress.") });
            }
            var result = repository.ScanResults.GetValueOrDefault(image.Digest) ?? image.ScanResult ?? SimScanResult.Complete();
            if (result.Status != "COMPLETE")
            {
                return Task.FromResult(new ImageScanFindingsResult { RepositoryName = repository.Name, ImageId = id, ImageScanStatus = new ImageScanStatus(result.Status, result.Description) });
            }
            return Task.FromResult(result.ToFindings(repository.Name, id, started, started + ScanDuration));
        }
    }

    /// <inheritdoc />
    public Task<ImageScanStatus> StartImageScanAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imageId);
        _aws.Enter("ECR", "StartImageScan");
        lock (_aws.Gate)
        {
            var repository = Repository(repositoryName, "StartImageScan");
            var image = FindImage(repository, imageId, "StartImageScan");
            var now = _aws.Clock.GetUtcNow();
            if (image.ScanStartedAt is { } started && now - started < TimeSpan.FromHours(24))
            {
                throw Error("StartImageScan", "LimitExceededException", "The scan quota per image has been exceeded. Wait and try again.");
            }
            image.ScanStartedAt = now + ScanStartDelay;
            image.ScanResult ??= repository.NewImageScanResult;
            return Task.FromResult(new ImageScanStatus("IN_PROGRESS"));
        }
    }

    /// <inheritdoc />
    public Task<EcrLifecyclePolicyText> GetLifecyclePolicyAsync(string repositoryName, CancellationToken cancellationToken)
    {
        _aws.Enter("ECR", "GetLifecyclePolicy");
        lock (_aws.Gate)
        {
            var repository = Repository(repositoryName, "GetLifecyclePolicy");
            if (repository.LifecyclePolicyText is not { } text)
            {
                throw Error("GetLifecyclePolicy", "LifecyclePolicyNotFoundException", $"Lifecycle policy does not exist for the repository with name '{repository.Name}' in the registry with id '{_aws.AccountId}'");
            }
            return Task.FromResult(new EcrLifecyclePolicyText { RepositoryName = repository.Name, LifecyclePolicyText = text, LastEvaluatedAt = repository.PolicyLastEvaluatedAt });
        }
    }

    /// <inheritdoc />
    public Task<EcrLifecyclePolicyText> PutLifecyclePolicyAsync(string repositoryName, string lifecyclePolicyText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lifecyclePolicyText);
        _aws.Enter("ECR", "PutLifecyclePolicy");
        lock (_aws.Gate)
        {
            var repository = Repository(repositoryName, "PutLifecyclePolicy");
            if (lifecyclePolicyText.Length is < 100 or > 30720)
            {
                throw Error("PutLifecyclePolicy", "ValidationException", $"1 validation error detected: Value at 'lifecyclePolicyText' failed to satisfy constraint: Member must have length between 100 and 30720");
            }
            var problems = new List<string>();
            var rules = EcrLifecyclePolicy.Parse(lifecyclePolicyText, problems);
            if (rules is null)
            {
                throw Error("PutLifecyclePolicy", "InvalidParameterException", $"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: {string.Join(" ", problems)}'");
            }
            repository.LifecyclePolicyText = lifecyclePolicyText;
            repository.LifecycleRules = rules;
            repository.PolicyNextEvaluationAt = _aws.Clock.GetUtcNow() + LifecycleEvaluationDelay;
            return Task.FromResult(new EcrLifecyclePolicyText { RepositoryName = repository.Name, LifecyclePolicyText = lifecyclePolicyText });
        }
    }

    /// <summary>Applies the lifecycle policies that are due (called as the virtual clock moves and on every call).</summary>
    internal void AdvanceWorld()
    {
        lock (_aws.Gate)
        {
            var now = _aws.Clock.GetUtcNow();
            foreach (var repository in _repositories.Values)
            {
                while (repository.LifecycleRules is { } rules && repository.PolicyNextEvaluationAt is { } due && due <= now)
                {
                    var expired = EcrLifecyclePolicy.Expired(rules, repository.Images.Values.Select(i => new LifecycleImage(i.Digest, [.. i.Tags], i.PushedAt)), due);
                    foreach (var image in expired)
                    {
                        repository.Images.Remove(image.Digest);
                        repository.ScanResults.Remove(image.Digest);
                    }
                    repository.ExpiredImages += expired.Count;
                    repository.PolicyLastEvaluatedAt = due;
                    repository.PolicyNextEvaluationAt = due + TimeSpan.FromHours(24);
                }
            }
        }
    }

    internal SimRepository Repository(string name, string operation)
        => _repositories.TryGetValue(name, out var repository) ? repository
            : throw Error(operation, "RepositoryNotFoundException", $"The repository with name '{name}' does not exist in the registry with id '{_aws.AccountId}'");

    private SimImage FindImage(SimRepository repository, ImageIdentifier id, string operation)
        => (id.ImageDigest is not null ? repository.Images.GetValueOrDefault(id.ImageDigest) : repository.Images.Values.FirstOrDefault(i => i.Tags.Contains(id.ImageTag!)))
            ?? throw Error(operation, "ImageNotFoundException", $"The image with imageId {{imageDigest:'{id.ImageDigest ?? "null"}', imageTag:'{id.ImageTag ?? "null"}'}} does not exist within the repository with name '{repository.Name}'");

    private AwsServiceException Error(string operation, string code, string message) => new("ECR", operation, code, message, 400, _aws.NewRequestId());
}
