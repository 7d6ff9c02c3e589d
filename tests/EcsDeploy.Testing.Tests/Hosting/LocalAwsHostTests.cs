using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>The host's own behaviour: routing, refusals, the clock loop and the faults between processes.</summary>
public sealed class LocalAwsHostTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    private static AwsWireTransport Transport(LocalAwsHost host)
        => new(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey), host.Region,
            name => host.EnvironmentVariables.GetValueOrDefault(name));

    [Fact]
    public async Task LoadBalancerNames_AreAnsweredByHostHeaderAndAsAProxy()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var backend = aws.Elbv2.All.Single(lb => lb.LoadBalancerName == "truecaller-backend-alb").DNSName;
        var ollama = aws.Elbv2.All.Single(lb => lb.LoadBalancerName == "truecaller-backend-ollama-alb").DNSName;

        using var direct = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.Endpoint, "/health"));
        request.Headers.Host = backend;
        using var health = await direct.SendAsync(request);
        using var proxied = new HttpClient(host.CreateProxyHandler());
        var tags = await proxied.GetStringAsync(new Uri($"http://{ollama}/api/tags"));
        using var unknown = await proxied.GetAsync(new Uri("http://nowhere.example.invalid/health"));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("{\"status\":\"ok\"}", await health.Content.ReadAsStringAsync());
        Assert.Contains("llama3.2:1b", tags, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadGateway, unknown.StatusCode);
        Assert.Equal(2, host.Statistics.LoadBalancerRequests);
    }

    [Fact]
    public async Task UnsignedCall_IsMissingAuthenticationToken_AndRunsNothing()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        using var http = new HttpClient();
        using var content = new StringContent("{\"cluster\":\"truecaller-backend-cluster\",\"services\":[\"truecaller-backend-service\"]}", Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Endpoint) { Content = content };
        request.Headers.Add("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("MissingAuthenticationTokenException", json.RootElement.GetProperty("__type").GetString());
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        Assert.Empty(aws.CallsTo("DescribeServices"));
    }

    [Fact]
    public async Task WireClients_ReadEveryServiceThroughTheHost_AndErrorsKeepTheirCodes()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var transport = Transport(host);
        var ecs = new EcsWireClient(transport);
        var ecr = new EcrWireClient(transport);

        var services = await ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None);
        var definition = await ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest("truecaller-backend"), CancellationToken.None);
        var revisions = await ecs.ListTaskDefinitionsAsync(new ListTaskDefinitionsRequest("truecaller-backend"), CancellationToken.None);
        var repositories = await ecr.DescribeRepositoriesAsync(["truecaller-backend"], CancellationToken.None);
        var token = await ecr.GetAuthorizationTokenAsync(CancellationToken.None);
        var groups = await new Elbv2WireClient(transport).DescribeTargetGroupsAsync([], null, CancellationToken.None);
        var secret = await new SecretsManagerWireClient(transport).DescribeSecretAsync("truecaller-backend/DATABASE_URL", CancellationToken.None);
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => ecr.DescribeRepositoriesAsync(["nope"], CancellationToken.None));

        Assert.Equal(aws.Ecs.Service(Cluster, Service).TaskDefinition, services.Services.Single().TaskDefinition);
        Assert.Equal([new EcsTag("app", "truecaller-backend")], definition.Tags);
        Assert.Contains(definition.TaskDefinition.TaskDefinitionArn!, revisions.TaskDefinitionArns);
        Assert.Equal("123456789012.dkr.ecr.eu-central-1.amazonaws.com/truecaller-backend", repositories.Single().RepositoryUri);
        Assert.Equal(host.Endpoint.GetLeftPart(UriPartial.Authority), token.ProxyEndpoint);
        Assert.Equal(["/", "/health"], groups.TargetGroups.Select(g => g.HealthCheckPath ?? "").Order(StringComparer.Ordinal));
        Assert.StartsWith("arn:aws:secretsmanager:", secret.ARN, StringComparison.Ordinal);
        Assert.Equal("RepositoryNotFoundException", missing.ErrorCode);
        Assert.NotNull(missing.RequestId);
    }

    [Fact]
    public async Task ClockLoop_AdvancesTheSimulatedClockWithWallTimeTimesSpeed()
    {
        var aws = Seed.Truecaller();
        var before = aws.Clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        await using (var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1000));
        }
        watch.Stop();
        var advanced = aws.Clock.GetUtcNow() - before;

        // 60x: about a simulated minute for 1 s of wall time, never more than the wall time allows.
        Assert.InRange(advanced, TimeSpan.FromSeconds(15), watch.Elapsed * 60 + TimeSpan.FromSeconds(1));
        var stoppedAt = aws.Clock.GetUtcNow();
        await Task.Delay(TimeSpan.FromMilliseconds(250));
        Assert.Equal(stoppedAt, aws.Clock.GetUtcNow());
    }

    [Fact]
    public async Task DroppedConnectionsAndSlowAnswers_AreInjectedOnTheirShare()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions
        {
            Speed = 0,
            Faults = new HostFaults().WithNamed("drop-connection", 1),
        }, CancellationToken.None);
        var ecs = new EcsWireClient(Transport(host));

        await Assert.ThrowsAsync<HttpRequestException>(() => ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None));
        Assert.Empty(aws.CallsTo("DescribeServices"));

        host.Faults = new HostFaults { Slow = 1, SlowDelay = TimeSpan.FromMilliseconds(400) };
        var watch = Stopwatch.StartNew();
        var answer = await ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380), $"answered after {watch.Elapsed}");
        Assert.Single(answer.Services);

        host.Faults = new HostFaults().WithNamed("http-500", 1);
        var failed = await Assert.ThrowsAsync<AwsServiceException>(() => ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None));
        Assert.Equal(500, failed.StatusCode);
        Assert.True(failed.IsTransient);
        Assert.Equal(3, host.Statistics.FaultsInjected);
    }

    /// <summary>Signs <paramref name="signedBody"/> with the host's key at <paramref name="signedAt"/>, sends <paramref name="sentBody"/>.</summary>
    private static async Task<(HttpStatusCode Status, string Type, string Message)> SendSignedAsync(LocalAwsHost host, string signedBody, string sentBody, DateTimeOffset? signedAt)
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Content-Type", "application/x-amz-json-1.1"),
            new("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListTasks"),
        };
        var signed = await AwsWireSigner.SignAsync(HttpMethod.Post, host.Endpoint, headers, Encoding.UTF8.GetBytes(signedBody),
            new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey), host.Region, "ecs", signedAt, CancellationToken.None);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Endpoint) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(sentBody)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListTasks");
        foreach (var (name, value) in signed)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        return (response.StatusCode,
            root.TryGetProperty("__type", out var type) ? type.GetString()! : "",
            root.TryGetProperty("message", out var message) ? message.GetString()! : "");
    }

    [Fact]
    public async Task Signature_CoversTheBody_AndExpiresAfterFifteenMinutes()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        const string body = "{\"cluster\":\"truecaller-backend-cluster\"}";

        var valid = await SendSignedAsync(host, body, body, null);
        var tampered = await SendSignedAsync(host, body, "{\"cluster\":\"other-cluster\"}", null);
        var expired = await SendSignedAsync(host, body, body, TimeProvider.System.GetUtcNow().AddMinutes(-20));

        Assert.Equal(HttpStatusCode.OK, valid.Status);
        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (tampered.Status, tampered.Type));
        Assert.Contains("does not match the signature you provided", tampered.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Forbidden, "InvalidSignatureException"), (expired.Status, expired.Type));
        Assert.StartsWith("Signature expired", expired.Message, StringComparison.Ordinal);
        Assert.Single(aws.CallsTo("ListTasks"));
    }
}
