using System.Text.Json;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Tests.Images.Registry;

/// <summary>The client against the real CNCF registry (basic auth); skopeo, an independent client, checks the results.</summary>
[Collection(RegistryCollection.Name)]
public sealed class OciRegistryClientTests(RegistryFixture registry)
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Ping_WithBasicCredentials_ReportsApiVersionAndBasicScheme()
    {
        using var client = registry.CreateClient();

        var ping = await client.PingAsync(Ct);

        Assert.Equal("registry/2.0", ping.ApiVersion);
        Assert.Equal("Basic", ping.AuthScheme);
        Assert.Equal(registry.Address, client.Host);
    }

    [Fact]
    public async Task Ping_WithWrongPassword_ThrowsAuthenticationErrorNamingUserButNotPassword()
    {
        const string wrong = "not-the-Pa55word-xyz";
        using var client = registry.CreateClient(credentials: new RegistryCredentials(RegistryFixture.User, wrong));

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.PingAsync(Ct));

        Assert.Equal("Registry", ex.Service);
        Assert.Equal("Ping", ex.Operation);
        Assert.Equal("UNAUTHORIZED", ex.ErrorCode);
        Assert.Equal(401, ex.StatusCode);
        Assert.Contains("refused the credentials of user 'ecsdeploy'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlobExists_WithoutCredentials_ThrowsAuthenticationErrorSayingNoneGiven()
    {
        using var client = new OciRegistryClient(registry.Address);

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(
            () => client.BlobExistsAsync("t/anon", OciDigest.Compute("x"u8), Ct));

        Assert.Contains("no credentials were given", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushImage_Oci_SkopeoSeesSameDigestLayersAndRawManifest()
    {
        using var client = registry.CreateClient();
        var image = TestImage.Create("push-oci", docker: false, 3000, 70_000);

        var result = await client.PushImageAsync("t/push-oci", image.ManifestMediaType, image.Manifest, image.Blobs, ["v1", "latest"], null, Ct);

        Assert.Equal(image.Digest, result.Digest);
        Assert.Equal(3, result.BlobsUploaded);
        using var inspect = JsonDocument.Parse(await registry.SkopeoInspectAsync("t/push-oci:v1"));
        Assert.Equal(image.Digest, inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(image.Layers.Select(l => l.Descriptor.Digest), inspect.RootElement.GetProperty("Layers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("linux", inspect.RootElement.GetProperty("Os").GetString());
        Assert.Equal(["latest", "v1"], inspect.RootElement.GetProperty("RepoTags").EnumerateArray().Select(e => e.GetString()!).Order());
        var raw = await registry.SkopeoInspectAsync("t/push-oci:latest", raw: true);
        Assert.Equal(TestImage.Utf8(image.Manifest), raw.TrimEnd('\n'));
    }

    [Fact]
    public async Task PushImage_DockerSchema2_ReadBackByTagAndDigestWithDockerMediaType()
    {
        using var client = registry.CreateClient();
        var image = TestImage.Create("push-docker", docker: true, 2048);
        await client.PushImageAsync("t/push-docker", image.ManifestMediaType, image.Manifest, image.Blobs, ["v1"], null, Ct);

        var byTag = await client.GetManifestAsync("t/push-docker", "v1", Ct);
        var byDigest = await client.GetManifestAsync("t/push-docker", image.Digest, Ct);

        Assert.NotNull(byTag);
        Assert.NotNull(byDigest);
        Assert.Equal(RegistryMediaTypes.DockerManifest, byTag.MediaType);
        Assert.Equal(image.Digest, byTag.Digest);
        Assert.Equal(image.Manifest, byDigest.Content.ToArray());
        using var inspect = JsonDocument.Parse(await registry.SkopeoInspectAsync("t/push-docker:v1"));
        Assert.Equal(image.Digest, inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(image.Digest, await client.GetManifestDigestAsync("t/push-docker", "v1", Ct));
    }

    [Fact]
    public async Task PushImage_Again_SendsNoBlobBytes_AndOneChangedLayerSendsOnlyThatLayer()
    {
        using var client = registry.CreateClient();
        var first = TestImage.Create("repush", false, 10_000, 20_000);
        await client.PushImageAsync("t/repush", first.ManifestMediaType, first.Manifest, first.Blobs, ["v1"], null, Ct);

        var before = client.Counters.Snapshot();
        var again = await client.PushImageAsync("t/repush", first.ManifestMediaType, first.Manifest, first.Blobs, ["v1"], null, Ct);
        var repush = client.Counters.Snapshot().Since(before);

        Assert.Equal(0, again.BlobsUploaded);
        Assert.Equal(3, again.BlobsSkipped);
        Assert.Equal(0, repush.BlobBytesSent);
        Assert.Equal(first.Manifest.Length, repush.BytesSent);
        Assert.Equal(4, repush.Requests); // 3 HEAD + 1 PUT manifest

        // Same base layer, new top layer and config.
        var (_, changedLayer) = TestImage.Layer("repush-changed", 5000);
        var changedDescriptor = new OciDescriptor(RegistryMediaTypes.OciLayerGzip, OciDigest.Compute(changedLayer), changedLayer.Length);
        var config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"u8.ToArray();
        var configDescriptor = new OciDescriptor(RegistryMediaTypes.OciConfig, OciDigest.Compute(config), config.Length);
        var manifest = new OciImageManifest(2, RegistryMediaTypes.OciManifest, configDescriptor, [first.Layers[0].Descriptor, changedDescriptor]).ToJsonBytes();
        BlobContent[] blobs = [BlobContent.FromBytes(configDescriptor, config), BlobContent.FromBytes(first.Layers[0].Descriptor, first.Layers[0].Bytes), BlobContent.FromBytes(changedDescriptor, changedLayer)];

        before = client.Counters.Snapshot();
        var changed = await client.PushImageAsync("t/repush", RegistryMediaTypes.OciManifest, manifest, blobs, ["v2"], null, Ct);
        var delta = client.Counters.Snapshot().Since(before);

        Assert.Equal(2, changed.BlobsUploaded);
        Assert.Equal(1, changed.BlobsSkipped);
        Assert.Equal(changedLayer.Length + config.Length, delta.BlobBytesSent);
    }

    [Fact]
    public async Task PushBlob_LargerThanThreshold_UploadsFromDiskInChunksThatSkopeoAndGetBlobReadBack()
    {
        var options = new OciRegistryClientOptions { ChunkedUploadThreshold = 1024 * 1024, ChunkSize = 1024 * 1024 + 7 };
        using var client = registry.CreateClient(options);
        var path = Path.Combine(registry.Directory, "big-layer.bin");
        // A real gzip tar layer (skopeo would recompress anything that does not look compressed).
        var (_, content) = TestImage.Layer("chunked", 5 * 1024 * 1024);
        await File.WriteAllBytesAsync(path, content);
        var digest = OciDigest.Compute(content);
        var descriptor = new OciDescriptor(RegistryMediaTypes.OciLayerGzip, digest, content.Length);
        var chunks = (content.Length + options.ChunkSize - 1) / options.ChunkSize;

        var before = client.Counters.Snapshot();
        await using (var file = File.OpenRead(path))
        {
            await client.PushBlobAsync("t/chunked", digest, file, content.Length, Ct);
        }
        var delta = client.Counters.Snapshot().Since(before);

        Assert.Equal(content.Length, delta.BlobBytesSent);
        // 401 challenge + POST + one PATCH per chunk + final PUT
        Assert.Equal(6, chunks);
        Assert.Equal(1 + 1 + chunks + 1, delta.Requests);
        Assert.True(await client.BlobExistsAsync("t/chunked", digest, Ct));
        using var readBack = new MemoryStream();
        Assert.Equal(content.Length, await client.GetBlobAsync("t/chunked", digest, readBack, Ct));
        Assert.Equal(content, readBack.ToArray());

        // skopeo copies the image holding that blob out to an OCI layout: the blob file is byte-identical.
        var config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"u8.ToArray();
        var configDescriptor = new OciDescriptor(RegistryMediaTypes.OciConfig, OciDigest.Compute(config), config.Length);
        var manifest = new OciImageManifest(2, RegistryMediaTypes.OciManifest, configDescriptor, [descriptor]).ToJsonBytes();
        await client.PushImageAsync("t/chunked", RegistryMediaTypes.OciManifest, manifest, [BlobContent.FromBytes(configDescriptor, config), BlobContent.FromFile(descriptor, path)], ["big"], null, Ct);
        var outDir = Path.Combine(registry.Directory, "chunked-out");
        await registry.SkopeoAsync("copy", "--insecure-policy", "--src-tls-verify=false", "--src-creds", $"{RegistryFixture.User}:{RegistryFixture.Password}",
            $"docker://{registry.Address}/t/chunked:big", $"oci:{outDir}:big");
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(outDir, "blobs", "sha256", digest["sha256:".Length..])));
    }

    [Fact]
    public async Task PushBlob_Chunked_ToRegistryGivingRelativeLocations_Completes()
    {
        var relative = new RegistryFixture(relativeUrls: true);
        await relative.InitializeAsync();
        try
        {
            var recorder = new LocationRecorder();
            using var http = new HttpClient(recorder);
            using var client = new OciRegistryClient(relative.Address, relative.Credentials, http, new OciRegistryClientOptions { ChunkedUploadThreshold = 1000, ChunkSize = 4096 });
            var content = TestImage.PseudoRandom("relative", 20_000);
            var digest = OciDigest.Compute(content);

            await client.PushBlobAsync("t/relative", digest, new MemoryStream(content), content.Length, Ct);

            using var readBack = new MemoryStream();
            await client.GetBlobAsync("t/relative", digest, readBack, Ct);
            Assert.Equal(content, readBack.ToArray());
            Assert.Equal(1 + 5 + 1, recorder.Locations.Count); // POST, 5 PATCH, and the final PUT naming the blob
            Assert.All(recorder.Locations, location => Assert.False(location.IsAbsoluteUri));
        }
        finally
        {
            await relative.DisposeAsync();
        }
    }

    [Fact]
    public async Task PushBlob_ContentNotMatchingDigest_ThrowsDigestMismatchAndStoresNothing()
    {
        using var client = registry.CreateClient(new OciRegistryClientOptions { ChunkedUploadThreshold = 100, ChunkSize = 64 });
        var content = TestImage.PseudoRandom("mismatch", 1000);
        var claimed = OciDigest.Compute(TestImage.PseudoRandom("other", 1000));

        var ex = await Assert.ThrowsAsync<RegistryDigestMismatchException>(
            () => client.PushBlobAsync("t/mismatch", claimed, new MemoryStream(content), content.Length, Ct));

        Assert.Equal(claimed, ex.ExpectedDigest);
        Assert.Equal(OciDigest.Compute(content), ex.ActualDigest);
        Assert.False(await client.BlobExistsAsync("t/mismatch", claimed, Ct));
    }

    [Fact]
    public async Task PushBlob_MonolithicContentNotMatchingDigest_ThrowsDigestMismatchNamingTheActualDigest()
    {
        using var client = registry.CreateClient();
        var content = TestImage.PseudoRandom("mismatch-one-put", 5000);
        var claimed = OciDigest.Compute(TestImage.PseudoRandom("other-one-put", 5000));

        var seekable = await Assert.ThrowsAsync<RegistryDigestMismatchException>(
            () => client.PushBlobAsync("t/mismatch-one", claimed, new MemoryStream(content), content.Length, Ct));
        var readOnce = await Assert.ThrowsAsync<RegistryDigestMismatchException>(
            () => client.PushBlobAsync("t/mismatch-one", claimed, new ReadOnceStream(new MemoryStream(content)), content.Length, Ct));

        Assert.Equal(OciDigest.Compute(content), seekable.ActualDigest);
        Assert.Equal(OciDigest.Compute(content), readOnce.ActualDigest);
        Assert.Equal(claimed, readOnce.ExpectedDigest);
        Assert.False(await client.BlobExistsAsync("t/mismatch-one", claimed, Ct));
    }

    [Fact]
    public async Task PushBlob_FromAFile_ReadsEachByteOnce()
    {
        // The registry verifies the digest: the client neither reads the content twice nor needs to.
        using var client = registry.CreateClient();
        var content = TestImage.PseudoRandom("read-once", 3 * 1024 * 1024 + 17);
        var counting = new CountingStream(new MemoryStream(content));

        await client.PushBlobAsync("t/read-once", OciDigest.Compute(content), counting, content.Length, Ct);

        Assert.Equal(content.Length, counting.BytesRead);
        Assert.True(await client.BlobExistsAsync("t/read-once", OciDigest.Compute(content), Ct));
    }

    [Fact]
    public async Task PushImage_FreshClient_MeetsTheAuthChallengeOnce()
    {
        // Three blobs checked at once by a client that has not talked to the registry yet: one request learns the
        // challenge, the others wait for it and go with credentials (11 requests, not 13).
        using var client = registry.CreateClient();
        var image = TestImage.Create("challenge-once", docker: false, 4000, 9000);

        await client.PushImageAsync("t/challenge-once", image.ManifestMediaType, image.Manifest, image.Blobs, ["v1"], null, Ct);

        Assert.Equal(1 + 3 + 3 + 3 + 1, client.Counters.Requests); // the challenged HEAD, 3 HEAD, 3 POST, 3 PUT, the manifest
    }

    [Fact]
    public async Task PushBlob_StreamShorterThanLength_FailsWithClearError()
    {
        using var client = registry.CreateClient();
        var content = TestImage.PseudoRandom("short", 100);

        var ex = await Assert.ThrowsAnyAsync<Exception>(
            () => client.PushBlobAsync("t/short", OciDigest.Compute(content), new MemoryStream(content, 0, 60), content.Length, Ct));

        Assert.Contains("ended after 60 of the 100 bytes", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MountBlob_FromOtherRepository_MovesNoBytes_AndUnknownBlobFallsBackToUpload()
    {
        using var client = registry.CreateClient();
        var content = TestImage.PseudoRandom("mount", 50_000);
        var digest = OciDigest.Compute(content);
        await client.PushBlobAsync("t/mount-src", digest, new MemoryStream(content), content.Length, Ct);

        var before = client.Counters.Snapshot();
        var mounted = await client.MountBlobAsync("t/mount-dst", digest, "t/mount-src", Ct);
        var delta = client.Counters.Snapshot().Since(before);

        Assert.True(mounted);
        Assert.Equal(0, delta.BytesSent);
        Assert.Equal(1, delta.BlobsMounted);
        Assert.True(await client.BlobExistsAsync("t/mount-dst", digest, Ct));

        var unknown = OciDigest.Compute("never pushed"u8);
        Assert.False(await client.MountBlobAsync("t/mount-dst", unknown, "t/mount-src", Ct));
        Assert.False(await client.BlobExistsAsync("t/mount-dst", unknown, Ct));
    }

    [Fact]
    public async Task SkopeoPushedImage_IsReadVerifiedMountedIntoAnotherRepositoryAndRetagged()
    {
        var image = TestImage.Create("from-skopeo", false, 4000, 9000);
        var layout = Path.Combine(registry.Directory, "layout-from-skopeo");
        image.WriteOciLayout(layout, "v1");
        await registry.SkopeoAsync("copy", "--insecure-policy", "--dest-tls-verify=false", "--dest-creds", $"{RegistryFixture.User}:{RegistryFixture.Password}",
            $"oci:{layout}:v1", $"docker://{registry.Address}/t/skopeo-src:v1");
        using var skopeoInspect = JsonDocument.Parse(await registry.SkopeoInspectAsync("t/skopeo-src:v1"));
        var skopeoDigest = skopeoInspect.RootElement.GetProperty("Digest").GetString()!;
        using var client = registry.CreateClient();

        var read = await client.GetManifestAsync("t/skopeo-src", "v1", Ct);
        Assert.NotNull(read);
        Assert.Equal(skopeoDigest, read.Digest);
        Assert.True(RegistryMediaTypes.IsManifest(read.MediaType));
        var manifest = OciImageManifest.Parse(read.Content.Span);
        foreach (var layer in manifest.Layers)
        {
            using var blob = new MemoryStream();
            await client.GetBlobAsync("t/skopeo-src", layer.Digest, blob, Ct);
            Assert.Equal(layer.Size, blob.Length);
        }

        var before = client.Counters.Snapshot();
        foreach (var blob in manifest.Layers.Append(manifest.Config))
        {
            Assert.True(await client.MountBlobAsync("t/skopeo-dst", blob.Digest, "t/skopeo-src", Ct));
        }
        var copied = await client.PutManifestAsync("t/skopeo-dst", "copied", read.MediaType, read.Content, Ct);
        var retagged = await client.TagAsync("t/skopeo-src", "v1", "0123456789abcdef0123456789abcdef01234567", Ct);
        var delta = client.Counters.Snapshot().Since(before);

        Assert.Equal(skopeoDigest, copied);
        Assert.Equal(skopeoDigest, retagged);
        Assert.Equal(0, delta.BlobBytesSent);
        using var dstInspect = JsonDocument.Parse(await registry.SkopeoInspectAsync("t/skopeo-dst:copied"));
        Assert.Equal(skopeoDigest, dstInspect.RootElement.GetProperty("Digest").GetString());
        using var retagInspect = JsonDocument.Parse(await registry.SkopeoInspectAsync("t/skopeo-src:0123456789abcdef0123456789abcdef01234567"));
        Assert.Equal(skopeoDigest, retagInspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(["0123456789abcdef0123456789abcdef01234567", "v1"], (await client.ListTagsAsync("t/skopeo-src", Ct)).Order());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImageIndex_PushedAndReadByTag_HasIndexMediaTypeAndSkopeoRawMatches(bool docker)
    {
        using var client = registry.CreateClient();
        var repository = docker ? "t/list-docker" : "t/index-oci";
        var amd = TestImage.Create("index-amd64", docker, 1000);
        var arm = TestImage.Create("index-arm64", docker, 1100);
        await client.PushImageAsync(repository, amd.ManifestMediaType, amd.Manifest, amd.Blobs, [], null, Ct);
        await client.PushImageAsync(repository, arm.ManifestMediaType, arm.Manifest, arm.Blobs, [], null, Ct);
        var indexType = docker ? RegistryMediaTypes.DockerManifestList : RegistryMediaTypes.OciIndex;
        var index = new OciImageIndex(2, indexType,
        [
            new OciDescriptor(amd.ManifestMediaType, amd.Digest, amd.Manifest.Length, new OciPlatform("amd64", "linux")),
            new OciDescriptor(arm.ManifestMediaType, arm.Digest, arm.Manifest.Length, new OciPlatform("arm64", "linux", "v8")),
        ]).ToJsonBytes();

        var digest = await client.PutManifestAsync(repository, "multi", indexType, index, Ct);
        var read = await client.GetManifestAsync(repository, "multi", Ct);

        Assert.NotNull(read);
        Assert.Equal(indexType, read.MediaType);
        Assert.True(RegistryMediaTypes.IsIndex(read.MediaType));
        Assert.Equal(digest, read.Digest);
        var parsed = OciImageIndex.Parse(read.Content.Span);
        Assert.Equal([amd.Digest, arm.Digest], parsed.Manifests.Select(m => m.Digest));
        Assert.Equal("v8", parsed.Manifests[1].Platform?.Variant);
        Assert.Equal(TestImage.Utf8(index), (await registry.SkopeoInspectAsync($"{repository}:multi", raw: true)).TrimEnd('\n'));
        Assert.NotNull(await client.GetManifestAsync(repository, arm.Digest, Ct));
    }

    [Fact]
    public async Task GetManifest_UnknownTagOrRepository_ReturnsNull()
    {
        using var client = registry.CreateClient();

        Assert.Null(await client.GetManifestAsync("t/never-pushed", "v1", Ct));
        Assert.Null(await client.GetManifestDigestAsync("t/never-pushed", "v1", Ct));
    }

    [Fact]
    public async Task PutManifest_ReferencingMissingBlob_ThrowsRegistryErrorWithItsCode()
    {
        using var client = registry.CreateClient();
        var image = TestImage.Create("missing-blob", false, 100);

        var ex = await Assert.ThrowsAsync<RegistryException>(
            () => client.PutManifestAsync("t/missing-blob", "v1", image.ManifestMediaType, image.Manifest, Ct));

        Assert.Equal("MANIFEST_BLOB_UNKNOWN", ex.ErrorCode);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal("PutManifest", ex.Operation);
        Assert.Equal("t/missing-blob", ex.Repository);
    }

    [Fact]
    public async Task ListTags_AfterPushUnderFiveTags_ListsEveryTag()
    {
        // Registry 2.8 answers in one page whatever n says; Link pagination is proven against a stub (StubRegistryTests).
        using var client = registry.CreateClient(new OciRegistryClientOptions { TagPageSize = 2 });
        var image = TestImage.Create("tags", false, 100);
        string[] tags = ["a1", "a2", "b1", "b2", "c1"];
        await client.PushImageAsync("t/tags", image.ManifestMediaType, image.Manifest, image.Blobs, tags, null, Ct);

        var before = client.Counters.Snapshot();
        var listed = await client.ListTagsAsync("t/tags", Ct);
        var delta = client.Counters.Snapshot().Since(before);

        Assert.Equal(tags, listed.Order());
        Assert.Equal(1, delta.Requests);
    }

    [Fact]
    public async Task ListTags_UnknownRepository_ThrowsNameUnknown()
    {
        using var client = registry.CreateClient();

        var ex = await Assert.ThrowsAsync<RegistryException>(() => client.ListTagsAsync("t/no-such-repo", Ct));

        Assert.Equal("NAME_UNKNOWN", ex.ErrorCode);
        Assert.Equal(404, ex.StatusCode);
    }
}

/// <summary>Records the Location header of every response.</summary>
internal sealed class LocationRecorder() : DelegatingHandler(new SocketsHttpHandler())
{
    public List<Uri> Locations { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.Location is { } location)
        {
            lock (Locations)
            {
                Locations.Add(location);
            }
        }
        return response;
    }
}
