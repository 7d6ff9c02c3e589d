using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

public sealed class EndpointTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values)
        => name => values.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("ECS", "https://ecs.eu-central-1.amazonaws.com/")]
    [InlineData("ECR", "https://api.ecr.eu-central-1.amazonaws.com/")]
    [InlineData("ELBv2", "https://elasticloadbalancing.eu-central-1.amazonaws.com/")]
    [InlineData("SecretsManager", "https://secretsmanager.eu-central-1.amazonaws.com/")]
    [InlineData("CloudWatchLogs", "https://logs.eu-central-1.amazonaws.com/")]
    public void Default_IsTheRegionalEndpoint(string service, string expected)
    {
        var (endpoint, overridden) = AwsWireEndpoints.Resolve(Service(service), "eu-central-1", Env());
        Assert.Equal(new Uri(expected), endpoint);
        Assert.False(overridden);
    }

    [Fact]
    public void Iam_IsGlobal_OneEndpointPerPartition_SignedForItsRegion()
    {
        Assert.Equal(new Uri("https://iam.amazonaws.com/"), AwsWireEndpoints.Resolve(AwsWireService.Iam, "eu-central-1", Env()).Endpoint);
        Assert.Equal(new Uri("https://iam.amazonaws.com/"), AwsWireEndpoints.Resolve(AwsWireService.Iam, "ap-southeast-2", Env()).Endpoint);
        Assert.Equal(new Uri("https://iam.cn-north-1.amazonaws.com.cn/"), AwsWireEndpoints.Resolve(AwsWireService.Iam, "cn-northwest-1", Env()).Endpoint);
        Assert.Equal("us-east-1", AwsWireEndpoints.SigningRegion(AwsWireService.Iam, "eu-central-1"));
        Assert.Equal("cn-north-1", AwsWireEndpoints.SigningRegion(AwsWireService.Iam, "cn-northwest-1"));
        Assert.Equal("eu-central-1", AwsWireEndpoints.SigningRegion(AwsWireService.Ecs, "eu-central-1"));
        Assert.Equal(new Uri("http://127.0.0.1:4566/"), AwsWireEndpoints.Resolve(AwsWireService.Iam, "eu-central-1", Env(("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:4566"))).Endpoint);
    }

    [Fact]
    public void ServiceVariable_WinsOverTheGlobalOne_WhichWinsOverTheDefault()
    {
        var env = Env(("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"), ("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "http://localhost:9000/base"),
            ("AWS_ENDPOINT_URL_SECRETS_MANAGER", "https://sm.example.test"), ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://[::1]:7000"));
        Assert.Equal(new Uri("http://127.0.0.1:4566/"), AwsWireEndpoints.Resolve(AwsWireService.Ecs, "eu-central-1", env).Endpoint);
        Assert.Equal(new Uri("http://127.0.0.1:4566/"), AwsWireEndpoints.Resolve(AwsWireService.Ecr, "eu-central-1", env).Endpoint);
        Assert.Equal(new Uri("http://localhost:9000/base/"), AwsWireEndpoints.Resolve(AwsWireService.Elbv2, "eu-central-1", env).Endpoint);
        Assert.Equal(new Uri("https://sm.example.test/"), AwsWireEndpoints.Resolve(AwsWireService.SecretsManager, "eu-central-1", env).Endpoint);
        Assert.Equal(new Uri("http://[::1]:7000/"), AwsWireEndpoints.Resolve(AwsWireService.Logs, "eu-central-1", env).Endpoint);
        Assert.True(AwsWireEndpoints.Resolve(AwsWireService.Logs, "eu-central-1", env).Overridden);
    }

    [Fact]
    public void IgnoreConfiguredEndpointUrls_FallsBackToTheDefault()
    {
        var env = Env(("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));
        Assert.Equal(new Uri("https://ecs.us-east-1.amazonaws.com/"), AwsWireEndpoints.Resolve(AwsWireService.Ecs, "us-east-1", env).Endpoint);
    }

    [Fact]
    public void ChinaRegions_UseTheChinaDomain()
        => Assert.Equal(new Uri("https://ecs.cn-north-1.amazonaws.com.cn/"), AwsWireEndpoints.Resolve(AwsWireService.Ecs, "cn-north-1", Env()).Endpoint);

    [Theory]
    [InlineData("http://ecs.example.com", "plain http for the non-loopback host 'ecs.example.com'")]
    [InlineData("http://10.0.0.5:4566", "plain http for the non-loopback host '10.0.0.5'")]
    [InlineData("ftp://127.0.0.1", "is not an absolute http(s) URL")]
    [InlineData("not a url", "is not an absolute http(s) URL")]
    public void InsecureOrInvalidOverrides_AreRefusedWithTheVariableNamed(string value, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => AwsWireEndpoints.Resolve(AwsWireService.Ecs, "eu-central-1", Env(("AWS_ENDPOINT_URL_ECS", value))));
        Assert.Contains("AWS_ENDPOINT_URL_ECS", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static AwsWireService Service(string name) => new[] { AwsWireService.Ecs, AwsWireService.Ecr, AwsWireService.Elbv2, AwsWireService.SecretsManager, AwsWireService.Logs }.Single(s => s.Name == name);
}
