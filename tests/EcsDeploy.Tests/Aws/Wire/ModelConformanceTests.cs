using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>
/// Every member the wire clients send and read exists, with a compatible type, in botocore's model of the
/// operation. The clients run against a loopback stub that records their requests (serialised by the clients'
/// own code) and answers with samples generated from the output shapes; the types the answers are read into
/// and the XML elements read are reported by the transport's observer.
/// </summary>
public sealed class ModelConformanceTests
{
    private static readonly Dictionary<string, BotocoreModel> Models = new[] { "ecs", "ecr", "elbv2", "secretsmanager", "logs", "iam", "application-autoscaling", "cloudwatch" }
        .ToDictionary(s => s, BotocoreModel.Load);

    private static readonly Dictionary<AwsWireService, string> ModelOf = new()
    {
        [AwsWireService.Ecs] = "ecs",
        [AwsWireService.Ecr] = "ecr",
        [AwsWireService.Elbv2] = "elbv2",
        [AwsWireService.SecretsManager] = "secretsmanager",
        [AwsWireService.Logs] = "logs",
        [AwsWireService.Iam] = "iam",
        [AwsWireService.ApplicationAutoScaling] = "application-autoscaling",
        [AwsWireService.CloudWatch] = "cloudwatch",
    };

    private sealed class Observer : IAwsWireObserver
    {
        public ConcurrentBag<(AwsWireService Service, string Operation, Type Type)> JsonReads { get; } = [];
        public ConcurrentBag<(AwsWireService Service, string Operation, string Path)> XmlReads { get; } = [];
        public void JsonResponseRead(AwsWireService service, string operation, Type type) => JsonReads.Add((service, operation, type));
        public void XmlElementRead(AwsWireService service, string operation, string path) => XmlReads.Add((service, operation, path));
    }

