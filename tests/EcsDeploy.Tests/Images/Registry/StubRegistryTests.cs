using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Tests.Images.Registry;

/// <summary>
/// The client against a scripted loopback server: the bearer-token challenge flow (a token service beside a
/// registry that demands tokens), lying registries (digest mismatches), Link pagination, upload Location
/// handling and error mapping.
/// </summary>
public sealed class StubRegistryTests
{
    private const string User = "robot";
    private const string Password = "Sup3r-Secret-Pw";
    private const string Token = "tok-7f3a9c1e5b";
    private static readonly string ExpectedBasic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
    private static CancellationToken Ct => CancellationToken.None;

    private static readonly byte[] Manifest = TestImage.Create("stub", false, 10).Manifest;
    private static readonly string ManifestDigest = OciDigest.Compute(Manifest);

    /// <summary>A registry that wants Bearer tokens from its own /token endpoint, granted for the right basic credentials.</summary>
    private static StubServer BearerRegistry(string tokenField = "token", Func<StubRequest, StubResponse?>? registry = null)
    {
        StubServer? server = null;
        server = new StubServer(request =>
        {
            if (request.Path == "/token")
            {
                return request.Authorization == ExpectedBasic
                    ? StubResponse.Json(200, $$"""{"{{tokenField}}":"{{Token}}","expires_in":300}""")
                    : StubResponse.Error(401, "UNAUTHORIZED", "invalid username or password");
            }
            if (request.Authorization != "Bearer " + Token)
            {
                var scope = request.Path.StartsWith("/v2/team/app/", StringComparison.Ordinal) ? ",scope=\"repository:team/app:pull,push\"" : "";
                return StubResponse.Error(401, "UNAUTHORIZED", "authentication required",
                    ("WWW-Authenticate", $"Bearer realm=\"{server!.BaseUrl}/token\",service=\"stub-registry\"{scope}"));
            }
            return registry?.Invoke(request) ?? request.Path switch
            {
                "/v2/" => StubResponse.Json(200, "{}", ("Docker-Distribution-API-Version", "registry/2.0")),
                "/v2/team/app/manifests/v1" => new StubResponse(200, Manifest, RegistryMediaTypes.OciManifest, [("Docker-Content-Digest", ManifestDigest)]),
                _ => StubResponse.Error(404, "NAME_UNKNOWN", "repository name not known to registry"),
            };
        });
        return server;
    }

    [Fact]
    public async Task BearerChallenge_FetchesTokenWithBasicCredentialsServiceAndScope_RetriesOnce_ThenReusesToken()
    {
        using var server = BearerRegistry();
        using var client = new OciRegistryClient(server.Address, new RegistryCredentials(User, Password));

        var first = await client.GetManifestAsync("team/app", "v1", Ct);
        var second = await client.GetManifestAsync("team/app", "v1", Ct);

        Assert.Equal(ManifestDigest, first?.Digest);
        Assert.Equal(ManifestDigest, second?.Digest);
        Assert.Equal(1, client.Counters.TokenRequests);
        Assert.Equal(3, client.Counters.Requests); // challenged, retried with the token, then the token straight away
        var tokenRequest = Assert.Single(server.Requests, r => r.Path == "/token");
        Assert.Equal(["stub-registry"], tokenRequest.QueryValues("service"));
        Assert.Equal(["repository:team/app:pull,push"], tokenRequest.QueryValues("scope"));
        Assert.Equal(ExpectedBasic, tokenRequest.Authorization);
    }

    [Fact]
    public async Task BearerChallenge_TokenInAccessTokenField_IsUsed()
    {
        using var server = BearerRegistry(tokenField: "access_token");
        using var client = new OciRegistryClient(server.Address, new RegistryCredentials(User, Password));

        var ping = await client.PingAsync(Ct);

        Assert.Equal("Bearer", ping.AuthScheme);
        Assert.Equal("registry/2.0", ping.ApiVersion);
    }

    [Fact]
    public async Task BearerChallenge_TokenServiceRefusesPassword_ThrowsAuthErrorWithoutPassword()
    {
        const string wrong = "Wrong-Pw-123456";
        using var server = BearerRegistry();
        using var client = new OciRegistryClient(server.Address, new RegistryCredentials(User, wrong));

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.GetManifestAsync("team/app", "v1", Ct));

