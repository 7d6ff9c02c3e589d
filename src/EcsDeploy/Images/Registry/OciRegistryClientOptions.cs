namespace EcsDeploy.Images.Registry;

/// <summary>Settings of an <see cref="OciRegistryClient"/>.</summary>
public sealed class OciRegistryClientOptions
{
    /// <summary>Blobs larger than this are uploaded in chunks (PATCH); smaller ones in one PUT. Default 32 MiB.</summary>
    public long ChunkedUploadThreshold { get; set; } = 32L * 1024 * 1024;

    /// <summary>The size of each chunk of a chunked upload. Default 16 MiB (ECR wants at least 5 MiB but the last).</summary>
    public long ChunkSize { get; set; } = 16L * 1024 * 1024;

    /// <summary>The longest any single request may take (a chunk, a manifest, a monolithic upload). Default 10 minutes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The largest manifest or index read into memory. Default 4 MiB (the distribution spec's limit).</summary>
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Page size asked for when listing tags (the registry may answer with fewer). Default 1000.</summary>
    public int TagPageSize { get; set; } = 1000;

    internal void Validate()
    {
        if (ChunkSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "ChunkSize must be positive.");
        }
        if (ChunkedUploadThreshold < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkedUploadThreshold), ChunkedUploadThreshold, "ChunkedUploadThreshold cannot be negative.");
        }
        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "RequestTimeout must be positive.");
        }
        if (MaxManifestBytes < 1 || TagPageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxManifestBytes), "MaxManifestBytes and TagPageSize must be positive.");
        }
    }
}
