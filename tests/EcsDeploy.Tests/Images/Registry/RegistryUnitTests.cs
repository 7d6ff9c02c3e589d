using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Tests.Images.Registry;

/// <summary>Parts of the registry client that need no server: addresses, names, challenges, ECR credentials.</summary>
public sealed class RegistryUnitTests
{
    [Theory]
    [InlineData("http://registry.example.com")]
    [InlineData("http://10.0.0.5:5000")]
    public void Constructor_PlainHttpToNonLoopbackHost_IsRefused(string registry)
    {
        var ex = Assert.Throws<ArgumentException>(() => new OciRegistryClient(registry));
        Assert.Contains("only allowed for loopback", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:5000", "http://127.0.0.1:5000/", "127.0.0.1:5000")]
    [InlineData("localhost:5000", "http://localhost:5000/", "localhost:5000")]
    [InlineData("http://[::1]:5000", "http://[::1]:5000/", "[::1]:5000")]
    [InlineData("123456789012.dkr.ecr.eu-central-1.amazonaws.com", "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com/", "123456789012.dkr.ecr.eu-central-1.amazonaws.com")]
    [InlineData("https://registry.example.com:8443/", "https://registry.example.com:8443/", "registry.example.com:8443")]
    public void Constructor_ResolvesSchemeAndHost(string registry, string baseAddress, string host)
    {
        using var client = new OciRegistryClient(registry);
        Assert.Equal(baseAddress, client.BaseAddress.ToString());
        Assert.Equal(host, client.Host);
    }

    [Theory]
    [InlineData("https://registry.example.com/v2")]
    [InlineData("https://user:pw@registry.example.com")]
    [InlineData("ftp://registry.example.com")]
    public void Constructor_UrlWithPathUserOrOtherScheme_IsRefused(string registry) =>
        Assert.Throws<ArgumentException>(() => new OciRegistryClient(registry));

    [Theory]
    [InlineData("../etc")]
    [InlineData("Team/App")]
    [InlineData("team/app/")]
    [InlineData("team//app")]
    public async Task Operations_WithInvalidRepositoryName_AreRefusedBeforeAnyRequest(string repository)
    {
        using var client = new OciRegistryClient("127.0.0.1:9");
        await Assert.ThrowsAsync<ArgumentException>(() => client.BlobExistsAsync(repository, OciDigest.Compute("x"u8), CancellationToken.None));
        Assert.Equal(0, client.Counters.Requests);
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    public void Digest_Malformed_IsInvalid(string digest) => Assert.False(OciDigest.IsValid(digest));

    [Fact]
    public void Digest_OfEmptyContent_IsTheWellKnownSha256() =>
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", OciDigest.Compute([]));

    [Theory]
    [InlineData("v1.2.3", true)]
    [InlineData("0123456789abcdef0123456789abcdef01234567", true)]
    [InlineData("-bad", false)]
    [InlineData(".bad", false)]
    [InlineData("has space", false)]
    public void Tag_Validation(string tag, bool valid) => Assert.Equal(valid, OciReference.IsValidTag(tag));

    [Fact]
    public void Challenge_QuotedScopeWithCommas_IsParsedWhole()
    {
        var parameters = AuthChallenge.ParseParameters(
            "realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:team/app:pull,push\",error=\"insufficient_scope\"");

        Assert.Equal("https://auth.example.com/token", parameters["realm"]);
        Assert.Equal("registry.example.com", parameters["service"]);
        Assert.Equal("repository:team/app:pull,push", parameters["scope"]);
        Assert.Equal("insufficient_scope", parameters["error"]);
    }

    [Fact]
    public void ErrorBody_SeveralErrors_FirstCodeAllMessages()
    {
        var (code, message) = RegistryErrors.Parse(
            """{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:x"},{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}"""u8);

        Assert.Equal("MANIFEST_BLOB_UNKNOWN", code);
        Assert.Equal("blob unknown to registry; manifest invalid", message);
    }

    [Fact]
    public void Credentials_ToString_MasksPassword() =>
        Assert.Equal("AWS:***", new RegistryCredentials("AWS", "hunter2").ToString());

    [Fact]
    public void Ecr_CreateClient_UsesProxyEndpointAndDecodedAwsCredentials()
    {
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:eyJwYXlsb2FkIjoi:with:colons"));
        var data = new EcrAuthorizationData(token, DateTimeOffset.UnixEpoch, "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com");

        var credentials = EcrRegistry.DecodeCredentials(data);
        using var client = EcrRegistry.CreateClient(data);

        Assert.Equal("AWS", credentials.Username);
        Assert.Equal("eyJwYXlsb2FkIjoi:with:colons", credentials.Password);
        Assert.Equal("123456789012.dkr.ecr.eu-central-1.amazonaws.com", client.Host);
        Assert.Equal("https", client.BaseAddress.Scheme);
    }

    [Fact]
    public void Ecr_MalformedToken_ThrowsFormatExceptionWithoutToken()
    {
        var data = new EcrAuthorizationData("not base64 !!secret-token", DateTimeOffset.UnixEpoch, "https://x.dkr.ecr.eu-central-1.amazonaws.com");

        var ex = Assert.Throws<FormatException>(() => EcrRegistry.DecodeCredentials(data));

        Assert.DoesNotContain("secret-token", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifest_ParseOfIndex_IsRefused() =>
        Assert.Throws<FormatException>(() => OciImageManifest.Parse("""{"schemaVersion":2,"manifests":[]}"""u8));
}
