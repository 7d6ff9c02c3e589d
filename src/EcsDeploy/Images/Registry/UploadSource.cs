using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace EcsDeploy.Images.Registry;

/// <summary>
/// The content of one blob upload, read from the caller's stream in buffers of at most
/// <see cref="BufferSize"/> (never held whole in memory) and counted as sent. The registry verifies the digest the
/// upload names (the distribution spec asks it to), so content that can be read again (a seekable stream: a file) is
/// not hashed on the way: only when the registry refuses the upload, to tell a wrong digest from another failure.
/// Content that can be read once only is hashed as it goes (once: a replayed chunk is not hashed twice).
/// </summary>
internal sealed class UploadSource : IDisposable
{
    private readonly Stream _stream;
    private readonly long _origin;
    private readonly IncrementalHash? _hash;
    private readonly RegistryTransferCounters _counters;
    private readonly string _expectedDigest;
    private long _position;
    private long _hashedUpTo;
    private string? _digest;

    /// <summary>The largest read from the caller's stream and write to the connection: 1 MiB, per upload in flight.</summary>
    public const int BufferSize = 1024 * 1024;

    public UploadSource(Stream stream, long length, string expectedDigest, RegistryTransferCounters counters)
    {
        _stream = stream;
        Length = length;
        _expectedDigest = expectedDigest;
        _counters = counters;
        _origin = stream.CanSeek ? stream.Position : 0;
        // A stream that can be read again is hashed only if the registry refuses it (ActualDigestAsync).
        _hash = stream.CanSeek ? null : OciDigest.CreateHash(expectedDigest);
    }

    public long Length { get; }

    /// <summary>Whether a chunk can be sent again after a failed attempt (the stream can seek back).</summary>
    public bool Replayable => _stream.CanSeek;

    /// <summary>Whether the content was hashed as it was read, and every byte has been read: <see cref="Digest"/> is known.</summary>
    public bool Complete => _hash is not null && _hashedUpTo == Length;

    /// <summary>The digest of the content read, once <see cref="Complete"/>.</summary>
    public string Digest
    {
        get
        {
            if (!Complete)
            {
                throw new InvalidOperationException("The blob content has not been hashed to its end.");
            }
            return _digest ??= OciDigest.Format(_expectedDigest, _hash!.GetHashAndReset());
        }
    }

    /// <summary>
    /// The digest of the content, when it can be known: hashed on the way, or read again from the start (a seekable
    /// stream, after the registry refused the upload). Null when neither is possible.
    /// </summary>
    public async Task<string?> ActualDigestAsync(CancellationToken cancellationToken)
    {
        if (Complete)
        {
            return Digest;
        }
        if (!_stream.CanSeek)
        {
            return null;
        }
        using var hash = OciDigest.CreateHash(_expectedDigest);
        _stream.Position = _origin;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(BufferSize, Math.Max(1, Length)));
        try
        {
            for (long done = 0; done < Length;)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, Length - done)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                hash.AppendData(buffer, 0, read);
                done += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            _position = Length;
            _stream.Position = _origin + Length;
        }
        return OciDigest.Format(_expectedDigest, hash.GetHashAndReset());
    }

    /// <summary>Content for the bytes [offset, offset + count) with Content-Length and application/octet-stream.</summary>
    public HttpContent CreateContent(long offset, long count)
    {
        var content = new StreamContent(new ChunkStream(this, offset, count), (int)Math.Clamp(count, 1, BufferSize));
        content.Headers.ContentLength = count;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private void MoveTo(long offset)
    {
        if (offset == _position)
        {
            return;
        }
        if (!_stream.CanSeek)
        {
            throw new InvalidOperationException("The blob stream cannot seek, so a chunk cannot be sent again.");
        }
        _stream.Position = _origin + offset;
        _position = offset;
    }

    private async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        MoveTo(offset);
        var read = await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new EndOfStreamException($"The blob stream ended after {_position} of the {Length} bytes announced.");
        }
        var end = _position + read;
        if (end > _hashedUpTo)
        {
            var skip = (int)(_hashedUpTo - _position);
            _hash?.AppendData(buffer.Span[skip..read]);
            _hashedUpTo = end;
        }
        _position = end;
        _counters.AddBytesSent(read, blob: true);
        return read;
    }

    public void Dispose() => _hash?.Dispose();

    /// <summary>A read-only, forward-only view of [offset, offset + count) of the source; disposing it leaves the source open.</summary>
    private sealed class ChunkStream(UploadSource source, long offset, long count) : Stream
    {
        private long _done;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => count;
        public override long Position { get => _done; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var remaining = count - _done;
            if (remaining <= 0 || buffer.Length == 0)
            {
                return 0;
            }
            var slice = buffer.Length > remaining ? buffer[..(int)remaining] : buffer;
            var read = await source.ReadAsync(offset + _done, slice, cancellationToken).ConfigureAwait(false);
            _done += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
