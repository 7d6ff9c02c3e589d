using System.Text.Json;
using EcsDeploy.Testing.Hosting;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>The AWS CLI v1 (botocore's own serializers, parsers and signer) against the local AWS host.</summary>
public sealed class AwsCliAgainstHostTests : IAsyncLifetime
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    private readonly SimulatedAws _aws = Seed.Truecaller();
    private LocalAwsHost _host = null!;

    public async Task InitializeAsync() => _host = await LocalAwsHost.StartAsync(_aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task EcsDescribeServices_ShowsTheSeededServiceOnRevisionOneWithTwoRunningTasks()
    {
        var json = (await AwsCli.RunAsync(_host, "ecs", "describe-services", "--cluster", Cluster, "--services", Service)).Json();

        var service = Assert.Single(json.GetProperty("services").EnumerateArray());
        Assert.Equal(Service, service.GetProperty("serviceName").GetString());
        Assert.EndsWith("task-definition/truecaller-backend:1", service.GetProperty("taskDefinition").GetString());
        Assert.Equal(2, service.GetProperty("runningCount").GetInt32());
        var deployment = Assert.Single(service.GetProperty("deployments").EnumerateArray());
        Assert.Equal("COMPLETED", deployment.GetProperty("rolloutState").GetString());
        Assert.Empty(json.GetProperty("failures").EnumerateArray());
    }

    [Fact]
    public async Task EcsDescribeServices_UnknownCluster_IsClusterNotFoundException()
    {
        var result = await AwsCli.RunAsync(_host, "ecs", "describe-services", "--cluster", "no-such-cluster", "--services", Service);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ClusterNotFoundException", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EcsTaskDefinitionAndTasks_DescribeListAndDescribeTasks()
    {
        var definition = (await AwsCli.RunAsync(_host, "ecs", "describe-task-definition", "--task-definition", "truecaller-backend", "--include", "TAGS")).Json();
        Assert.Equal(1, definition.GetProperty("taskDefinition").GetProperty("revision").GetInt32());
        var container = Assert.Single(definition.GetProperty("taskDefinition").GetProperty("containerDefinitions").EnumerateArray());
        Assert.StartsWith("123456789012.dkr.ecr.eu-central-1.amazonaws.com/truecaller-backend@sha256:", container.GetProperty("image").GetString());
        Assert.Equal("app", Assert.Single(definition.GetProperty("tags").EnumerateArray()).GetProperty("key").GetString());

        var list = (await AwsCli.RunAsync(_host, "ecs", "list-tasks", "--cluster", Cluster, "--service-name", Service)).Json();
        var arns = list.GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Equal(2, arns.Count);

        var tasks = (await AwsCli.RunAsync(_host, ["ecs", "describe-tasks", "--cluster", Cluster, "--tasks", .. arns])).Json();
        Assert.Equal(arns.Order(StringComparer.Ordinal), tasks.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("taskArn").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(tasks.GetProperty("tasks").EnumerateArray(), t => Assert.Equal("RUNNING", t.GetProperty("lastStatus").GetString()));
    }

    [Fact]
    public async Task Ecr_DescribeImagesAndBatchGetImage_ReturnTheSeededImage()
    {
        var images = (await AwsCli.RunAsync(_host, "ecr", "describe-images", "--repository-name", "truecaller-backend")).Json();
        var detail = Assert.Single(images.GetProperty("imageDetails").EnumerateArray());
        var digest = detail.GetProperty("imageDigest").GetString()!;
        Assert.Equal(["0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"], detail.GetProperty("imageTags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(_aws.Ecr.Images("truecaller-backend").Keys.Single(), digest);

        var batch = (await AwsCli.RunAsync(_host, "ecr", "batch-get-image", "--repository-name", "truecaller-backend",
            "--image-ids", "imageTag=0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6", "imageTag=missing")).Json();
        var image = Assert.Single(batch.GetProperty("images").EnumerateArray());
        Assert.Equal(digest, image.GetProperty("imageId").GetProperty("imageDigest").GetString());
        using var manifest = JsonDocument.Parse(image.GetProperty("imageManifest").GetString()!);
        Assert.Equal(2, manifest.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("ImageNotFound", Assert.Single(batch.GetProperty("failures").EnumerateArray()).GetProperty("failureCode").GetString());
    }

    [Fact]
    public async Task Elbv2_DescribeLoadBalancers_NamesBothLoadBalancersWithTheirDnsNames()
    {
        var json = (await AwsCli.RunAsync(_host, "elbv2", "describe-load-balancers")).Json();

        var loadBalancers = json.GetProperty("LoadBalancers").EnumerateArray().ToDictionary(lb => lb.GetProperty("LoadBalancerName").GetString()!, lb => lb.GetProperty("DNSName").GetString()!);
        Assert.Equal(["truecaller-backend-alb", "truecaller-backend-ollama-alb"], loadBalancers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((await _aws.Terraform.ReadAsync(CancellationToken.None))!["alb_dns_name"].Value.GetString(), loadBalancers["truecaller-backend-alb"]);

        var byName = await AwsCli.RunAsync(_host, "elbv2", "describe-load-balancers", "--names", "no-such-alb");
        Assert.NotEqual(0, byName.ExitCode);
        Assert.Contains("LoadBalancerNotFound", byName.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretsManager_GetSecretValue_ReturnsTheSeededValue()
    {
        var json = (await AwsCli.RunAsync(_host, "secretsmanager", "get-secret-value", "--secret-id", "truecaller-backend/JWT_SECRET")).Json();

        Assert.Equal(SeedSpec.Truecaller.Secrets["truecaller-backend/JWT_SECRET"], json.GetProperty("SecretString").GetString());
        Assert.StartsWith("arn:aws:secretsmanager:eu-central-1:123456789012:secret:truecaller-backend/JWT_SECRET-", json.GetProperty("ARN").GetString());
    }

    [Fact]
    public async Task Logs_GetLogEvents_ReturnsTheEventsWithMillisecondTimestamps()
    {
        var at = _aws.Clock.GetUtcNow();
        _aws.Logs.Append("/ecs/truecaller-backend", "ecs/truecaller-backend/abc", at, ["listening on 3000", "ready"]);

        var json = (await AwsCli.RunAsync(_host, "logs", "get-log-events", "--log-group-name", "/ecs/truecaller-backend", "--log-stream-name", "ecs/truecaller-backend/abc", "--start-from-head")).Json();

        var events = json.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["listening on 3000", "ready"], events.Select(e => e.GetProperty("message").GetString()));
        Assert.Equal(at.ToUnixTimeMilliseconds(), events[0].GetProperty("timestamp").GetInt64());
    }

    [Fact]
    public async Task WrongSecretOrUnknownKey_AreRefusedAsAwsRefusesThem()
    {
        var wrongSecret = new Dictionary<string, string> { ["AWS_SECRET_ACCESS_KEY"] = "x" + _host.SecretAccessKey[1..] };
        var json = await AwsCli.RunAsync(_host, wrongSecret, "ecs", "describe-services", "--cluster", Cluster, "--services", Service);
        var query = await AwsCli.RunAsync(_host, wrongSecret, "elbv2", "describe-load-balancers");
        var unknownKey = await AwsCli.RunAsync(_host, new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIAUNKNOWNUNKNOWN00" }, "secretsmanager", "get-secret-value", "--secret-id", "truecaller-backend/JWT_SECRET");

        Assert.NotEqual(0, json.ExitCode);
        Assert.Contains("InvalidSignatureException", json.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not match the signature you provided", json.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, query.ExitCode);
        Assert.Contains("SignatureDoesNotMatch", query.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, unknownKey.ExitCode);
        Assert.Contains("UnrecognizedClientException", unknownKey.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Sim-db", json.Stdout + query.Stdout + unknownKey.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, _host.Statistics.SignatureFailures);
    }

    [Fact]
    public async Task EcsListAndDescribeServiceDeployments_ShowTheNewRolloutInProgress_AndPageWithMaxResults()
    {
        await AwsCli.RunAsync(_host, "ecs", "update-service", "--cluster", Cluster, "--service", Service, "--force-new-deployment");

        var list = (await AwsCli.RunAsync(_host, "ecs", "list-service-deployments", "--cluster", Cluster, "--service", Service)).Json();
        var briefs = list.GetProperty("serviceDeployments").EnumerateArray().ToList();
        Assert.Equal(["IN_PROGRESS", "SUCCESSFUL"], briefs.Select(b => b.GetProperty("status").GetString()));
        var arn = briefs[0].GetProperty("serviceDeploymentArn").GetString()!;
        Assert.StartsWith($"arn:aws:ecs:eu-central-1:123456789012:service-deployment/{Cluster}/{Service}/", arn);

        var filtered = (await AwsCli.RunAsync(_host, "ecs", "list-service-deployments", "--cluster", Cluster, "--service", Service, "--status", "SUCCESSFUL")).Json();
        Assert.Equal(briefs[1].GetProperty("serviceDeploymentArn").GetString(), Assert.Single(filtered.GetProperty("serviceDeployments").EnumerateArray()).GetProperty("serviceDeploymentArn").GetString());
        var page = (await AwsCli.RunAsync(_host, "ecs", "list-service-deployments", "--cluster", Cluster, "--service", Service, "--max-results", "1")).Json();
        Assert.Single(page.GetProperty("serviceDeployments").EnumerateArray());
        var next = (await AwsCli.RunAsync(_host, "ecs", "list-service-deployments", "--cluster", Cluster, "--service", Service, "--max-results", "1", "--next-token", page.GetProperty("nextToken").GetString()!)).Json();
        Assert.Equal(briefs[1].GetProperty("serviceDeploymentArn").GetString(), Assert.Single(next.GetProperty("serviceDeployments").EnumerateArray()).GetProperty("serviceDeploymentArn").GetString());

        var described = (await AwsCli.RunAsync(_host, "ecs", "describe-service-deployments", "--service-deployment-arns", arn)).Json();
        var deployment = Assert.Single(described.GetProperty("serviceDeployments").EnumerateArray());
        Assert.Equal("IN_PROGRESS", deployment.GetProperty("status").GetString());
        Assert.Equal("MONITORING", deployment.GetProperty("deploymentCircuitBreaker").GetProperty("status").GetString());
        Assert.StartsWith($"arn:aws:ecs:eu-central-1:123456789012:service-revision/{Cluster}/{Service}/", deployment.GetProperty("targetServiceRevision").GetProperty("arn").GetString());
        Assert.Single(deployment.GetProperty("sourceServiceRevisions").EnumerateArray());
        Assert.Empty(described.GetProperty("failures").EnumerateArray());
    }

    [Fact]
    public async Task EcrDescribeImagesAndElbv2_PageAsTheCliAsks_AndPageSizeOver400IsAValidationError()
    {
        _aws.Ecr.PushTestImage("truecaller-backend", "build-1");
        _aws.Ecr.PushTestImage("truecaller-backend", "build-2");
        var before = _aws.CallsTo("DescribeImages").Count;

        var images = (await AwsCli.RunAsync(_host, "ecr", "describe-images", "--repository-name", "truecaller-backend", "--page-size", "1")).Json();
        Assert.Equal(3, images.GetProperty("imageDetails").GetArrayLength());
        Assert.Equal(3, _aws.CallsTo("DescribeImages").Count - before);

        // PageSize is the modelled parameter, so the CLI sends it and leaves the paging to us: one load balancer and a marker.
        var first = (await AwsCli.RunAsync(_host, "elbv2", "describe-load-balancers", "--page-size", "1")).Json();
        Assert.Equal(1, first.GetProperty("LoadBalancers").GetArrayLength());
        var marker = first.GetProperty("NextMarker").GetString()!;
        var rest = await _aws.Elbv2.DescribeLoadBalancersAsync(null, null, marker, CancellationToken.None);
        Assert.Equal(["truecaller-backend-alb", "truecaller-backend-ollama-alb"],
            new[] { first.GetProperty("LoadBalancers")[0].GetProperty("LoadBalancerName").GetString()!, Assert.Single(rest.LoadBalancers).LoadBalancerName }.Order(StringComparer.Ordinal));
        Assert.Null(rest.NextMarker);
        var tooLarge = await AwsCli.RunAsync(_host, "elbv2", "describe-target-groups", "--page-size", "401");
        Assert.NotEqual(0, tooLarge.ExitCode);
        Assert.Contains("ValidationError", tooLarge.Stderr, StringComparison.Ordinal);
        Assert.Contains("Member must have value less than or equal to 400", tooLarge.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EcsWaitServicesStable_AfterANewDeployment_ReturnsOnceTheRolloutCompleted()
    {
        var updated = (await AwsCli.RunAsync(_host, "ecs", "update-service", "--cluster", Cluster, "--service", Service, "--force-new-deployment")).Json();
        Assert.Equal(2, updated.GetProperty("service").GetProperty("deployments").GetArrayLength());
        _host.Speed = 30;

        var wait = await AwsCli.RunAsync(_host, "ecs", "wait", "services-stable", "--cluster", Cluster, "--services", Service);

        Assert.True(wait.ExitCode == 0, wait.Stderr);
        var service = (await AwsCli.RunAsync(_host, "ecs", "describe-services", "--cluster", Cluster, "--services", Service)).Json().GetProperty("services")[0];
        var deployment = Assert.Single(service.GetProperty("deployments").EnumerateArray());
        Assert.Equal("COMPLETED", deployment.GetProperty("rolloutState").GetString());
        Assert.Equal(2, service.GetProperty("runningCount").GetInt32());
    }

    [Fact]
    public async Task AwsCliV2_ReadsEveryServiceAndIsRefusedAWrongSecret()
    {
        TestPeers.Require(TestPeer.AwsCliV2);

        var services = (await AwsCli.RunV2Async(_host, null, "ecs", "describe-services", "--cluster", Cluster, "--services", Service)).Json();
        var tasks = (await AwsCli.RunV2Async(_host, null, "ecs", "list-tasks", "--cluster", Cluster, "--service-name", Service)).Json();
        var images = (await AwsCli.RunV2Async(_host, null, "ecr", "describe-images", "--repository-name", "truecaller-backend")).Json();
        var loadBalancers = (await AwsCli.RunV2Async(_host, null, "elbv2", "describe-load-balancers")).Json();
        var secret = (await AwsCli.RunV2Async(_host, null, "secretsmanager", "get-secret-value", "--secret-id", "truecaller-backend/REDIS_URL")).Json();
        var refused = await AwsCli.RunV2Async(_host, new Dictionary<string, string> { ["AWS_SECRET_ACCESS_KEY"] = "wrong" }, "ecs", "list-tasks", "--cluster", Cluster);

        Assert.EndsWith("truecaller-backend:1", services.GetProperty("services")[0].GetProperty("taskDefinition").GetString());
        Assert.Equal(2, tasks.GetProperty("taskArns").GetArrayLength());
        Assert.Single(images.GetProperty("imageDetails").EnumerateArray());
        Assert.Equal(2, loadBalancers.GetProperty("LoadBalancers").GetArrayLength());
        Assert.Equal(SeedSpec.Truecaller.Secrets["truecaller-backend/REDIS_URL"], secret.GetProperty("SecretString").GetString());
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("InvalidSignatureException", refused.Stderr, StringComparison.Ordinal);
    }
}