        Assert.Equal("GetManifest", ex.Operation);
        Assert.Equal(401, ex.StatusCode);
        Assert.Contains("token service refused the credentials of user 'robot'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{wrong}")), ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BearerChallenge_TokenRefusedByRegistry_FailsAfterOneRetryWithoutLeakingToken()
    {
        // The registry rejects even fresh tokens and echoes the token in its message.
        StubServer? server = null;
        server = new StubServer(request => request.Path == "/token"
            ? StubResponse.Json(200, $$"""{"token":"{{Token}}"}""")
            : StubResponse.Error(401, "UNAUTHORIZED", $"token {Token} has insufficient scope",
                ("WWW-Authenticate", $"Bearer realm=\"{server!.BaseUrl}/token\",service=\"s\",scope=\"repository:team/app:pull\"")));
        using (server)
        {
            using var client = new OciRegistryClient(server.Address, new RegistryCredentials(User, Password));

            var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.BlobExistsAsync("team/app", ManifestDigest, Ct));

            Assert.Equal(2, client.Counters.Requests);
            Assert.Equal(1, client.Counters.TokenRequests);
            Assert.DoesNotContain(Token, ex.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MountBlob_UnderBearerAuth_AsksForPullScopeOnSourceRepository()
    {
        using var server = BearerRegistry(registry: request => request.Method == "POST" && request.Path == "/v2/team/app/blobs/uploads/"
            ? StubResponse.Empty(201, ("Docker-Content-Digest", ManifestDigest), ("Location", $"/v2/team/app/blobs/{ManifestDigest}"))
            : null);
        using var client = new OciRegistryClient(server.Address, new RegistryCredentials(User, Password));

        Assert.True(await client.MountBlobAsync("team/app", ManifestDigest, "team/base", Ct));

        var tokenRequest = Assert.Single(server.Requests, r => r.Path == "/token");
        Assert.Equal(["repository:team/app:pull,push", "repository:team/base:pull"], tokenRequest.QueryValues("scope"));
        var mount = server.Requests.Last();
        Assert.Equal([ManifestDigest], mount.QueryValues("mount"));
        Assert.Equal(["team/base"], mount.QueryValues("from"));
    }

    [Fact]
    public async Task GetManifest_ByTag_WhenBytesDoNotMatchDockerContentDigest_ThrowsDigestMismatch()
    {
        var lie = OciDigest.Compute("something else"u8);
        using var server = new StubServer(_ => new StubResponse(200, Manifest, RegistryMediaTypes.OciManifest, [("Docker-Content-Digest", lie)]));
        using var client = new OciRegistryClient(server.Address);

        var ex = await Assert.ThrowsAsync<RegistryDigestMismatchException>(() => client.GetManifestAsync("team/app", "v1", Ct));

        Assert.Equal(lie, ex.ExpectedDigest);
        Assert.Equal(ManifestDigest, ex.ActualDigest);
        Assert.Equal("DIGEST_MISMATCH", ex.ErrorCode);
    }

    [Fact]
    public async Task GetManifest_ByDigest_WhenBytesDoNotMatchReference_ThrowsDigestMismatch()
    {
        var tampered = Manifest.ToArray();
        tampered[^2] ^= 1;
        using var server = new StubServer(_ => new StubResponse(200, tampered, RegistryMediaTypes.OciManifest));
        using var client = new OciRegistryClient(server.Address);

        var ex = await Assert.ThrowsAsync<RegistryDigestMismatchException>(() => client.GetManifestAsync("team/app", ManifestDigest, Ct));

        Assert.Equal(ManifestDigest, ex.ExpectedDigest);
    }

    [Fact]
    public async Task GetManifest_SendsAcceptForOciAndDockerManifestsAndIndexes()
    {
        using var server = new StubServer(_ => new StubResponse(200, Manifest, RegistryMediaTypes.OciManifest));
        using var client = new OciRegistryClient(server.Address);

        await client.GetManifestAsync("team/app", "v1", Ct);

        var accept = Assert.Single(server.Requests).Accept!;
        foreach (var type in new[] { RegistryMediaTypes.OciManifest, RegistryMediaTypes.OciIndex, RegistryMediaTypes.DockerManifest, RegistryMediaTypes.DockerManifestList })
        {
            Assert.Contains(type, accept, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetBlob_WhenBytesDoNotMatchDigest_ThrowsDigestMismatch()
    {
        var claimed = OciDigest.Compute("the real layer"u8);
        using var server = new StubServer(_ => new StubResponse(200, "a corrupted layer"u8.ToArray(), "application/octet-stream"));
        using var client = new OciRegistryClient(server.Address);

        var ex = await Assert.ThrowsAsync<RegistryDigestMismatchException>(() => client.GetBlobAsync("team/app", claimed, Stream.Null, Ct));

        Assert.Equal("GetBlob", ex.Operation);
        Assert.Equal(OciDigest.Compute("a corrupted layer"u8), ex.ActualDigest);
    }

    [Fact]
    public async Task ListTags_FollowsRelativeAndAbsoluteLinkHeadersAcrossPages()
    {
        StubServer? server = null;
        server = new StubServer(request => request.QueryValues("last") switch
        {
            [] => StubResponse.Json(200, """{"name":"team/app","tags":["a","b"]}""", ("Link", "</v2/team/app/tags/list?n=2&last=b>; rel=\"next\"")),
            ["b"] => StubResponse.Json(200, """{"name":"team/app","tags":["c","d"]}""", ("Link", $"<{server!.BaseUrl}/v2/team/app/tags/list?n=2&last=d>; rel=\"next\"")),
            _ => StubResponse.Json(200, """{"name":"team/app","tags":["e"]}"""),
        });
        using (server)
        {
            using var client = new OciRegistryClient(server.Address, options: new OciRegistryClientOptions { TagPageSize = 2 });

            var tags = await client.ListTagsAsync("team/app", Ct);

            Assert.Equal(["a", "b", "c", "d", "e"], tags);
            Assert.Equal(3, server.Requests.Count);
            Assert.Equal(["2"], server.Requests.First().QueryValues("n"));
        }
    }

    [Fact]
    public async Task ChunkedUpload_FollowsEachLocation_RelativeOrAbsolute_KeepingItsQuery_AndSendsContentRanges()
    {
        var content = TestImage.PseudoRandom("stub-chunks", 2500);
        var digest = OciDigest.Compute(content);
        var received = new MemoryStream();
        StubServer? server = null;
        server = new StubServer(request =>
        {
            switch (request.Method)
            {
                case "POST":
                    return StubResponse.Empty(202, ("Location", "/upload/s1?_state=one"));
                case "PATCH":
                    received.Write(request.Body);
                    var next = request.QueryValues("_state")[0] == "one" ? "two" : "three";
                    // Alternate relative and absolute Locations.
                    var location = next == "two" ? $"{server!.BaseUrl}/upload/s2?_state=two" : "/upload/s3?_state=three";
                    return StubResponse.Empty(202, ("Location", location), ("Range", $"0-{received.Length - 1}"));
                case "PUT":
                    return request.QueryValues("digest").SequenceEqual([OciDigest.Compute(received.ToArray())])
                        ? StubResponse.Empty(201, ("Docker-Content-Digest", digest))
                        : StubResponse.Error(400, "DIGEST_INVALID", "provided digest did not match uploaded content");
                default:
                    return StubResponse.Error(405, "UNSUPPORTED", "no");
            }
        });
        using (server)
        {
            using var client = new OciRegistryClient(server.Address, options: new OciRegistryClientOptions { ChunkedUploadThreshold = 1000, ChunkSize = 1000 });

            await client.PushBlobAsync("team/app", digest, new MemoryStream(content), content.Length, Ct);

            var requests = server.Requests.ToArray();
            Assert.Equal(["POST", "PATCH", "PATCH", "PATCH", "PUT"], requests.Select(r => r.Method));
            Assert.Equal(["0-999", "1000-1999", "2000-2499"], requests.Where(r => r.Method == "PATCH").Select(r => r.ContentRange));
            Assert.Equal(["/upload/s1?_state=one", "/upload/s2?_state=two", "/upload/s3?_state=three"], requests.Where(r => r.Method == "PATCH").Select(r => r.PathAndQuery));
            Assert.Equal(["three"], requests[^1].QueryValues("_state"));
            Assert.Empty(requests[^1].Body);
            Assert.Equal(content, received.ToArray());
            Assert.Equal(content.Length, client.Counters.BlobBytesSent);
        }
    }

    [Fact]
    public async Task ChunkedUpload_RegistryThatDropsLaterChunks_FailsWithRangeMismatchAndCancelsTheSession()
    {
        // ECR's behaviour (aws/containers-roadmap#2831): PATCH answers 201 and the Range stops after the first chunk.
        var content = TestImage.PseudoRandom("ecr-chunks", 3000);
        using var server = new StubServer(request => request.Method switch
        {
            "POST" => StubResponse.Empty(202, ("Location", "/upload/u1")),
            "PATCH" => StubResponse.Empty(201, ("Location", "/upload/u1"), ("Range", "0-999")),
            "DELETE" => StubResponse.Empty(204),
            _ => StubResponse.Error(400, "DIGEST_INVALID", "provided digest did not match uploaded content"),
        });
        using var client = new OciRegistryClient(server.Address, options: new OciRegistryClientOptions { ChunkedUploadThreshold = 1000, ChunkSize = 1000 });

        var ex = await Assert.ThrowsAsync<RegistryException>(
            () => client.PushBlobAsync("team/app", OciDigest.Compute(content), new MemoryStream(content), content.Length, Ct));

        Assert.Equal("RANGE_MISMATCH", ex.ErrorCode);
        Assert.Contains("acknowledged 1000", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["POST", "PATCH", "PATCH", "DELETE"], server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task EcrClient_PushesLargeBlobInOneStreamedPut_NeverInChunks()
    {
        var content = TestImage.PseudoRandom("ecr-large", 33 * 1024 * 1024); // above the generic 32 MiB chunking threshold
        var digest = OciDigest.Compute(content);
        using var server = new StubServer(request => request.Method switch
        {
            _ when request.Authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:ecr-password")) =>
                StubResponse.Error(401, "UNAUTHORIZED", "not authorized", ("WWW-Authenticate", "Basic realm=\"https://ecr\",service=\"ecr.amazonaws.com\"")),
            "POST" => StubResponse.Empty(202, ("Location", "/upload/u1")),
            "PUT" when request.Body.Length == content.Length && request.QueryValues("digest").SequenceEqual([digest]) => StubResponse.Empty(201, ("Docker-Content-Digest", digest)),
            _ => StubResponse.Error(400, "UNSUPPORTED", "unexpected"),
        });
        var authorization = new EcrAuthorizationData(Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:ecr-password")), DateTimeOffset.UnixEpoch, server.BaseUrl);
        using var client = EcrRegistry.CreateClient(authorization);

        await client.PushBlobAsync("team/app", digest, new MemoryStream(content), content.Length, Ct);

        Assert.Equal(["POST", "POST", "PUT"], server.Requests.Select(r => r.Method)); // challenged, then basic from then on
        Assert.Equal(content.Length, client.Counters.BlobBytesSent);
    }

    [Fact]
    public async Task BearerChallenge_RealmOverPlainHttpToNonLoopbackHost_IsRefusedWithoutSendingCredentials()
    {
        using var server = new StubServer(_ => StubResponse.Error(401, "UNAUTHORIZED", "authentication required",
            ("WWW-Authenticate", "Bearer realm=\"http://auth.example.com/token\",service=\"x\"")));
        using var client = new OciRegistryClient(server.Address, new RegistryCredentials(User, Password));

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.PingAsync(Ct));

        Assert.Contains("is not https", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.Counters.TokenRequests);
    }

    [Fact]
    public async Task Upload_LocationOnAnotherHost_GetsNoCredentials()
    {
        using var elsewhere = new StubServer(request => request.Method == "PUT"
            ? StubResponse.Empty(201)
            : StubResponse.Error(405, "UNSUPPORTED", "no"));
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        using var registry = new StubServer(request => request.Authorization != basic
            ? StubResponse.Error(401, "UNAUTHORIZED", "authentication required", ("WWW-Authenticate", "Basic realm=\"r\""))
            : StubResponse.Empty(202, ("Location", $"{elsewhere.BaseUrl}/uploads/u1?sig=abc")));
        using var client = new OciRegistryClient(registry.Address, new RegistryCredentials(User, Password));
        var content = "layer"u8.ToArray();

        await client.PushBlobAsync("team/app", OciDigest.Compute(content), new MemoryStream(content), content.Length, Ct);

        var put = Assert.Single(elsewhere.Requests);
        Assert.Null(put.Authorization);
        Assert.Equal(content, put.Body);
        Assert.Equal(["abc"], put.QueryValues("sig"));
    }

    [Fact]
    public async Task EcrOpener_AsksEcrForATokenAndTalksToTheEndpointItNames()
    {
        using var server = new StubServer(request =>
            request.Authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:from-ecr"))
                ? StubResponse.Json(200, "{}")
                : StubResponse.Error(401, "UNAUTHORIZED", "no", ("WWW-Authenticate", "Basic realm=\"ecr\"")));
        var ecr = new FakeEcr(new EcrAuthorizationData(Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:from-ecr")), DateTimeOffset.UnixEpoch, server.BaseUrl));
        using var http = new HttpClient();

        var registry = await EcrRegistry.Opener(ecr, http)(Ct);

        Assert.Equal(server.Address, registry.Host);
        var ping = await ((OciRegistryClient)registry).PingAsync(Ct);
        Assert.Equal("Basic", ping.AuthScheme);
        Assert.Equal(1, ecr.TokenCalls);
    }

    private sealed class FakeEcr(EcrAuthorizationData authorization) : IEcrApi
    {
        public int TokenCalls { get; private set; }

        public Task<EcrAuthorizationData> GetAuthorizationTokenAsync(CancellationToken cancellationToken)
        {
            TokenCalls++;
            return Task.FromResult(authorization);
        }

        public Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(IReadOnlyList<string> repositoryNames, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<BatchGetImageResponse> BatchGetImageAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<EcrImage> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ImageScanningConfiguration> PutImageScanningConfigurationAsync(string repositoryName, ImageScanningConfiguration configuration, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ImageScanFindingsResult> DescribeImageScanFindingsAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ImageScanStatus> StartImageScanAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<EcrLifecyclePolicyText> GetLifecyclePolicyAsync(string repositoryName, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<EcrLifecyclePolicyText> PutLifecyclePolicyAsync(string repositoryName, string lifecyclePolicyText, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Fact]
    public async Task RegistryErrors_MapToCodesStatusesAndRetryClasses()
    {
        using var server = new StubServer(request => request.Path switch
        {
            var p when p.Contains("throttled", StringComparison.Ordinal) => StubResponse.Error(429, "TOOMANYREQUESTS", "slow down"),
            var p when p.Contains("broken", StringComparison.Ordinal) => StubResponse.Empty(503),
            var p when p.Contains("denied", StringComparison.Ordinal) => StubResponse.Error(403, "DENIED", "requested access to the resource is denied"),
            _ => StubResponse.Error(404, "BLOB_UNKNOWN", "blob unknown to registry"),
        });
        using var client = new OciRegistryClient(server.Address);

        var throttled = await Assert.ThrowsAsync<RegistryException>(() => client.ListTagsAsync("team/throttled", Ct));
        var broken = await Assert.ThrowsAsync<RegistryException>(() => client.ListTagsAsync("team/broken", Ct));
        var denied = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.ListTagsAsync("team/denied", Ct));
        var unknown = await Assert.ThrowsAsync<RegistryException>(() => client.GetBlobAsync("team/app", ManifestDigest, Stream.Null, Ct));

        Assert.Equal(("TOOMANYREQUESTS", 429, true), (throttled.ErrorCode, throttled.StatusCode, throttled.IsThrottling));
        Assert.Equal(("HTTP_503", 503, true), (broken.ErrorCode, broken.StatusCode, broken.IsTransient));
        Assert.Equal(("DENIED", 403), (denied.ErrorCode, denied.StatusCode));
        Assert.Equal(("BLOB_UNKNOWN", 404, "GetBlob", "Registry"), (unknown.ErrorCode, unknown.StatusCode, unknown.Operation, unknown.Service));
        Assert.Contains("blob unknown to registry", unknown.Message, StringComparison.Ordinal);
    }
}
