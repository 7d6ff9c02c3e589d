using System.Text;
using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>Every port operation moto implements, through the real clients, signed and checked by moto.</summary>
[Collection(MotoCollection.Name)]
public sealed class MotoWireTests(MotoServerFixture moto)
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Iam_GetRole_ReadsTheDecodedTrustPolicy_AndNamesAMissingRole()
    {
        var iam = new IamWireClient(moto.Transport());

        var role = await iam.GetRoleAsync("truecaller-backend-execution", Ct);
        Assert.Equal("truecaller-backend-execution", role.RoleName);
        Assert.Equal("arn:aws:iam::123456789012:role/truecaller-backend-execution", role.Arn);
        Assert.True(IamTrustPolicy.Trusts(role.AssumeRolePolicyDocument, IamTrustPolicy.EcsTasksPrincipal), role.AssumeRolePolicyDocument);
        var ec2Only = await iam.GetRoleAsync(moto.S("ec2OnlyRole"), Ct);
        Assert.Contains("ec2.amazonaws.com", ec2Only.AssumeRolePolicyDocument);
        Assert.False(IamTrustPolicy.Trusts(ec2Only.AssumeRolePolicyDocument, IamTrustPolicy.EcsTasksPrincipal));
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => iam.GetRoleAsync("no-such-role", Ct));
        Assert.Equal("NoSuchEntity", missing.ErrorCode);
    }

    [Fact]
    public async Task Ecs_DescribeServices_ReadsTheSeededServiceAndReportsAMissingOne()
    {
        var ecs = new EcsWireClient(moto.Transport());
        var response = await ecs.DescribeServicesAsync(new DescribeServicesRequest(moto.S("cluster"), [moto.S("service"), "no-such-service"]), Ct);

        var service = Assert.Single(response.Services);
        Assert.Equal(moto.S("service"), service.ServiceName);
        Assert.Equal(moto.S("taskDefinitionArn"), service.TaskDefinition);
        Assert.Equal(1, service.DesiredCount);
        Assert.Equal("FARGATE", service.LaunchType);
        Assert.StartsWith("arn:aws:ecs:eu-central-1:", service.ServiceArn);
        Assert.Equal(moto.Seed.GetProperty("subnets").EnumerateArray().Select(s => s.GetString()), service.NetworkConfiguration?.AwsvpcConfiguration?.Subnets!);
        var deployment = Assert.Single(service.Deployments);
        Assert.Equal("PRIMARY", deployment.Status);
        Assert.Equal(moto.S("taskDefinitionArn"), deployment.TaskDefinition);
        Assert.True(deployment.CreatedAt > DateTimeOffset.UnixEpoch.AddYears(50));
        var failure = Assert.Single(response.Failures);
        Assert.Equal("MISSING", failure.Reason);
        Assert.EndsWith("no-such-service", failure.Arn);
    }

    [Fact]
    public async Task Ecs_DescribeTaskDefinition_ReadsContainersAndTags()
    {
        var ecs = new EcsWireClient(moto.Transport());
        var response = await ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(moto.S("family") + ":1"), Ct);

        var definition = response.TaskDefinition;
        Assert.Equal(moto.S("taskDefinitionArn"), definition.TaskDefinitionArn);
        Assert.Equal(1, definition.Revision);
        Assert.Equal("256", definition.Cpu);
        Assert.Equal("awsvpc", definition.NetworkMode);
        Assert.Equal(["FARGATE"], definition.RequiresCompatibilities!);
        var container = Assert.Single(definition.ContainerDefinitions!);
        Assert.Equal("app", container.Name);
        Assert.Equal(512, container.Memory);
        Assert.Equal(new EcsKeyValuePair("NODE_ENV", "production"), Assert.Single(container.Environment!));
        Assert.Equal("DATABASE_URL", Assert.Single(container.Secrets!).Name);
        Assert.Equal(3000, Assert.Single(container.PortMappings!).ContainerPort);
        Assert.Equal("/ecs/app", container.LogConfiguration?.Options?["awslogs-group"]);
        Assert.Equal(new EcsTag("team", "wire"), Assert.Single(response.Tags));
    }

    [Fact]
    public async Task Ecs_ListTaskDefinitions_ListsTheFamily()
    {
        var ecs = new EcsWireClient(moto.Transport());
        var response = await ecs.ListTaskDefinitionsAsync(new ListTaskDefinitionsRequest(moto.S("family")), Ct);
        Assert.True(response.TaskDefinitionArns.Count >= 2);
        Assert.All(response.TaskDefinitionArns, arn => Assert.Contains(":task-definition/wire-app:", arn));
        // moto ignores sort=DESC (it lists oldest first); the request's sort member is checked against botocore's model instead.
        Assert.Contains(moto.S("taskDefinitionArn"), response.TaskDefinitionArns);
    }

    [Fact]
    public async Task Ecs_RegisterThenUpdateService_RoundTripsTheDefinitionAndPointsTheServiceAtIt()
    {
        var ecs = new EcsWireClient(moto.Transport());
        var current = await ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(moto.S("taskDefinitionArn")), Ct);
        var container = current.TaskDefinition.ContainerDefinitions![0] with { Image = moto.S("repositoryUri") + ":v2" };
        var registered = await ecs.RegisterTaskDefinitionAsync(
            new RegisterTaskDefinitionRequest(current.TaskDefinition with { ContainerDefinitions = [container] }, [new EcsTag("release", "v2")]), Ct);

        Assert.Equal(moto.S("family"), registered.TaskDefinition.Family);
        Assert.True(registered.TaskDefinition.Revision > 1);
        var described = await ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(registered.TaskDefinition.TaskDefinitionArn!), Ct);
        var roundTripped = Assert.Single(described.TaskDefinition.ContainerDefinitions!);
        Assert.Equal(moto.S("repositoryUri") + ":v2", roundTripped.Image);
        Assert.Equal(container.Environment, roundTripped.Environment);
        Assert.Equal(container.Secrets, roundTripped.Secrets);
        Assert.Equal("awslogs", roundTripped.LogConfiguration?.LogDriver);
        Assert.Contains(new EcsTag("release", "v2"), described.Tags);

        var updated = await ecs.UpdateServiceAsync(new UpdateServiceRequest
        {
            Cluster = moto.S("cluster"),
            Service = moto.S("updateService"),
            TaskDefinition = registered.TaskDefinition.TaskDefinitionArn,
        }, Ct);
        Assert.Equal(registered.TaskDefinition.TaskDefinitionArn, updated.Service.TaskDefinition);
        var after = await ecs.DescribeServicesAsync(new DescribeServicesRequest(moto.S("cluster"), [moto.S("updateService")]), Ct);
        Assert.Equal(registered.TaskDefinition.TaskDefinitionArn, Assert.Single(after.Services).TaskDefinition);
    }

    [Fact]
    public async Task Ecs_RunTask_StartsATaskThatListAndDescribeFollowToStopped()
    {
        var ecs = new EcsWireClient(moto.Transport());
        var startedBy = "wire-test-" + Guid.NewGuid().ToString("N")[..8];
        var run = await ecs.RunTaskAsync(new RunTaskRequest
        {
            Cluster = moto.S("cluster"),
            TaskDefinition = moto.S("runTaskDefinitionArn"),
            StartedBy = startedBy,
            ClientToken = Guid.NewGuid().ToString(),
            Overrides = new TaskOverride([new ContainerOverride { Name = "app", Command = ["npx", "prisma", "migrate", "deploy"], Environment = [new EcsKeyValuePair("A", "1")] }]),
        }, Ct);
        var task = Assert.Single(run.Tasks);
        Assert.Empty(run.Failures);
        Assert.Equal(startedBy, task.StartedBy);
        Assert.Equal("family:wire-task", task.Group);
        Assert.Equal(["npx", "prisma", "migrate", "deploy"], Assert.Single(task.Overrides!.ContainerOverrides).Command!);

        var listed = await ecs.ListTasksAsync(new ListTasksRequest { Cluster = moto.S("cluster"), StartedBy = startedBy }, Ct);
        Assert.Contains(task.TaskArn, listed.TaskArns);

        // moto walks the task one status per DescribeTasks call; no clock is involved.
        var statuses = new List<string?>();
        EcsTask described;
        do
        {
            described = Assert.Single((await ecs.DescribeTasksAsync(new DescribeTasksRequest(moto.S("cluster"), [task.TaskArn]), Ct)).Tasks);
            statuses.Add(described.LastStatus);
        }
        while (described.LastStatus != "STOPPED" && statuses.Count < 10);
        Assert.Equal("STOPPED", described.LastStatus);
        Assert.Equal(moto.S("runTaskDefinitionArn"), described.TaskDefinitionArn);
        var container = Assert.Single(described.Containers);
        Assert.Equal("app", container.Name);
        Assert.Equal(0, container.ExitCode);
    }

    [Fact]
    public async Task Ecr_DescribeRepositories_FindsTheRepositoryAndRaisesRepositoryNotFound()
    {
        var ecr = new EcrWireClient(moto.Transport());
        var repository = Assert.Single(await ecr.DescribeRepositoriesAsync([moto.S("repositoryName")], Ct));
        Assert.Equal(moto.S("repositoryUri"), repository.RepositoryUri);
        Assert.Equal("MUTABLE", repository.ImageTagMutability);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ecr.DescribeRepositoriesAsync(["wire/missing"], Ct));
        Assert.Equal("RepositoryNotFoundException", error.ErrorCode);
        Assert.Equal("DescribeRepositories", error.Operation);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task Ecr_GetAuthorizationToken_ReturnsABasicTokenAndTheProxyEndpoint()
    {
        var ecr = new EcrWireClient(moto.Transport());
        var data = await ecr.GetAuthorizationTokenAsync(Ct);
        Assert.StartsWith("AWS:", Encoding.UTF8.GetString(Convert.FromBase64String(data.AuthorizationToken)));
        Assert.StartsWith("https://", data.ProxyEndpoint);
        // Epoch seconds, not milliseconds: moto's fixed answer is 2015-01-01 (AWS: now + 12 h).
        Assert.InRange(data.ExpiresAt.Year, 2015, 2100);
    }

    [Fact]
    public async Task Ecr_ImagesAndPutImage_ReadManifestsAndRetagWithoutBlobs()
    {
        var ecr = new EcrWireClient(moto.Transport());
        var repo = moto.S("repositoryName");
        var all = await ecr.DescribeImagesAsync(repo, [], Ct);
        Assert.Contains(all, i => i.ImageDigest == moto.S("imageDigest") && i.ImageTags.Contains("v1"));
        var byTag = Assert.Single(await ecr.DescribeImagesAsync(repo, [new ImageIdentifier(ImageTag: "v1")], Ct));
        Assert.Equal(moto.S("imageDigest"), byTag.ImageDigest);

        var batch = await ecr.BatchGetImageAsync(repo, [new ImageIdentifier(ImageTag: "v1"), new ImageIdentifier(ImageTag: "nope")], Ct);
        var image = Assert.Single(batch.Images);
        Assert.Equal(moto.S("imageManifest"), image.ImageManifest);
        Assert.Equal(moto.S("imageDigest"), image.ImageId.ImageDigest);
        Assert.Equal("nope", Assert.Single(batch.Failures).ImageId?.ImageTag);

        var tag = "retag-" + Guid.NewGuid().ToString("N")[..6];
        var put = await ecr.PutImageAsync(new PutImageRequest(repo, image.ImageManifest, image.ImageManifestMediaType, tag, null), Ct);
        Assert.Equal(tag, put.ImageId.ImageTag);
        Assert.Equal(moto.S("imageDigest"), put.ImageId.ImageDigest);

        var again = await Assert.ThrowsAsync<AwsServiceException>(() => ecr.PutImageAsync(new PutImageRequest(repo, image.ImageManifest, null, tag, null), Ct));
        Assert.Equal("ImageAlreadyExistsException", again.ErrorCode);
    }

    [Fact]
    public async Task Ecr_ScanningConfigurationStartImageScanAndFindings_RoundTrip()
    {
        var ecr = new EcrWireClient(moto.Transport());
        var repo = moto.S("repositoryName");
        var configuration = await ecr.PutImageScanningConfigurationAsync(repo, new ImageScanningConfiguration(ScanOnPush: true), Ct);
        Assert.True(configuration.ScanOnPush);
        Assert.True(Assert.Single(await ecr.DescribeRepositoriesAsync([repo], Ct)).ImageScanningConfiguration?.ScanOnPush);

        // moto 5.2.1 scans nothing on push: an image has no scan until StartImageScan.
        var id = new ImageIdentifier(moto.S("imageDigest"));
        var none = await Assert.ThrowsAsync<AwsServiceException>(() => ecr.DescribeImageScanFindingsAsync(repo, id, Ct));
        Assert.Equal(("ScanNotFoundException", "DescribeImageScanFindings", 400), (none.ErrorCode, none.Operation, none.StatusCode));

        var started = await ecr.StartImageScanAsync(repo, id, Ct);
        Assert.Equal("IN_PROGRESS", started.Status);
        // Basic scanning allows one scan per image per 24 hours.
        var quota = await Assert.ThrowsAsync<AwsServiceException>(() => ecr.StartImageScanAsync(repo, id, Ct));
        Assert.Equal("LimitExceededException", quota.ErrorCode);

        // moto completes the scan at once with one fixed HIGH finding.
        var result = await ecr.DescribeImageScanFindingsAsync(repo, id, Ct);
        Assert.Equal("COMPLETE", result.ImageScanStatus?.Status);
        Assert.Equal(moto.S("imageDigest"), result.ImageId?.ImageDigest);
        Assert.Equal(new Dictionary<string, int> { ["HIGH"] = 1 }, result.ImageScanFindings?.FindingSeverityCounts);
        Assert.Equal("HIGH", Assert.Single(result.ImageScanFindings!.Findings!).Severity);
        Assert.True(result.ImageScanFindings.ImageScanCompletedAt > DateTimeOffset.UnixEpoch.AddYears(50));

        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => ecr.DescribeImageScanFindingsAsync(repo, new ImageIdentifier("sha256:" + new string('b', 64)), Ct));
        Assert.Equal("ImageNotFoundException", missing.ErrorCode);
    }

    [Fact]
    public async Task Ecr_LifecyclePolicy_NotFoundThenPutThenReadBackReformatted()
    {
        var ecr = new EcrWireClient(moto.Transport());
        // The seed's Ollama repository: no other test gives it a lifecycle policy.
        var repo = "truecaller-backend-ollama";
        var none = await Assert.ThrowsAsync<AwsServiceException>(() => ecr.GetLifecyclePolicyAsync(repo, Ct));
        Assert.Equal("LifecyclePolicyNotFoundException", none.ErrorCode);

        var text = EcsDeploy.Images.EcrLifecyclePolicy.KeepLastImages(10);
        var put = await ecr.PutLifecyclePolicyAsync(repo, text, Ct);
        Assert.Equal(repo, put.RepositoryName);

        var read = await ecr.GetLifecyclePolicyAsync(repo, Ct);
        Assert.Equal(text, read.LifecyclePolicyText);
        Assert.NotNull(read.LastEvaluatedAt);

        // A policy written by another tool (boto3's json.dumps spacing, other member order) is the same policy.
        var spaced = "{\"rules\": [{\"action\": {\"type\": \"expire\"}, \"rulePriority\": 1, \"selection\": {\"countNumber\": 10, \"countType\": \"imageCountMoreThan\", \"tagStatus\": \"any\"}}]}";
        await ecr.PutLifecyclePolicyAsync(repo, spaced, Ct);
        var respaced = await ecr.GetLifecyclePolicyAsync(repo, Ct);
        Assert.Equal(spaced, respaced.LifecyclePolicyText);
        Assert.True(EcsDeploy.Images.EcrLifecyclePolicy.AreEquivalent(text, respaced.LifecyclePolicyText));

        var invalid = await Assert.ThrowsAsync<AwsServiceException>(() => ecr.PutLifecyclePolicyAsync(repo, "not a policy".PadRight(120), Ct));
        Assert.Equal("InvalidParameterException", invalid.ErrorCode);
    }

    [Fact]
    public async Task Elbv2_DescribeLoadBalancersAndTargetGroups_ReadTheQueryAnswers()
    {
        var elb = new Elbv2WireClient(moto.Transport());
        var all = await elb.DescribeLoadBalancersAsync(null, null, null, Ct);
        var seeded = moto.Seed.GetProperty("loadBalancers").EnumerateArray().ToList();
        Assert.True(all.LoadBalancers.Count >= seeded.Count);
        var ollama = Assert.Single(all.LoadBalancers, lb => lb.LoadBalancerName == "wire-llm-alb");
        Assert.Equal(seeded[1].GetProperty("dns").GetString(), ollama.DNSName);
        Assert.Equal(seeded[1].GetProperty("arn").GetString(), ollama.LoadBalancerArn);
        Assert.Equal("internal", ollama.Scheme);
        Assert.Equal("application", ollama.Type);
        Assert.NotNull(ollama.State);

        var byName = await elb.DescribeLoadBalancersAsync(["wire-app-alb", "wire-other-alb"], null, null, Ct);
        Assert.Equal(["wire-app-alb", "wire-other-alb"], byName.LoadBalancers.Select(l => l.LoadBalancerName).Order());
        var byArn = await elb.DescribeLoadBalancersAsync(null, [ollama.LoadBalancerArn], null, Ct);
        Assert.Equal("wire-llm-alb", Assert.Single(byArn.LoadBalancers).LoadBalancerName);

        var groups = await elb.DescribeTargetGroupsAsync([moto.S("targetGroupArn")], null, Ct);
        var group = Assert.Single(groups.TargetGroups);
        Assert.Equal("wire-llm-tg", group.TargetGroupName);
        Assert.Equal("/api/tags", group.HealthCheckPath);
        Assert.Equal([ollama.LoadBalancerArn], group.LoadBalancerArns);
        // The health check settings and the deregistration delay the rollout follower times its reads with (ALB defaults).
        Assert.Equal((30, 5, 5, 2), (group.HealthCheckIntervalSeconds, group.HealthCheckTimeoutSeconds, group.HealthyThresholdCount, group.UnhealthyThresholdCount));
        var attributes = await elb.DescribeTargetGroupAttributesAsync(group.TargetGroupArn, Ct);
        Assert.Equal("300", attributes["deregistration_delay.timeout_seconds"]);

        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => elb.DescribeLoadBalancersAsync(["wire-missing"], null, null, Ct));
        Assert.Equal("LoadBalancerNotFound", missing.ErrorCode);
        Assert.Equal("ELBv2", missing.Service);
    }

    [Fact]
    public async Task SecretsManager_DescribesAndReadsTheSecret_AndErrorsNeverCarryTheValue()
    {
        var sm = new SecretsManagerWireClient(moto.Transport());
        var description = await sm.DescribeSecretAsync(moto.S("secretName"), Ct);
        Assert.Equal(moto.S("secretArn"), description.ARN);
        Assert.Equal(moto.S("secretName"), description.Name);
        var value = await sm.GetSecretValueAsync(moto.S("secretArn"), Ct);
        Assert.Equal("postgres://user:hunter2@db/app", value.SecretString);
        Assert.DoesNotContain("hunter2", value.ToString(), StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => sm.GetSecretValueAsync("wire/missing", Ct));
        Assert.Equal("ResourceNotFoundException", missing.ErrorCode);
        Assert.DoesNotContain("hunter2", missing.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(moto.SecretAccessKey, missing.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_GetLogEvents_ReadsEventsWithMillisecondTimestamps()
    {
        var logs = new CloudWatchLogsWireClient(moto.Transport());
        var response = await logs.GetLogEventsAsync(new GetLogEventsRequest(moto.S("logGroup"), moto.S("logStream"), StartFromHead: true), Ct);
        Assert.Equal(["line 0", "line 1", "line 2", "line 3", "line 4"], response.Events.Select(e => e.Message));
        var first = moto.Seed.GetProperty("firstLogTimestamp").GetInt64();
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(first), response.Events[0].Timestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(first + 4000), response.Events[4].Timestamp);
        Assert.NotNull(response.NextForwardToken);
    }

    [Fact]
    public async Task Logs_PutRetentionPolicy_IsReadBackByDescribeLogGroups_AndAMissingGroupIsResourceNotFound()
    {
        var logs = new CloudWatchLogsWireClient(moto.Transport());
        var group = moto.S("logGroup");

        await logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest(group, 7), Ct);
        var described = await logs.DescribeLogGroupsAsync(new DescribeLogGroupsRequest(group), Ct);

        var found = Assert.Single(described.LogGroups, g => g.LogGroupName == group);
        Assert.Equal(7, found.RetentionInDays);
        Assert.Contains(":log-group:" + group, found.Arn, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest("/ecs/no-such-group", 7), Ct));
        Assert.Equal("ResourceNotFoundException", missing.ErrorCode);
    }

    [Fact]
    public async Task S3TerraformState_ReadsOutputsFromRemoteState_AndNullForAMissingObject()
    {
        var credentials = new BasicAWSCredentials(moto.AccessKeyId, moto.SecretAccessKey);
        using var state = new S3TerraformState(moto.S("stateBucket"), moto.S("stateKey"), MotoServerFixture.Region, credentials, moto.EnvironmentFor(moto.Endpoint));
        var outputs = await state.ReadAsync(Ct);
        Assert.NotNull(outputs);
        Assert.Equal(moto.S("cluster"), outputs["ecs_cluster_name"].Value.GetString());
        Assert.True(outputs["db_password"].Sensitive);
        Assert.Equal(2, outputs["subnets"].Value.GetArrayLength());
        Assert.Contains("s3://wire-tfstate/env/test/terraform.tfstate", state.Source, StringComparison.Ordinal);

        using var missing = new S3TerraformState(moto.S("stateBucket"), "nope/terraform.tfstate", MotoServerFixture.Region, credentials, moto.EnvironmentFor(moto.Endpoint));
        Assert.Null(await missing.ReadAsync(Ct));
    }

    [Fact]
    public async Task AwsTarget_ReadsAnS3StatePath_AndRefusesAMalformedOne()
    {
        var credentials = new BasicAWSCredentials(moto.AccessKeyId, moto.SecretAccessKey);
        var settings = new EcsDeploy.Discovery.TerraformSettings().StateFile($"s3://{moto.S("stateBucket")}/{moto.S("stateKey")}");
        var terraform = AwsWireTarget.TerraformFor(settings, MotoServerFixture.Region, credentials, moto.EnvironmentFor(moto.Endpoint));
        var outputs = await Assert.IsType<S3TerraformState>(terraform).ReadAsync(Ct);
        Assert.Equal(moto.S("cluster"), outputs!["ecs_cluster_name"].Value.GetString());

        Assert.IsType<EcsDeploy.Discovery.TerraformStateFile>(AwsWireTarget.TerraformFor(new EcsDeploy.Discovery.TerraformSettings().StateFile("infra/terraform.tfstate"), MotoServerFixture.Region, credentials));
        var error = Assert.Throws<PipelineStageException>(() => AwsWireTarget.TerraformFor(new EcsDeploy.Discovery.TerraformSettings().StateFile("s3://bucket-only"), MotoServerFixture.Region, credentials));
        Assert.Equal(FailureKind.Invalid, error.Kind);
        Assert.Contains("s3://BUCKET/KEY", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongSecret_IsSignatureDoesNotMatch_OnJsonAndQueryServices()
    {
        var transport = moto.Transport(new BasicAWSCredentials(moto.AccessKeyId, "not-the-secret"));
        var ecs = await Assert.ThrowsAsync<AwsServiceException>(() => new EcsWireClient(transport).DescribeServicesAsync(new DescribeServicesRequest(moto.S("cluster"), [moto.S("service")]), Ct));
        Assert.Equal("SignatureDoesNotMatch", ecs.ErrorCode);
        Assert.Equal(403, ecs.StatusCode);
        Assert.Contains("check AWS_PROFILE / AWS_SECRET_ACCESS_KEY", ecs.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", ecs.ToString(), StringComparison.Ordinal);
        var elb = await Assert.ThrowsAsync<AwsServiceException>(() => new Elbv2WireClient(transport).DescribeLoadBalancersAsync(null, null, null, Ct));
        Assert.Equal("SignatureDoesNotMatch", elb.ErrorCode);
    }

    [Fact]
    public async Task UnknownKey_IsInvalidClientTokenId()
    {
        var transport = moto.Transport(new BasicAWSCredentials("AKIAUNKNOWNKEY000000", "whatever"));
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => new SecretsManagerWireClient(transport).DescribeSecretAsync(moto.S("secretName"), Ct));
        Assert.Equal("InvalidClientTokenId", error.ErrorCode);
        Assert.Equal("SecretsManager", error.Service);
        Assert.Equal("DescribeSecret", error.Operation);
    }

    [Fact]
    public async Task UnreachableEndpoint_IsAnHttpRequestExceptionNamingServiceAndEndpoint()
    {
        var closed = new Uri($"http://127.0.0.1:{MotoServerFixture.FreePort()}/");
        var transport = moto.Transport(endpoint: closed);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => new EcsWireClient(transport).ListTasksAsync(new ListTasksRequest { Cluster = "c" }, Ct));
        Assert.Contains("ECS ListTasks: could not reach " + closed.GetLeftPart(UriPartial.Authority), error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task Environment_WrapsEveryPortWithRetries_AndOpensTheRegistryFromEcrsToken()
    {
        EcrAuthorizationData? seen = null;
        var counting = new CountingHandler();
        var environment = await AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = MotoServerFixture.Region,
            Credentials = new BasicAWSCredentials(moto.AccessKeyId, moto.SecretAccessKey),
            Environment = moto.EnvironmentFor(moto.Endpoint),
            HttpHandler = counting,
            OpenRegistry = (auth, _) =>
            {
                seen = auth;
                return Task.FromResult<IImageRegistry>(new NoRegistry(new Uri(auth.ProxyEndpoint).Host));
            },
        }, Ct);

        var services = await environment.Ecs.DescribeServicesAsync(new DescribeServicesRequest(moto.S("cluster"), [moto.S("service")]), Ct);
        Assert.Single(services.Services);
        Assert.Single(await environment.Ecr.DescribeRepositoriesAsync([moto.S("repositoryName")], Ct));
        Assert.NotEmpty((await environment.Elbv2.DescribeLoadBalancersAsync(null, null, null, Ct)).LoadBalancers);
        Assert.Equal(moto.S("secretArn"), (await environment.SecretsManager.DescribeSecretAsync(moto.S("secretName"), Ct)).ARN);
        var registry = await environment.OpenRegistryAsync(Ct);
        Assert.NotNull(seen);
        Assert.Equal(new Uri(seen.ProxyEndpoint).Host, registry.Host);
        Assert.Equal("AWS eu-central-1", environment.Description);
        Assert.Equal(0, environment.RetryPolicy.RetriesMade);
        Assert.Equal(5, counting.Requests);
    }

    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Requests);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Theory]
    [InlineData("moon-central-1")]
    [InlineData("eu-central")]
    public async Task UnknownRegion_IsAnInvalidDefinition_BeforeAnyCall(string region)
    {
        var error = await Assert.ThrowsAsync<PipelineStageException>(() => AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = region,
            Credentials = new BasicAWSCredentials(moto.AccessKeyId, moto.SecretAccessKey),
            Environment = moto.EnvironmentFor(moto.Endpoint),
        }, Ct));
        Assert.Equal(FailureKind.Invalid, error.Kind);
        Assert.Contains(region, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_ByDefault_OpensEcrsRegistryWithTheOciClient()
    {
        var environment = await AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = MotoServerFixture.Region,
            Credentials = new BasicAWSCredentials(moto.AccessKeyId, moto.SecretAccessKey),
            Environment = moto.EnvironmentFor(moto.Endpoint),
        }, Ct);
        var registry = await environment.OpenRegistryAsync(Ct);
        var authorization = await new EcrWireClient(moto.Transport()).GetAuthorizationTokenAsync(Ct);
        Assert.Equal(new Uri(authorization.ProxyEndpoint).Authority, registry.Host);
    }

    private sealed class NoRegistry(string host) : IImageRegistry
    {
        public string Host => host;
        public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task PushBlobAsync(string repository, string digest, Stream content, long length, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string> PutManifestAsync(string repository, string reference, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
