namespace EcsDeploy.Images.Registry;

/// <summary>
/// What a registry client sent and received, counted as it goes (thread-safe), so a benchmark can report the
/// requests and bytes of a push, a re-push or a retag.
/// </summary>
public sealed class RegistryTransferCounters
{
    private long _requests;
    private long _bytesSent;
    private long _blobBytesSent;
    private long _bytesReceived;
    private long _blobsUploaded;
    private long _blobsMounted;
    private long _tokenRequests;

    /// <summary>HTTP requests sent to the registry, including retries after an auth challenge, excluding token requests.</summary>
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>Request body bytes sent (blobs and manifests).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    /// <summary>Blob bytes sent (layer and config uploads only).</summary>
    public long BlobBytesSent => Interlocked.Read(ref _blobBytesSent);
    /// <summary>Response body bytes read (manifests, blobs, tag lists).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    /// <summary>Blob uploads completed.</summary>
    public long BlobsUploaded => Interlocked.Read(ref _blobsUploaded);
    /// <summary>Blobs mounted from another repository without upload.</summary>
    public long BlobsMounted => Interlocked.Read(ref _blobsMounted);
    /// <summary>Requests to the token service (bearer auth).</summary>
    public long TokenRequests => Interlocked.Read(ref _tokenRequests);

    /// <summary>A copy of the current values.</summary>
    public RegistryTransferSnapshot Snapshot() =>
        new(Requests, BytesSent, BlobBytesSent, BytesReceived, BlobsUploaded, BlobsMounted, TokenRequests);

    /// <summary>Sets every counter back to zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _bytesSent, 0);
        Interlocked.Exchange(ref _blobBytesSent, 0);
        Interlocked.Exchange(ref _bytesReceived, 0);
        Interlocked.Exchange(ref _blobsUploaded, 0);
        Interlocked.Exchange(ref _blobsMounted, 0);
        Interlocked.Exchange(ref _tokenRequests, 0);
    }

    internal void AddRequest() => Interlocked.Increment(ref _requests);
    internal void AddBytesSent(long count, bool blob)
    {
        Interlocked.Add(ref _bytesSent, count);
        if (blob)
        {
            Interlocked.Add(ref _blobBytesSent, count);
        }
    }
    internal void AddBytesReceived(long count) => Interlocked.Add(ref _bytesReceived, count);
    internal void AddBlobUploaded() => Interlocked.Increment(ref _blobsUploaded);
    internal void AddBlobMounted() => Interlocked.Increment(ref _blobsMounted);
    internal void AddTokenRequest() => Interlocked.Increment(ref _tokenRequests);
}

/// <summary>The values of <see cref="RegistryTransferCounters"/> at one moment.</summary>
/// <param name="Requests">HTTP requests to the registry.</param>
/// <param name="BytesSent">Request body bytes sent.</param>
/// <param name="BlobBytesSent">Blob bytes sent.</param>
/// <param name="BytesReceived">Response body bytes read.</param>
/// <param name="BlobsUploaded">Blob uploads completed.</param>
/// <param name="BlobsMounted">Blobs mounted.</param>
/// <param name="TokenRequests">Token service requests.</param>
public sealed record RegistryTransferSnapshot(long Requests, long BytesSent, long BlobBytesSent, long BytesReceived, long BlobsUploaded, long BlobsMounted, long TokenRequests)
{
    /// <summary>The difference between this snapshot and an earlier one.</summary>
    public RegistryTransferSnapshot Since(RegistryTransferSnapshot earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new(Requests - earlier.Requests, BytesSent - earlier.BytesSent, BlobBytesSent - earlier.BlobBytesSent,
            BytesReceived - earlier.BytesReceived, BlobsUploaded - earlier.BlobsUploaded, BlobsMounted - earlier.BlobsMounted,
            TokenRequests - earlier.TokenRequests);
    }
}
