using System.Security.Cryptography;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

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

    /// <inheritdoc />
    public async Task<long> GetBlobAsync(string repository, string digest, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _aws.Enter("Registry", "GetBlob");
        byte[] bytes;
        lock (_aws.Gate)
        {
            bytes = _ecr.Repository(repository, "GetBlob").Blobs.GetValueOrDefault(digest)
                ?? throw new AwsServiceException("Registry", "GetBlob", "BLOB_UNKNOWN", $"blob unknown to registry: {digest}", 404);
        }
        await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes.Length;
    }
}
