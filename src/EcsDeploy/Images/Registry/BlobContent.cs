using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

/// <summary>A blob to push: its descriptor and how to open its content (opened only when it must be uploaded).</summary>
/// <param name="Descriptor">The blob's media type, digest and size.</param>
/// <param name="OpenAsync">Opens the content for reading from its start.</param>
public sealed record BlobContent(OciDescriptor Descriptor, Func<CancellationToken, Task<Stream>> OpenAsync)
{
    /// <summary>A repository of the same registry to mount this blob from (a base image layer), tried before uploading.</summary>
    public string? MountFrom { get; init; }

    /// <summary>A blob read from a file on disk, streamed (never loaded whole).</summary>
    public static BlobContent FromFile(OciDescriptor descriptor, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new BlobContent(descriptor, _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan)));
    }

    /// <summary>A small blob held in memory (a config).</summary>
    public static BlobContent FromBytes(OciDescriptor descriptor, ReadOnlyMemory<byte> bytes) =>
        new(descriptor, _ => Task.FromResult<Stream>(new MemoryStream(bytes.ToArray(), writable: false)));
}
