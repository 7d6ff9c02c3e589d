using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>
/// Simulated Amazon ECR: repositories, images (a manifest with tags), the answers of PutImage (already exists,
/// immutable tags), and an OCI registry behind it that stores blobs by verified sha256 digest.
/// </summary>
public sealed class SimulatedEcr : IEcrApi
{
    private readonly SimulatedAws _aws;
    private readonly Dictionary<string, SimRepository> _repositories = new(StringComparer.Ordinal);

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
        lock (_aws.Gate)
        {
            var repository = new SimRepository(name, immutableTags);
            _repositories[name] = repository;
            return $"{Host}/{name}";
        }
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

    /// <inheritdoc />
    public Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imageIds);
        _aws.Enter("ECR", "DescribeImages");
        lock (_aws.Gate)
        {
            var repository = Repository(repositoryName, "DescribeImages");
            var images = imageIds.Count == 0 ? [.. repository.Images.Values] : imageIds.Select(id => FindImage(repository, id, "DescribeImages")).ToList();
            return Task.FromResult<IReadOnlyList<EcrImageDetail>>([.. images.Select(i => new EcrImageDetail
            {
                RepositoryName = repositoryName,
                ImageDigest = i.Digest,
                ImageTags = [.. i.Tags.Order(StringComparer.Ordinal)],
                ImagePushedAt = i.PushedAt,
                ImageSizeInBytes = i.Size,
                ImageManifestMediaType = i.MediaType,
            })]);
        }
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
            var bytes = Encoding.UTF8.GetBytes(request.ImageManifest);
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (request.ImageDigest is not null && request.ImageDigest != digest)
            {
                throw Error("PutImage", "InvalidParameterException", $"Invalid parameter: the manifest's digest {digest} does not match imageDigest {request.ImageDigest}.");
            }
            var image = PutManifestLocked(repository, bytes, digest, request.ImageManifestMediaType ?? MediaTypeOf(bytes), request.ImageTag, "PutImage", fromApi: true);
            return Task.FromResult(new EcrImage { RepositoryName = request.RepositoryName, ImageId = new ImageIdentifier(image.Digest, request.ImageTag), ImageManifest = request.ImageManifest, ImageManifestMediaType = image.MediaType });
        }
    }

    internal SimImage PutManifestLocked(SimRepository repository, byte[] manifest, string digest, string mediaType, string? tag, string operation, bool fromApi)
    {
        // Every blob the manifest names must already be in the repository.
        using (var json = JsonDocument.Parse(manifest))
        {
            var referenced = new List<string>();
            if (json.RootElement.TryGetProperty("config", out var config))
            {
                referenced.Add(config.GetProperty("digest").GetString()!);
            }
            if (json.RootElement.TryGetProperty("layers", out var layers))
            {
                referenced.AddRange(layers.EnumerateArray().Select(l => l.GetProperty("digest").GetString()!));
            }
            var missing = referenced.Where(d => !repository.Blobs.ContainsKey(d)).ToList();
            if (missing.Count > 0)
            {
                throw Error(operation, fromApi ? "LayersNotFoundException" : "MANIFEST_BLOB_UNKNOWN", $"blob unknown to registry: {missing[0]}");
            }
        }
        var existing = repository.Images.GetValueOrDefault(digest);
        if (tag is not null)
        {
            var holder = repository.Images.Values.FirstOrDefault(i => i.Tags.Contains(tag));
            if (holder is not null && holder.Digest == digest && fromApi)
            {
                throw Error(operation, "ImageAlreadyExistsException", $"Image with digest '{digest}' and tag '{tag}' already exists in the repository with name '{repository.Name}' in registry with id '{_aws.AccountId}'");
            }
            if (holder is not null && holder.Digest != digest)
            {
                if (repository.Immutable)
                {
                    throw Error(operation, "ImageTagAlreadyExistsException", $"The image tag '{tag}' already exists in the '{repository.Name}' repository and cannot be overwritten because the repository is immutable.");
                }
                holder.Tags.Remove(tag);
            }
        }
        if (existing is null)
        {
            long size;
            using (var json = JsonDocument.Parse(manifest))
            {
                size = json.RootElement.TryGetProperty("layers", out var layers) ? layers.EnumerateArray().Sum(l => l.GetProperty("size").GetInt64()) : 0;
            }
            existing = new SimImage(digest, manifest, mediaType, _aws.Clock.GetUtcNow(), size);
            repository.Images[digest] = existing;
        }
        if (tag is not null)
        {
            existing.Tags.Add(tag);
        }
        return existing;
    }

    internal SimRepository Repository(string name, string operation)
        => _repositories.TryGetValue(name, out var repository) ? repository
            : throw Error(operation, "RepositoryNotFoundException", $"The repository with name '{name}' does not exist in the registry with id '{_aws.AccountId}'");

    private SimImage FindImage(SimRepository repository, ImageIdentifier id, string operation)
        => (id.ImageDigest is not null ? repository.Images.GetValueOrDefault(id.ImageDigest) : repository.Images.Values.FirstOrDefault(i => i.Tags.Contains(id.ImageTag!)))
            ?? throw Error(operation, "ImageNotFoundException", $"The image with imageId {{imageDigest:'{id.ImageDigest ?? "null"}', imageTag:'{id.ImageTag ?? "null"}'}} does not exist within the repository with name '{repository.Name}'");

    private AwsServiceException Error(string operation, string code, string message) => new("ECR", operation, code, message, 400, _aws.NewRequestId());

    internal static string MediaTypeOf(byte[] manifest)
    {
        using var json = JsonDocument.Parse(manifest);
        return json.RootElement.TryGetProperty("mediaType", out var mediaType) ? mediaType.GetString()! : "application/vnd.oci.image.manifest.v1+json";
    }

    internal sealed class SimRepository(string name, bool immutable)
    {
        public string Name { get; } = name;
        public bool Immutable { get; } = immutable;
        public Dictionary<string, byte[]> Blobs { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, SimImage> Images { get; } = new(StringComparer.Ordinal);
    }

    internal sealed class SimImage(string digest, byte[] manifest, string mediaType, DateTimeOffset pushedAt, long size)
    {
        public string Digest { get; } = digest;
        public byte[] Manifest { get; } = manifest;
        public string MediaType { get; } = mediaType;
        public DateTimeOffset PushedAt { get; } = pushedAt;
        public long Size { get; } = size;
        public HashSet<string> Tags { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>The simulated registry: blobs by verified digest, manifests through the same store as ECR's API.</summary>
public sealed class SimulatedRegistry : IImageRegistry
{
    private readonly SimulatedEcr _ecr;
    private readonly SimulatedAws _aws;

    internal SimulatedRegistry(SimulatedEcr ecr, SimulatedAws aws)
    {
        _ecr = ecr;
        _aws = aws;
        Password = Convert.ToHexStringLower(BitConverter.GetBytes(aws.Random.NextInt64()));
    }

    /// <summary>The password GetAuthorizationToken hands out.</summary>
    internal string Password { get; }

    /// <summary>Blob bytes received over all uploads (for assertions: a re-push sends none).</summary>
    public long BytesReceived { get; private set; }

    /// <inheritdoc />
    public string Host => _ecr.Host;

    /// <inheritdoc />
    public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        _aws.Enter("Registry", "HeadBlob");
        lock (_aws.Gate)
        {
            return Task.FromResult(_ecr.Repository(repository, "HeadBlob").Blobs.ContainsKey(digest));
        }
    }

    /// <inheritdoc />
    public async Task PushBlobAsync(string repository, string digest, Stream content, long length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        _aws.Enter("Registry", "PutBlob");
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var actual = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != digest || bytes.Length != length)
        {
            throw new AwsServiceException("Registry", "PutBlob", "DIGEST_INVALID", $"provided digest {digest} did not match uploaded content ({actual}, {bytes.Length} bytes)", 400);
        }
        lock (_aws.Gate)
        {
            _ecr.Repository(repository, "PutBlob").Blobs[digest] = bytes;
            BytesReceived += bytes.Length;
        }
    }

    /// <inheritdoc />
    public Task<string> PutManifestAsync(string repository, string reference, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        _aws.Enter("Registry", "PutManifest");
        lock (_aws.Gate)
        {
            var bytes = content.ToArray();
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
            var tag = reference.StartsWith("sha256:", StringComparison.Ordinal) ? null : reference;
            _ecr.PutManifestLocked(_ecr.Repository(repository, "PutManifest"), bytes, digest, mediaType, tag, "PutManifest", fromApi: false);
            return Task.FromResult(digest);
        }
    }

    /// <inheritdoc />
    public Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        _aws.Enter("Registry", "GetManifest");
        lock (_aws.Gate)
        {
            var repo = _ecr.Repository(repository, "GetManifest");
            var image = reference.StartsWith("sha256:", StringComparison.Ordinal) ? repo.Images.GetValueOrDefault(reference) : repo.Images.Values.FirstOrDefault(i => i.Tags.Contains(reference));
            return Task.FromResult(image is null ? null : new RegistryManifest(image.MediaType, image.Manifest, image.Digest));
        }
    }
}