    [Fact]
    public void Metadata_ProtocolsTargetPrefixesAndSigningNames_MatchTheModels()
    {
        foreach (var (service, model) in ModelOf)
        {
            var metadata = Models[model].Metadata;
            if (service.Protocol == AwsWireProtocol.Json10)
            {
                // CloudWatch declares several protocols (smithy-rpc-v2-cbor first); the clients speak its JSON 1.0, as the
                // AWS CLI v1 here does, and say x-amzn-query-mode because the model is AWS Query compatible.
                Assert.Contains("json", metadata.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()));
                Assert.Equal("1.0", metadata.GetProperty("jsonVersion").GetString());
                Assert.Equal(metadata.GetProperty("targetPrefix").GetString(), service.TargetPrefixOrVersion);
                Assert.True(metadata.TryGetProperty("awsQueryCompatible", out _), $"{model} is not AWS Query compatible: drop x-amzn-query-mode");
            }
            else
            {
                Assert.Equal(service.Protocol == AwsWireProtocol.Json11 ? "json" : "query", metadata.GetProperty("protocol").GetString());
            }
            Assert.Equal(metadata.TryGetProperty("signingName", out var signing) ? signing.GetString() : metadata.GetProperty("endpointPrefix").GetString(), service.SigningName);
            Assert.Equal(metadata.GetProperty("endpointPrefix").GetString(), service.EndpointPrefix.Split('.')[^1] == "ecr" ? "api.ecr" : service.EndpointPrefix);
            Assert.Equal(metadata.GetProperty("serviceId").GetString()!.ToUpperInvariant().Replace(' ', '_'), service.EndpointVariableKey);
            if (service.Protocol == AwsWireProtocol.Json11)
            {
                Assert.Equal(metadata.GetProperty("targetPrefix").GetString(), service.TargetPrefixOrVersion);
                Assert.Equal("1.1", metadata.GetProperty("jsonVersion").GetString());
            }
            else if (service.Protocol == AwsWireProtocol.Query)
            {
                Assert.Equal(metadata.GetProperty("apiVersion").GetString(), service.TargetPrefixOrVersion);
            }
        }
    }

    [Fact]
    public async Task EveryMemberSentAndRead_ExistsInBotocoresModel()
    {
        var observer = new Observer();
        using var stub = new LoopbackStub(SampleAnswer);
        var transport = stub.Transport();
        transport.Observer = observer;
        await CallEveryOperationAsync(transport);

        var problems = new List<string>();
        var operations = new HashSet<string>();
        foreach (var request in stub.Requests)
        {
            var (service, model) = ServiceOf(request);
            var operation = request.Operation;
            operations.Add($"{service.Name}.{operation}");
            if (!model.HasOperation(operation))
            {
                problems.Add($"{model.Service}: calls '{operation}', which the model does not have");
                continue;
            }
            var input = model.InputShape(operation)!;
            if (service.Protocol is AwsWireProtocol.Json11 or AwsWireProtocol.Json10)
            {
                Assert.Equal("application/x-amz-json-" + model.Metadata.GetProperty("jsonVersion").GetString(), request.Header("Content-Type"));
                model.CheckSent(operation, "", JsonNode.Parse(request.Body), input, problems);
            }
            else
            {
                var form = request.Form();
                Assert.Equal(model.Metadata.GetProperty("apiVersion").GetString(), form["Version"]);
                foreach (var (name, value) in form.Where(p => p.Key is not ("Action" or "Version")))
                {
                    model.CheckQueryParameter(operation, name, value, input, problems);
                }
            }
        }
        foreach (var (service, operation, type) in observer.JsonReads.Distinct())
        {
            var model = Models[ModelOf[service]];
            var options = service == AwsWireService.SecretsManager || service == AwsWireService.ApplicationAutoScaling || service == AwsWireService.CloudWatch ? AwsWireJson.PascalCase : AwsWireJson.CamelCase;
            if (model.OutputShape(operation) is not { } output)
            {
                // No output in the model (PutRetentionPolicy): the answer type must read nothing.
                Assert.True(type.GetProperties().Length == 0, $"{service.Name} {operation} has no output in botocore's model, but {type.Name} reads members");
                continue;
            }
            model.CheckRead(operation, "", type, output, options, problems);
        }
        foreach (var (service, operation, path) in observer.XmlReads.Distinct())
        {
            Models[ModelOf[service]].CheckXmlPath(operation, path, problems);
        }

        Assert.True(problems.Count == 0, "Drift from botocore's models:\n" + string.Join("\n", problems.Distinct()));
        // Every port operation went through the check.
        Assert.Equal(
            ["ApplicationAutoScaling.DescribeScalableTargets", "ApplicationAutoScaling.RegisterScalableTarget", "CloudWatch.DescribeAlarms", "CloudWatchLogs.DescribeLogGroups", "CloudWatchLogs.GetLogEvents", "CloudWatchLogs.PutRetentionPolicy", "ECR.BatchGetImage", "ECR.DescribeImageScanFindings", "ECR.DescribeImages", "ECR.DescribeRepositories", "ECR.GetAuthorizationToken", "ECR.GetLifecyclePolicy", "ECR.PutImage",
             "ECR.PutImageScanningConfiguration", "ECR.PutLifecyclePolicy", "ECR.StartImageScan",
             "ECS.ContinueServiceDeployment", "ECS.DeleteTaskDefinitions", "ECS.DeregisterTaskDefinition", "ECS.DescribeServiceDeployments", "ECS.DescribeServiceRevisions", "ECS.DescribeServices", "ECS.DescribeTaskDefinition", "ECS.DescribeTasks", "ECS.ListServiceDeployments", "ECS.ListTaskDefinitions", "ECS.ListTasks",
             "ECS.RegisterTaskDefinition", "ECS.RunTask", "ECS.StopServiceDeployment", "ECS.StopTask", "ECS.TagResource", "ECS.UntagResource", "ECS.UpdateService", "ELBv2.DescribeLoadBalancers", "ELBv2.DescribeTargetGroupAttributes", "ELBv2.DescribeTargetGroups", "IAM.GetRole", "SecretsManager.DescribeSecret", "SecretsManager.GetSecretValue"],
            operations.Order(StringComparer.Ordinal));
        Assert.Contains(observer.XmlReads, r => r.Path == "LoadBalancers/member/State/Code");
        Assert.Contains(observer.XmlReads, r => r.Service == AwsWireService.Iam && r.Path == "Role/AssumeRolePolicyDocument");
    }

    [Fact]
    public void Checks_NameTheOperationAndMember_OfADrift()
    {
        var ecs = Models["ecs"];
        var problems = new List<string>();
        ecs.CheckSent("UpdateService", "", JsonNode.Parse("""{"cluster":"c","service":"s","forceDeployment":true,"desiredCount":"2"}"""), ecs.InputShape("UpdateService")!, problems);
        ecs.CheckRead("DescribeServices", "", typeof(DriftedAnswer), ecs.OutputShape("DescribeServices")!, AwsWireJson.CamelCase, problems);
        Models["elbv2"].CheckXmlPath("DescribeLoadBalancers", "LoadBalancers/member/DnsName", problems);
        Models["elbv2"].CheckQueryParameter("DescribeLoadBalancers", "Names.1", "x", Models["elbv2"].InputShape("DescribeLoadBalancers")!, problems);

        Assert.Contains("ecs UpdateService: sends member 'forceDeployment', which UpdateServiceRequest does not have", problems);
        Assert.Contains("ecs UpdateService: sends 'desiredCount' as a JSON String, but BoxedInteger is a integer", problems);
        Assert.Contains("ecs DescribeServices: reads member 'services[].runnningCount', which Service does not have", problems);
        Assert.Contains("ecs DescribeServices: reads 'services[].desiredCount' as String, but Integer is a integer", problems);
        Assert.Contains("elbv2 DescribeLoadBalancers: reads 'LoadBalancers/member/DnsName', but LoadBalancer has no member 'DnsName'", problems);
        Assert.Contains("elbv2 DescribeLoadBalancers: parameter 'Names.1' does not address list LoadBalancerNames as NAME.member.N", problems);
        Assert.Equal(6, problems.Count);
    }

    internal sealed record DriftedService(string ServiceName, int RunnningCount, string DesiredCount);

    internal sealed record DriftedAnswer(IReadOnlyList<DriftedService> Services);

    private static (AwsWireService Service, BotocoreModel Model) ServiceOf(StubRequest request)
    {
        var target = request.Header("X-Amz-Target");
        var service = target is null
            ? (request.Form()["Version"] == AwsWireService.Iam.TargetPrefixOrVersion ? AwsWireService.Iam : AwsWireService.Elbv2)
            : ModelOf.Keys.Single(s => s.Protocol is AwsWireProtocol.Json11 or AwsWireProtocol.Json10 && target.StartsWith(s.TargetPrefixOrVersion + ".", StringComparison.Ordinal));
        return (service, Models[ModelOf[service]]);
    }

    private static StubAnswer SampleAnswer(StubRequest request)
    {
        var (service, model) = ServiceOf(request);
        var operation = request.Operation;
        if (service.Protocol is AwsWireProtocol.Json11 or AwsWireProtocol.Json10)
        {
            var sent = JsonNode.Parse(request.Body)!.AsObject();
            var withTokens = !sent.ContainsKey("nextToken") && !sent.ContainsKey("NextToken");
            var output = model.OutputShape(operation);
            return new StubAnswer(200, output is null ? "{}" : model.SampleJson(output, withTokens)!.ToJsonString());
        }
        return new StubAnswer(200, model.SampleXml(operation, !request.Form().ContainsKey("Marker")), "text/xml");
    }

    /// <summary>Calls every port operation with every member the port can send filled in.</summary>
    internal static async Task CallEveryOperationAsync(AwsWireTransport transport)
    {
        var ct = CancellationToken.None;
        var ecs = new EcsWireClient(transport);
        var container = new ContainerDefinition
        {
            Name = "app", Image = "repo:tag", Cpu = 128, Memory = 512, MemoryReservation = 256, Essential = true,
            EntryPoint = ["sh", "-c"], Command = ["node", "server.js"],
            Environment = [new EcsKeyValuePair("A", "1")], Secrets = [new EcsSecret("DB", "arn:aws:secretsmanager:eu-central-1:1:secret:db-AbCdEf")],
            PortMappings = [new PortMapping { ContainerPort = 3000, HostPort = 3000, Protocol = "tcp", Name = "http" }],
            LogConfiguration = new LogConfiguration { LogDriver = "awslogs", Options = new() { ["awslogs-group"] = "/ecs/app" } },
            HealthCheck = new HealthCheck { Command = ["CMD-SHELL", "true"], Interval = 30, Timeout = 5, Retries = 3, StartPeriod = 10 },
            ExtensionData = new() { ["workingDirectory"] = JsonSerializer.SerializeToElement("/app") },
        };
        var definition = new TaskDefinition
        {
            TaskDefinitionArn = "arn:aws:ecs:eu-central-1:1:task-definition/app:3", Family = "app", Revision = 3, Status = "ACTIVE",
            ContainerDefinitions = [container], TaskRoleArn = "arn:aws:iam::1:role/task", ExecutionRoleArn = "arn:aws:iam::1:role/exec",
            NetworkMode = "awsvpc", Cpu = "256", Memory = "512", RequiresCompatibilities = ["FARGATE"], Compatibilities = ["EC2", "FARGATE"],
            RequiresAttributes = JsonSerializer.SerializeToElement(new[] { new { name = "ecs.capability.execution-role-awslogs" } }),
            RegisteredAt = DateTimeOffset.UnixEpoch.AddYears(56), RegisteredBy = "arn:aws:iam::1:user/me", DeregisteredAt = DateTimeOffset.UnixEpoch.AddYears(56),
            ExtensionData = new() { ["pidMode"] = JsonSerializer.SerializeToElement("task") },
        };
        var network = new NetworkConfiguration(new AwsVpcConfiguration { Subnets = ["subnet-1"], SecurityGroups = ["sg-1"], AssignPublicIp = "DISABLED" });

        await ecs.DescribeServicesAsync(new DescribeServicesRequest("cluster", ["service"]) { Include = [DescribeServicesRequest.IncludeTags] }, ct);
        await ecs.TagResourceAsync(new TagResourceRequest("arn:aws:ecs:eu-central-1:1:service/c/s", [new EcsTag("k", "v")]), ct);
        await ecs.UntagResourceAsync(new UntagResourceRequest("arn:aws:ecs:eu-central-1:1:service/c/s", ["k"]), ct);
        await ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest("app:3"), ct);
        await ecs.ListTaskDefinitionsAsync(new ListTaskDefinitionsRequest("app", NextToken: "token"), ct);
        await ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest(definition, [new EcsTag("k", "v")]), ct);
        await ecs.UpdateServiceAsync(new UpdateServiceRequest
        {
            Cluster = "cluster", Service = "service", TaskDefinition = "app:3", ForceNewDeployment = true, DesiredCount = 2,
            DeploymentConfiguration = new DeploymentConfiguration { DeploymentCircuitBreaker = new DeploymentCircuitBreaker(true, true), MaximumPercent = 200, MinimumHealthyPercent = 100 },
        }, ct);
        await ecs.UpdateServiceAsync(StrategySamples.CanaryUpdate, ct);
        await ecs.ContinueServiceDeploymentAsync(new ContinueServiceDeploymentRequest("arn:aws:ecs:eu-central-1:1:service-deployment/c/s/1", "hook-1", LifecycleHookActions.Rollback), ct);
        await ecs.StopServiceDeploymentAsync(new StopServiceDeploymentRequest("arn:aws:ecs:eu-central-1:1:service-deployment/c/s/1", StopTypes.Rollback), ct);
        await ecs.RunTaskAsync(new RunTaskRequest
        {
            Cluster = "cluster", TaskDefinition = "app:3", NetworkConfiguration = network, StartedBy = "ecsdeploy", Count = 1, ClientToken = "token",
            Overrides = new TaskOverride([new ContainerOverride { Name = "app", Command = ["migrate"], Environment = [new EcsKeyValuePair("A", "1")] }]),
        }, ct);
        await ecs.DescribeServiceRevisionsAsync(new DescribeServiceRevisionsRequest(["arn:aws:ecs:eu-central-1:1:service-revision/c/s/1"]), ct);
        await ecs.DescribeTasksAsync(new DescribeTasksRequest("cluster", ["task"]), ct);
        await ecs.ListTasksAsync(new ListTasksRequest { Cluster = "cluster", ServiceName = "service", StartedBy = "ecsdeploy", DesiredStatus = "STOPPED", NextToken = "token" }, ct);
        await ecs.StopTaskAsync(new StopTaskRequest("cluster", "task", "stopped by ecsdeploy run: timed out"), ct);
        await ecs.DeregisterTaskDefinitionAsync(new DeregisterTaskDefinitionRequest("app:3"), ct);
        await ecs.DeleteTaskDefinitionsAsync(new DeleteTaskDefinitionsRequest(["app:2", "app:3"]), ct);
        await ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest(["arn:aws:ecs:eu-central-1:1:service-deployment/cluster/service/ABCDEFGH-abcdefghijkl"]), ct);
        await ecs.ListServiceDeploymentsAsync(new ListServiceDeploymentsRequest
        {
            Service = "service", Cluster = "cluster", Status = ["IN_PROGRESS", "ROLLBACK_SUCCESSFUL"],
            CreatedAt = new CreatedAtFilter { After = DateTimeOffset.UnixEpoch.AddYears(55), Before = DateTimeOffset.UnixEpoch.AddYears(56) },
            NextToken = "token", MaxResults = 5,
        }, ct);

        var ecr = new EcrWireClient(transport);
        await ecr.DescribeRepositoriesAsync(["repo"], ct);
        await ecr.GetAuthorizationTokenAsync(ct);
        await ecr.DescribeImagesAsync("repo", [new ImageIdentifier("sha256:abc", "v1")], ct);
        await ecr.DescribeImagesAsync("repo", [], ct);
        await ecr.BatchGetImageAsync("repo", [new ImageIdentifier("sha256:abc", "v1")], ct);
        await ecr.PutImageAsync(new PutImageRequest("repo", "{}", "application/vnd.oci.image.manifest.v1+json", "v2", "sha256:abc"), ct);
        await ecr.PutImageScanningConfigurationAsync("repo", new ImageScanningConfiguration(true), ct);
        await ecr.DescribeImageScanFindingsAsync("repo", new ImageIdentifier("sha256:abc", "v1"), ct);
        await ecr.StartImageScanAsync("repo", new ImageIdentifier("sha256:abc"), ct);
        await ecr.GetLifecyclePolicyAsync("repo", ct);
        await ecr.PutLifecyclePolicyAsync("repo", EcsDeploy.Images.EcrLifecyclePolicy.KeepLastImages(10), ct);

        var elb = new Elbv2WireClient(transport);
        await elb.DescribeLoadBalancersAsync(["a", "b"], ["arn:1"], "marker", ct);
        await elb.DescribeTargetGroupsAsync(["arn:tg"], "marker", ct);
        await elb.DescribeTargetGroupAttributesAsync("arn:tg", ct);

        await new IamWireClient(transport).GetRoleAsync("exec", ct);

        var sm = new SecretsManagerWireClient(transport);
        await sm.DescribeSecretAsync("secret", ct);
        await sm.GetSecretValueAsync("secret", ct);

        var logs = new CloudWatchLogsWireClient(transport);
        await logs.GetLogEventsAsync(new GetLogEventsRequest("/ecs/app", "stream", 100, true, "token"), ct);
        await logs.DescribeLogGroupsAsync(new DescribeLogGroupsRequest("/ecs/", "token", 10), ct);
        await logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest("/ecs/app", 7), ct);

        await new CloudWatchWireClient(transport).DescribeAlarmsAsync(
            new DescribeAlarmsRequest(["backend-5xx", "backend-latency"], [AlarmTypes.MetricAlarm, AlarmTypes.CompositeAlarm], 50, "token"), ct);

        var autoScaling = new ApplicationAutoScalingWireClient(transport);
        await autoScaling.DescribeScalableTargetsAsync(new DescribeScalableTargetsRequest("ecs", ["service/c/s"], EcsScalableTargets.DesiredCount, 50, "token"), ct);
        await autoScaling.RegisterScalableTargetAsync(new RegisterScalableTargetRequest
        {
            ServiceNamespace = "ecs", ResourceId = "service/c/s", ScalableDimension = EcsScalableTargets.DesiredCount, MinCapacity = 1, MaxCapacity = 4,
            SuspendedState = SuspendedState.All,
        }, ct);
    }
}
