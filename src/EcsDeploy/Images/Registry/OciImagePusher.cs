using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

/// <summary>Pushes a whole image: only the blobs the repository lacks, then the manifest under each tag.</summary>
public static class OciImagePusher
{
    /// <summary>How many blobs <see cref="PushImageAsync"/> checks and uploads at once.</summary>
    public const int MaxParallelBlobs = 3;

    /// <summary>
    /// For each blob: skip it when the repository has it (HEAD), else mount it from <paramref name="mountFrom"/> when
    /// given and the registry client can mount, else upload it. Then put the manifest under every tag (or only by
    /// digest when <paramref name="tags"/> is empty). A re-push of an unchanged image sends no blob bytes.
    /// A blob's own <see cref="BlobContent.MountFrom"/> wins over <paramref name="mountFrom"/>. Up to <see cref="MaxParallelBlobs"/> blobs are checked and sent at once, the largest first.
    /// </summary>
    public static async Task<ImagePushResult> PushImageAsync(
        this IImageRegistry registry,
        string repository,
        string manifestMediaType,
        ReadOnlyMemory<byte> manifest,
        IReadOnlyList<BlobContent> blobs,
        IReadOnlyList<string> tags,
        string? mountFrom,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(tags);
        int uploaded = 0, skipped = 0, mounted = 0;
        // Largest first: the longest upload starts at once, the small ones fill the other slots beside it.
        var distinct = blobs.DistinctBy(b => b.Descriptor.Digest, StringComparer.Ordinal).OrderByDescending(b => b.Descriptor.Size).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxParallelBlobs, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(distinct, parallel, async (blob, ct) =>
        {
            var digest = blob.Descriptor.Digest;
            if (await registry.BlobExistsAsync(repository, digest, ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref skipped);
                return;
            }
            var from = blob.MountFrom ?? mountFrom;
            if (from is not null && await registry.MountBlobAsync(repository, digest, from, ct).ConfigureAwait(false))
            {
                Interlocked.Increment(ref mounted);
                return;
            }
            var stream = await blob.OpenAsync(ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await registry.PushBlobAsync(repository, digest, stream, blob.Descriptor.Size, ct).ConfigureAwait(false);
            }
            Interlocked.Increment(ref uploaded);
        }).ConfigureAwait(false);
        var manifestDigest = OciDigest.Compute(manifest.Span);
        if (tags.Count == 0)
        {
            await registry.PutManifestAsync(repository, manifestDigest, manifestMediaType, manifest, cancellationToken).ConfigureAwait(false);
        }
        foreach (var tag in tags)
        {
            manifestDigest = await registry.PutManifestAsync(repository, tag, manifestMediaType, manifest, cancellationToken).ConfigureAwait(false);
        }
        return new ImagePushResult(manifestDigest, tags, uploaded, skipped, mounted);
    }
}
