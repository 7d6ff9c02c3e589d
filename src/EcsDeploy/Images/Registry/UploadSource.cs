using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace EcsDeploy.Images.Registry;

/// <summary>
/// The content of one blob upload, read from the caller's stream in small buffers (never held whole in memory),
/// hashed once as it goes (a replayed chunk is not hashed twice) and counted as sent.
/// </summary>
internal sealed class UploadSource : IDisposable
{
    private readonly Stream _stream;
    private readonly long _origin;
    private readonly IncrementalHash _hash;
    private readonly RegistryTransferCounters _counters;
    private readonly string _expectedDigest;
    private long _position;
    private long _hashedUpTo;
    private string? _digest;

    public UploadSource(Stream stream, long length, string expectedDigest, RegistryTransferCounters counters)
    {
        _stream = stream;
        Length = length;
        _expectedDigest = expectedDigest;
        _counters = counters;
        _hash = OciDigest.CreateHash(expectedDigest);
        _origin = stream.CanSeek ? stream.Position : 0;
    }

    public long Length { get; }

    /// <summary>Whether a chunk can be sent again after a failed attempt (the stream can seek back).</summary>
    public bool Replayable => _stream.CanSeek;

    /// <summary>Whether every byte has been read (and hashed).</summary>
    public bool Complete => _hashedUpTo == Length;

    /// <summary>The digest of the content read, once <see cref="Complete"/>.</summary>
    public string Digest
    {
        get
        {
            if (!Complete)
            {
                throw new InvalidOperationException("The blob content has not been read to its end.");
            }
            return _digest ??= OciDigest.Format(_expectedDigest, _hash.GetHashAndReset());
        }
    }

    /// <summary>Content for the bytes [offset, offset + count) with Content-Length and application/octet-stream.</summary>
    public HttpContent CreateContent(long offset, long count)
    {
        var content = new StreamContent(new ChunkStream(this, offset, count), 256 * 1024);
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
            _hash.AppendData(buffer.Span[skip..read]);
            _hashedUpTo = end;
        }
        _position = end;
        _counters.AddBytesSent(read, blob: true);
        return read;
    }

    public void Dispose() => _hash.Dispose();

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
