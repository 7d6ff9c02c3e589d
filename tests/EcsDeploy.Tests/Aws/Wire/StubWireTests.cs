using System.Text.Json.Nodes;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Retries;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>
/// What moto cannot show (deployments that progress, a migration task that fails, pagination, throttling and
/// 5xx answers), against a loopback stub whose answers follow botocore's ECS/ECR/Logs output shapes.
/// </summary>
public sealed class StubWireTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task DescribeServices_ReadsARollbackInProgress_WithEpochSecondTimestamps()
    {
        // Shaped as DescribeServicesResponse: services[].deployments[] and events[] (botocore ecs 2014-11-13).
        const string answer = """
        {"services":[{"serviceArn":"arn:aws:ecs:eu-central-1:123456789012:service/c/api","serviceName":"api","clusterArn":"arn:aws:ecs:eu-central-1:123456789012:cluster/c",
          "status":"ACTIVE","desiredCount":2,"runningCount":2,"pendingCount":0,"launchType":"FARGATE",
          "taskDefinition":"arn:aws:ecs:eu-central-1:123456789012:task-definition/api:7",
          "deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":true},"maximumPercent":200,"minimumHealthyPercent":100},
          "deployments":[
            {"id":"ecs-svc/1234567890123456789","status":"PRIMARY","taskDefinition":"arn:aws:ecs:eu-central-1:123456789012:task-definition/api:7","desiredCount":2,"pendingCount":1,"runningCount":1,"failedTasks":0,
             "createdAt":1767225600.123,"updatedAt":1767225660.5,"launchType":"FARGATE","rolloutState":"IN_PROGRESS","rolloutStateReason":"ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1234567890123456789."},
            {"id":"ecs-svc/9876543210987654321","status":"ACTIVE","taskDefinition":"arn:aws:ecs:eu-central-1:123456789012:task-definition/api:8","desiredCount":0,"pendingCount":0,"runningCount":0,"failedTasks":3,
             "createdAt":1767225500,"updatedAt":1767225590,"rolloutState":"FAILED","rolloutStateReason":"ECS deployment circuit breaker: tasks failed to start."}],
          "events":[{"id":"e2","createdAt":1767225660.5,"message":"(service api) rolling back to deployment ecs-svc/1234567890123456789."},
                    {"id":"e1","createdAt":1767225659.999,"message":"(service api) (deployment ecs-svc/9876543210987654321) deployment failed: tasks failed to start."}],
          "loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/api/abc","containerName":"app","containerPort":3000}],
          "healthCheckGracePeriodSeconds":30}],
         "failures":[]}
        """;
        using var stub = new LoopbackStub(_ => new StubAnswer(200, answer, Headers: new Dictionary<string, string> { ["x-amzn-RequestId"] = "r-1" }));
        var response = await new EcsWireClient(stub.Transport()).DescribeServicesAsync(new DescribeServicesRequest("c", ["api"]), Ct);

        var service = Assert.Single(response.Services);
        Assert.Equal(2, service.Deployments.Count);
        var primary = service.Deployments[0];
        Assert.Equal(("PRIMARY", "IN_PROGRESS", 1, 1), (primary.Status, primary.RolloutState, primary.RunningCount, primary.PendingCount));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1767225600123), primary.CreatedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1767225660500), primary.UpdatedAt);
        Assert.Equal(("ACTIVE", "FAILED", 3), (service.Deployments[1].Status, service.Deployments[1].RolloutState, service.Deployments[1].FailedTasks));
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", service.Deployments[1].RolloutStateReason);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1767225659999), service.Events[1].CreatedAt);
        Assert.Equal(new DeploymentCircuitBreaker(true, true), service.DeploymentConfiguration?.DeploymentCircuitBreaker);
        Assert.Equal(3000, Assert.Single(service.LoadBalancers).ContainerPort);
        Assert.Equal(30, service.HealthCheckGracePeriodSeconds);
        Assert.Empty(response.Failures);

        var sent = Assert.Single(stub.Requests);
        Assert.Equal("AmazonEC2ContainerServiceV20141113.DescribeServices", sent.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", sent.Header("Content-Type"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDSTUB/", sent.Header("Authorization"));
        Assert.Contains("/eu-central-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target,", sent.Header("Authorization"));
        Assert.Equal("""{"cluster":"c","services":["api"]}""", System.Text.Encoding.UTF8.GetString(sent.Body));
    }

    [Fact]
    public async Task DescribeTasks_ReadsAFailedMigrationTask_ExitCodeAndReasons()
    {
        const string answer = """
        {"tasks":[{"taskArn":"arn:aws:ecs:eu-central-1:123456789012:task/c/0123456789abcdef","clusterArn":"arn:aws:ecs:eu-central-1:123456789012:cluster/c",
          "taskDefinitionArn":"arn:aws:ecs:eu-central-1:123456789012:task-definition/api:7","lastStatus":"STOPPED","desiredStatus":"STOPPED","group":"family:api",
          "startedBy":"ecsdeploy-migrate","stopCode":"EssentialContainerExited","stoppedReason":"Essential container in task exited",
          "createdAt":1767225600,"startedAt":1767225610.25,"stoppedAt":1767225700,
          "containers":[{"name":"app","image":"repo:v2","lastStatus":"STOPPED","exitCode":1,"reason":"OutOfMemoryError: Container killed due to memory usage","healthStatus":"UNKNOWN"}],
          "overrides":{"containerOverrides":[{"name":"app","command":["npx","prisma","migrate","deploy"]}]}}],
         "failures":[{"arn":"arn:aws:ecs:eu-central-1:123456789012:task/c/missing","reason":"MISSING"}]}
        """;
        using var stub = new LoopbackStub(_ => new StubAnswer(200, answer));
        var response = await new EcsWireClient(stub.Transport()).DescribeTasksAsync(new DescribeTasksRequest("c", ["0123456789abcdef", "missing"]), Ct);
        var task = Assert.Single(response.Tasks);
        Assert.Equal(("STOPPED", "EssentialContainerExited", "family:api"), (task.LastStatus, task.StopCode, task.Group));
        var container = Assert.Single(task.Containers);
        Assert.Equal(1, container.ExitCode);
        Assert.StartsWith("OutOfMemoryError", container.Reason);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1767225610250), task.StartedAt);
        Assert.Equal("MISSING", Assert.Single(response.Failures).Reason);
    }

    [Fact]
    public async Task DescribeImages_FollowsNextTokenToTheEnd()
    {
        using var stub = new LoopbackStub(request =>
        {
            var token = JsonNode.Parse(request.Body)?["nextToken"]?.GetValue<string>();
            return token switch
            {
                null => new StubAnswer(200, """{"imageDetails":[{"repositoryName":"r","imageDigest":"sha256:1","imageTags":["a"],"imagePushedAt":1767225600}],"nextToken":"p2"}"""),
                "p2" => new StubAnswer(200, """{"imageDetails":[{"repositoryName":"r","imageDigest":"sha256:2"}],"nextToken":"p3"}"""),
                _ => new StubAnswer(200, """{"imageDetails":[{"repositoryName":"r","imageDigest":"sha256:3","imageSizeInBytes":12345678901}]}"""),
            };
        });
        var images = await new EcrWireClient(stub.Transport()).DescribeImagesAsync("r", [], Ct);
        Assert.Equal(["sha256:1", "sha256:2", "sha256:3"], images.Select(i => i.ImageDigest));
        Assert.Equal(12345678901, images[2].ImageSizeInBytes);
        Assert.Empty(images[1].ImageTags);
        Assert.Equal(3, stub.Requests.Count);
        Assert.DoesNotContain("imageIds", System.Text.Encoding.UTF8.GetString(stub.Requests.First().Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_IsATypedThrottlingError_AndTheRetryPolicyRetriesIt()
    {
        var calls = 0;
        using var stub = new LoopbackStub(_ => ++calls == 1
            ? new StubAnswer(400, """{"__type":"com.amazonaws.ecs#ThrottlingException","message":"Rate exceeded"}""", Headers: new Dictionary<string, string> { ["x-amzn-RequestId"] = "req-throttled" })
            : new StubAnswer(200, """{"taskArns":["arn:1"]}"""));
        var raw = new EcsWireClient(stub.Transport());
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => raw.ListTasksAsync(new ListTasksRequest { Cluster = "c" }, Ct));
        Assert.Equal(("ThrottlingException", "Rate exceeded", "req-throttled", 400), (error.ErrorCode, error.ErrorMessage, error.RequestId, error.StatusCode));
        Assert.True(error.IsThrottling);

        calls = 0;
        var policy = new AwsRetryPolicy(TimeProvider.System, baseDelay: TimeSpan.Zero);
        var retrying = new RetryingEcsApi(raw, policy);
        Assert.Equal(["arn:1"], (await retrying.ListTasksAsync(new ListTasksRequest { Cluster = "c" }, Ct)).TaskArns);
        Assert.Equal(1, policy.RetriesMade);
    }

    [Theory]
    [InlineData(500, "", null, "application/json", "InternalFailure", "HTTP 500 with no error message")]
    [InlineData(503, "<html>down</html>", null, "text/html", "ServiceUnavailable", "HTTP 503 with no error message")]
    [InlineData(400, "{\"__type\":\"ClientException\",\"Message\":\"Bad input\"}", null, "application/json", "ClientException", "Bad input")]
    [InlineData(400, "{}", "ServerException:http://internal.amazon.com/coral/", "application/json", "ServerException", "HTTP 400 with no error message")]
    [InlineData(403, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>xml-req</RequestId></ErrorResponse>", null, "text/xml", "InvalidClientTokenId", "The security token included in the request is invalid. (Hint: AWS does not know this access key id; check AWS_PROFILE / AWS_ACCESS_KEY_ID, or that the key was not deleted.)")]
    public async Task ErrorAnswers_BecomeAwsServiceExceptions(int status, string body, string? errorType, string contentType, string code, string message)
    {
        var headers = new Dictionary<string, string>();
        if (errorType is not null)
        {
            headers["x-amzn-ErrorType"] = errorType;
        }
        using var stub = new LoopbackStub(_ => new StubAnswer(status, body, contentType, headers));
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new CloudWatchLogsWireClient(stub.Transport()).GetLogEventsAsync(new GetLogEventsRequest("g", "s"), Ct));
        Assert.Equal((code, message, status, "CloudWatchLogs", "GetLogEvents"), (error.ErrorCode, error.ErrorMessage, error.StatusCode, error.Service, error.Operation));
        if (body.Contains("xml-req", StringComparison.Ordinal))
        {
            Assert.Equal("xml-req", error.RequestId);
        }
        Assert.Equal(status >= 500, error.IsTransient);
    }

    [Fact]
    public async Task Elbv2_SendsAFormEncodedQueryRequest_SignedForElasticLoadBalancing()
    {
        using var stub = new LoopbackStub(_ => new StubAnswer(200,
            """<DescribeTargetGroupsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetGroupsResult><TargetGroups><member><TargetGroupArn>arn:tg</TargetGroupArn><TargetGroupName>tg</TargetGroupName><LoadBalancerArns><member>arn:lb1</member><member>arn:lb2</member></LoadBalancerArns></member></TargetGroups><NextMarker>m2</NextMarker></DescribeTargetGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetGroupsResponse>""",
            "text/xml"));
        var page = await new Elbv2WireClient(stub.Transport()).DescribeTargetGroupsAsync(["arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/a b/1", "arn:2"], "m1", Ct);
        Assert.Equal(["arn:lb1", "arn:lb2"], Assert.Single(page.TargetGroups).LoadBalancerArns);
        Assert.Null(page.TargetGroups[0].HealthCheckPath);
        Assert.Equal("m2", page.NextMarker);
        var sent = Assert.Single(stub.Requests);
        Assert.Equal("Action=DescribeTargetGroups&Version=2015-12-01&TargetGroupArns.member.1=arn%3Aaws%3Aelasticloadbalancing%3Aeu-central-1%3A1%3Atargetgroup%2Fa%20b%2F1&TargetGroupArns.member.2=arn%3A2&Marker=m1&PageSize=400",
            System.Text.Encoding.UTF8.GetString(sent.Body));
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", sent.Header("Content-Type"));
        Assert.Contains("/eu-central-1/elasticloadbalancing/aws4_request", sent.Header("Authorization"));
        Assert.Null(sent.Header("X-Amz-Target"));
    }

    [Fact]
    public async Task SignatureErrors_QuotingTheCanonicalRequest_NeverCarryTheSessionToken()
    {
        using var stub = new LoopbackStub(request => new StubAnswer(403,
            $$"""{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n'POST\n/\n\nx-amz-security-token:{{request.Header("X-Amz-Security-Token")}}\n'"}"""));
        var transport = stub.Transport(new Amazon.Runtime.SessionAWSCredentials("ASIAKEY", "the-secret-key", "FwoGZXIvYXdzEBYaDSECRETSESSIONTOKEN"));
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new EcsWireClient(transport).ListTasksAsync(new ListTasksRequest { Cluster = "c" }, Ct));
        Assert.Equal("InvalidSignatureException", error.ErrorCode);
        Assert.Contains("x-amz-security-token:***", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSESSIONTOKEN", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("the-secret-key", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutImage_OnAnImmutableTag_IsImageTagAlreadyExists()
    {
        // moto 5.2 gives every manifest the digest of an empty body, so it cannot show this answer: shaped as ECR's.
        using var stub = new LoopbackStub(_ => new StubAnswer(400,
            """{"__type":"ImageTagAlreadyExistsException","message":"The image tag 'v1' already exists in the 'repo' repository and cannot be overwritten because the repository is immutable."}""",
            Headers: new Dictionary<string, string> { ["x-amzn-RequestId"] = "ecr-req" }));
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new EcrWireClient(stub.Transport()).PutImageAsync(new PutImageRequest("repo", "{}", null, "v1", null), Ct));
        Assert.Equal(("ImageTagAlreadyExistsException", "ECR", "PutImage", "ecr-req"), (error.ErrorCode, error.Service, error.Operation, error.RequestId));
        Assert.False(error.IsThrottling || error.IsTransient);
    }

    [Fact]
    public async Task SessionCredentials_SendTheSecurityToken()
    {
        using var stub = new LoopbackStub(_ => new StubAnswer(200, """{"ARN":"arn:s","Name":"n"}"""));
        var transport = stub.Transport(new Amazon.Runtime.SessionAWSCredentials("ASIAKEY", "secret", "session-token-value"));
        var secret = await new SecretsManagerWireClient(transport).DescribeSecretAsync("n", Ct);
        Assert.Equal(new SecretDescription("arn:s", "n"), secret);
        var sent = Assert.Single(stub.Requests);
        Assert.Equal("session-token-value", sent.Header("X-Amz-Security-Token"));
        Assert.Contains("x-amz-security-token", sent.Header("Authorization"));
        Assert.Equal("""{"SecretId":"n"}""", System.Text.Encoding.UTF8.GetString(sent.Body));
    }
}
