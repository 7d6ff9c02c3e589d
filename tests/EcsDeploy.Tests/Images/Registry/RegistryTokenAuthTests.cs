using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Tests.Images.Registry;

/// <summary>
/// The real CNCF registry configured for token auth, with a token service in the test (HttpListener on 127.0.0.1)
/// that checks basic credentials and issues RS256 JWTs signed by a certificate the registry trusts.
/// User <c>pusher</c> gets every action asked for; user <c>reader</c> gets only pull.
/// </summary>
public sealed class TokenRegistryFixture : IAsyncLifetime
{
    public const string Service = "ecsdeploy-token-registry";
    public const string Issuer = "ecsdeploy-test-token-issuer";
    public const string Password = "T0ken-Pa55!";

    private readonly RSA _key = RSA.Create(2048);
    private X509Certificate2? _certificate;
    private string? _bundle;

    internal StubServer TokenServer { get; private set; } = null!;
    public RegistryFixture Registry { get; private set; } = null!;

    public OciRegistryClient CreateClient(string user = "pusher", string password = Password) =>
        new(Registry.Address, new RegistryCredentials(user, password));

    public async Task InitializeAsync()
    {
        var request = new CertificateRequest("CN=ecsdeploy test token signer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        _certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        TokenServer = new StubServer(Issue);
        var bundle = _bundle = Path.Combine(Path.GetTempPath(), $"ecsdeploy-token-bundle-{TokenServer.Port}.pem");
        await File.WriteAllTextAsync(bundle, _certificate.ExportCertificatePem());
        Registry = new RegistryFixture(relativeUrls: false, new TokenAuthSettings($"{TokenServer.BaseUrl}/token", Service, Issuer, bundle));
        await Registry.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        TokenServer.Dispose();
        if (_bundle is not null)
        {
            File.Delete(_bundle);
        }
        _certificate?.Dispose();
        _key.Dispose();
    }

    private StubResponse Issue(StubRequest request)
    {
        var user = CheckBasic(request.Authorization);
        if (user is null)
        {
            return StubResponse.Json(401, """{"errors":[{"code":"UNAUTHORIZED","message":"invalid username or password"}]}""");
        }
        if (!request.QueryValues("service").SequenceEqual([Service]))
        {
            return StubResponse.Json(400, """{"errors":[{"code":"UNSUPPORTED","message":"unknown service"}]}""");
        }
        var access = request.QueryValues("scope")
            .SelectMany(scope => scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(scope => scope.Split(':'))
            .Where(parts => parts.Length == 3)
            .Select(parts => new
            {
                type = parts[0],
                name = parts[1],
                actions = parts[2].Split(',').Where(a => user == "pusher" || a == "pull").ToArray(),
            })
            .ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonSerializer.SerializeToUtf8Bytes(new { typ = "JWT", alg = "RS256", x5c = new[] { Convert.ToBase64String(_certificate!.RawData) } });
        var claims = JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = Issuer,
            sub = user,
            aud = Service,
            exp = now + 300,
            nbf = now - 10,
            iat = now,
            jti = Guid.NewGuid().ToString("N"),
            access,
        });
        var signingInput = Base64Url(header) + "." + Base64Url(claims);
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var token = signingInput + "." + Base64Url(signature);
        return StubResponse.Json(200, JsonSerializer.Serialize(new { token, expires_in = 300 }));
    }

