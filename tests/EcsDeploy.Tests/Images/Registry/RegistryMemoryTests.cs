using EcsDeploy.Images.Registry;

namespace EcsDeploy.Tests.Images.Registry;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RegistryMemoryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry-memory";
}

/// <summary>
/// Uploads stream from disk: what the process allocates while pushing a blob stays far below the blob's size
/// (runs alone, so the process-wide allocation counter sees only this push).
/// </summary>
[Collection(RegistryMemoryCollection.Name)]
public sealed class RegistryMemoryTests(RegistryFixture registry)
{
    private const int BlobSize = 32 * 1024 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PushBlob_32MiBFromDisk_AllocatesLessThanAnEighthOfItsSize(bool chunked)
    {
        var options = chunked
            ? new OciRegistryClientOptions { ChunkedUploadThreshold = 4 * 1024 * 1024, ChunkSize = 4 * 1024 * 1024 }
            : new OciRegistryClientOptions { ChunkedUploadThreshold = long.MaxValue };
        using var client = registry.CreateClient(options);
        var path = Path.Combine(registry.Directory, $"memory-{chunked}.bin");
        string digest;
        await using (var file = File.Create(path))
        {
            var block = TestImage.PseudoRandom("memory" + chunked, 1024 * 1024);
            for (var i = 0; i < BlobSize / block.Length; i++)
            {
                block[0] = (byte)i;
                await file.WriteAsync(block);
            }
        }
        await using (var read = File.OpenRead(path))
        {
            digest = await OciDigest.ComputeAsync(read, CancellationToken.None);
        }
        await client.PingAsync(CancellationToken.None); // warm up connection and auth outside the measure

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            await client.PushBlobAsync("t/memory", digest, file, BlobSize, CancellationToken.None);
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        File.Delete(path);

        Assert.Equal(BlobSize, client.Counters.BlobBytesSent);
        Assert.True(allocated < BlobSize / 8, $"pushing {BlobSize} bytes allocated {allocated} bytes");
        Assert.True(await client.BlobExistsAsync("t/memory", digest, CancellationToken.None));
    }
}
