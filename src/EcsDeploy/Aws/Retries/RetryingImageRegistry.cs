namespace EcsDeploy.Aws.Retries;

/// <summary>
/// <see cref="IImageRegistry"/> with every request sent through the environment's <see cref="AwsRetryPolicy"/>.
/// A blob upload is re-sent from where its stream started; a stream that cannot seek is sent once, without retries.
/// </summary>
internal sealed class RetryingImageRegistry(IImageRegistry inner, AwsRetryPolicy policy) : IImageRegistry
{
    public string Host => inner.Host;

    /// <summary>The registry client this one retries.</summary>
    internal IImageRegistry Inner => inner;

    public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken)
        => policy.ExecuteAsync("BlobExists", idempotent: true, ct => inner.BlobExistsAsync(repository, digest, ct), cancellationToken);

    public Task PushBlobAsync(string repository, string digest, Stream content, long length, CancellationToken cancellationToken)
        => RewindingAsync("PushBlob", content, ct => inner.PushBlobAsync(repository, digest, content, length, ct), cancellationToken);

    public Task<string> PutManifestAsync(string repository, string reference, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        => policy.ExecuteAsync("PutManifest", idempotent: true, ct => inner.PutManifestAsync(repository, reference, mediaType, content, ct), cancellationToken);

    public Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
        => policy.ExecuteAsync("GetManifest", idempotent: true, ct => inner.GetManifestAsync(repository, reference, ct), cancellationToken);

    public Task<bool> MountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken)
        => policy.ExecuteAsync("MountBlob", idempotent: true, ct => inner.MountBlobAsync(repository, digest, fromRepository, ct), cancellationToken);

    public Task<long> GetBlobAsync(string repository, string digest, Stream destination, CancellationToken cancellationToken)
    {
        // A retry starts the blob again: a seekable destination is cut back to where it started; any other is read once.
        if (!destination.CanSeek)
        {
            return inner.GetBlobAsync(repository, digest, destination, cancellationToken);
        }
        var start = destination.Position;
        return policy.ExecuteAsync("GetBlob", idempotent: true, ct =>
        {
            destination.SetLength(start);
            destination.Position = start;
            return inner.GetBlobAsync(repository, digest, destination, ct);
        }, cancellationToken);
    }

    private Task RewindingAsync(string operation, Stream content, Func<CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        if (!content.CanSeek)
        {
            return send(cancellationToken);
        }
        var start = content.Position;
        var first = true;
        return policy.ExecuteAsync(operation, idempotent: true, ct =>
        {
            if (!first)
            {
                content.Position = start;
            }
            first = false;
            return send(ct);
        }, cancellationToken);
    }
}
