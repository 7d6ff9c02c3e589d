using System.IO.Pipelines;
using EcsDeploy.Aws;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>How a blob reached the target repository.</summary>
internal enum BlobTransferKind
{
    /// <summary>Uploaded from a local file.</summary>
    Uploaded,
    /// <summary>Mounted from another repository of the same registry: no bytes moved.</summary>
    Mounted,
    /// <summary>Streamed from its own registry into the target (never held whole in memory nor written to disk).</summary>
    Copied,
}

/// <summary>
/// Sends one blob the target repository lacks: a local file is uploaded; a base layer left in its registry is
/// mounted when that registry is the target's, else streamed registry to registry through a small pipe.
/// </summary>
internal static class BlobTransfer
{
    private const long PipeBuffer = 1024 * 1024;

    /// <summary>Sends <paramref name="blob"/> into <paramref name="repository"/> of <paramref name="target"/> (check first that it lacks it).</summary>
    public static async Task<BlobTransferKind> SendAsync(IImageRegistry target, string repository, OciBlob blob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(blob);
        if (blob.Source is not { } source)
        {
            var file = blob.Open();
            await using (file.ConfigureAwait(false))
            {
                await target.PushBlobAsync(repository, blob.Digest, file, blob.Size, cancellationToken).ConfigureAwait(false);
            }
            return BlobTransferKind.Uploaded;
        }
        if (string.Equals(source.Registry.Host, target.Host, StringComparison.OrdinalIgnoreCase)
            && await target.MountBlobAsync(repository, blob.Digest, source.Repository, cancellationToken).ConfigureAwait(false))
        {
            return BlobTransferKind.Mounted;
        }
        await CopyAsync(source, target, repository, blob.Digest, blob.Size, cancellationToken).ConfigureAwait(false);
        return BlobTransferKind.Copied;
    }

    /// <summary>
    /// The pusher's view of an image's blobs: local files are read from disk; remote ones are read from their
    /// registry as the upload goes, and carry their repository for a mount when <paramref name="targetHost"/> is theirs.
    /// </summary>
    public static IReadOnlyList<BlobContent> ToBlobContents(this OciImage image, string targetHost)
    {
        ArgumentNullException.ThrowIfNull(image);
        return [.. image.Blobs.Select(blob =>
        {
            var descriptor = new OciDescriptor(blob.MediaType, blob.Digest, blob.Size);
            if (blob.Source is not { } source)
            {
                return BlobContent.FromFile(descriptor, blob.Path);
            }
            return new BlobContent(descriptor, ct => Task.FromResult(OpenRemote(source, blob.Digest, ct)))
            {
                MountFrom = string.Equals(source.Registry.Host, targetHost, StringComparison.OrdinalIgnoreCase) ? source.Repository : null,
            };
        })];
    }

    private static async Task CopyAsync(RemoteBlobSource source, IImageRegistry target, string repository, string digest, long size, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBuffer, resumeWriterThreshold: PipeBuffer / 2));
        var download = DownloadAsync(source, digest, pipe.Writer, linked.Token);
        try
        {
            var reader = pipe.Reader.AsStream();
            await using (reader.ConfigureAwait(false))
            {
                await target.PushBlobAsync(repository, digest, reader, size, linked.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            await linked.CancelAsync().ConfigureAwait(false);
            try
            {
                await download.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or RegistryException or HttpRequestException or IOException)
            {
                // the upload's error is the one to report
            }
            throw;
        }
        await download.ConfigureAwait(false);
    }

    private static async Task DownloadAsync(RemoteBlobSource source, string digest, PipeWriter writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var stream = writer.AsStream(leaveOpen: true);
            await using (stream.ConfigureAwait(false))
            {
                await source.Registry.GetBlobAsync(source.Repository, digest, stream, cancellationToken).ConfigureAwait(false);
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The reader sees the error (a digest mismatch, a dropped connection) instead of a short stream.
            await writer.CompleteAsync(ex).ConfigureAwait(false);
            throw;
        }
    }

    private static Stream OpenRemote(RemoteBlobSource source, string digest, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBuffer, resumeWriterThreshold: PipeBuffer / 2));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = DownloadAsync(source, digest, pipe.Writer, stop.Token).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        return new StoppingStream(pipe.Reader.AsStream(), stop);
    }

    /// <summary>The pipe's reading end; disposing it (an upload that ended early) stops the download feeding it.</summary>
    private sealed class StoppingStream(Stream inner, CancellationTokenSource stop) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                stop.Cancel();
                stop.Dispose();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);
            stop.Dispose();
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