    private static string? CheckBasic(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }
        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
        return pair is "pusher:" + Password or "reader:" + Password ? pair[..pair.IndexOf(':')] : null;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The bearer-token challenge flow against the real registry.</summary>
public sealed class RegistryTokenAuthTests(TokenRegistryFixture fixture) : IClassFixture<TokenRegistryFixture>
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task PushAndRead_WithBearerTokens_SkopeoSeesTheImageThroughTheSameTokenService()
    {
        using var client = fixture.CreateClient();
        var image = TestImage.Create("token-push", false, 3000, 5000);

        var pushed = await client.PushImageAsync("t/token", image.ManifestMediaType, image.Manifest, image.Blobs, ["v1"], null, Ct);
        var read = await client.GetManifestAsync("t/token", "v1", Ct);

        Assert.Equal(image.Digest, pushed.Digest);
        Assert.Equal(image.Digest, read?.Digest);
        // The first HEAD is challenged for pull, the first upload for pull,push; that token then serves every request.
        Assert.Equal(2, client.Counters.TokenRequests);
        // The registry names the actions in either order (push,pull or pull,push).
        var tokenRequest = Assert.Single(fixture.TokenServer.Requests, r => r.QueryValues("scope") is ["repository:t/token:pull,push" or "repository:t/token:push,pull"]);
        Assert.Equal([TokenRegistryFixture.Service], tokenRequest.QueryValues("service"));
        var inspect = await Tools.RunAsync("skopeo", ["inspect", "--tls-verify=false", "--creds", $"pusher:{TokenRegistryFixture.Password}", $"docker://{fixture.Registry.Address}/t/token:v1"]);
        using var json = JsonDocument.Parse(inspect);
        Assert.Equal(image.Digest, json.RootElement.GetProperty("Digest").GetString());
    }

    [Fact]
    public async Task ConcurrentRequests_ChallengedTogether_ShareOneTokenFetch()
    {
        using var client = fixture.CreateClient();
        var digests = Enumerable.Range(0, 8).Select(i => OciDigest.Compute(Encoding.UTF8.GetBytes($"absent-{i}"))).ToList();

        var exists = await Task.WhenAll(digests.Select(d => client.BlobExistsAsync("t/token-concurrent", d, Ct)));

        Assert.All(exists, Assert.False);
        Assert.Equal(1, client.Counters.TokenRequests);
    }

    [Fact]
    public async Task Ping_WithBearerTokens_ReportsBearerScheme()
    {
        using var client = fixture.CreateClient();

        var ping = await client.PingAsync(Ct);

        Assert.Equal("Bearer", ping.AuthScheme);
        Assert.Equal("registry/2.0", ping.ApiVersion);
    }

    [Fact]
    public async Task Mount_WithBearerTokens_GetsPullOnTheSourceRepositoryAndMovesNoBytes()
    {
        using var client = fixture.CreateClient();
        var content = TestImage.PseudoRandom("token-mount", 40_000);
        var digest = OciDigest.Compute(content);
        await client.PushBlobAsync("t/token-src", digest, new MemoryStream(content), content.Length, Ct);

        var before = client.Counters.Snapshot();
        var mounted = await client.MountBlobAsync("t/token-dst", digest, "t/token-src", Ct);

        Assert.True(mounted);
        Assert.Equal(0, client.Counters.Snapshot().Since(before).BytesSent);
        Assert.True(await client.BlobExistsAsync("t/token-dst", digest, Ct));
    }

    [Fact]
    public async Task WrongPassword_TokenServiceRefuses_ClearAuthErrorWithoutPassword()
    {
        const string wrong = "Not-The-T0ken-Pw";
        using var client = fixture.CreateClient(password: wrong);

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(() => client.BlobExistsAsync("t/token", OciDigest.Compute("x"u8), Ct));

        Assert.Contains("token service refused the credentials of user 'pusher'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullOnlyUser_PushIsRefusedAfterOneFreshToken_WithoutLeakingIt()
    {
        using var client = fixture.CreateClient(user: "reader");
        var content = TestImage.PseudoRandom("token-reader", 100);

        var ex = await Assert.ThrowsAsync<RegistryAuthenticationException>(
            () => client.PushBlobAsync("t/token-readonly", OciDigest.Compute(content), new MemoryStream(content), content.Length, Ct));

        Assert.Equal(401, ex.StatusCode);
        Assert.Contains("refused the token obtained with the credentials of user 'reader'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", ex.ToString(), StringComparison.Ordinal); // no JWT in the message
        Assert.Equal(0, client.Counters.BlobBytesSent);
    }
}
