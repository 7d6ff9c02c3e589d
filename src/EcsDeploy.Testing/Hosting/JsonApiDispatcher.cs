using System.Text.Json;
using System.Text.Json.Nodes;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// Answers JSON 1.1 calls (ECS, ECR, Secrets Manager, CloudWatch Logs; Application Auto Scaling in AutoScalingDispatcher) from a <see cref="SimulatedAws"/>: the
/// body is read into the request models the wire clients send, and the answer is written with the same
/// <see cref="AwsWireJson"/> settings they read with.
/// </summary>
internal sealed class JsonApiDispatcher(SimulatedAws aws, Func<string> registryEndpoint)
{
    private static readonly JsonSerializerOptions Camel = AwsWireJson.CamelCase;
    private static readonly JsonSerializerOptions Pascal = AwsWireJson.PascalCase;

    /// <summary>The wire services by target prefix.</summary>
    public static readonly IReadOnlyDictionary<string, AwsWireService> ByTargetPrefix = new Dictionary<string, AwsWireService>(StringComparer.Ordinal)
    {
        [AwsWireService.Ecs.TargetPrefixOrVersion] = AwsWireService.Ecs,
        [AwsWireService.Ecr.TargetPrefixOrVersion] = AwsWireService.Ecr,
        [AwsWireService.SecretsManager.TargetPrefixOrVersion] = AwsWireService.SecretsManager,
        [AwsWireService.Logs.TargetPrefixOrVersion] = AwsWireService.Logs,
        [AwsWireService.ApplicationAutoScaling.TargetPrefixOrVersion] = AwsWireService.ApplicationAutoScaling,
        [AwsWireService.CloudWatch.TargetPrefixOrVersion] = AwsWireService.CloudWatch,
    };

    /// <summary>Runs <paramref name="operation"/> of <paramref name="service"/> and returns the JSON answer.</summary>
    /// <exception cref="AwsServiceException">The simulated service refused the call, or the request is invalid.</exception>
    public async Task<byte[]> DispatchAsync(AwsWireService service, string operation, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        JsonObject request;
        try
        {
            request = (body.IsEmpty ? null : JsonNode.Parse(body.Span)) as JsonObject ?? [];
        }
        catch (JsonException ex)
        {
            throw new AwsServiceException(service.Name, operation, "SerializationException", $"Start of structure or map found where not expected: {ex.Message}", 400);
        }
        try
        {
            if (JsonReadDispatcher.Dispatch(aws, service.Name, operation, request) is { } read)
            {
                return JsonSerializer.SerializeToUtf8Bytes(read);
            }
            object answer = service.Name switch
            {
                "ECS" => await EcsAsync(operation, request, cancellationToken).ConfigureAwait(false),
                "ECR" => await EcrAsync(operation, request, cancellationToken).ConfigureAwait(false),
                "SecretsManager" => await SecretsManagerAsync(operation, request, cancellationToken).ConfigureAwait(false),
                "CloudWatchLogs" => await LogsAsync(operation, request, cancellationToken).ConfigureAwait(false),
                "ApplicationAutoScaling" => await AutoScalingDispatcher.DispatchAsync(aws.AutoScaling, operation, request, cancellationToken).ConfigureAwait(false),
                "CloudWatch" => await CloudWatchDispatcher.DispatchAsync(aws.CloudWatch, operation, request, cancellationToken).ConfigureAwait(false),
                _ => throw Unknown(service, operation),
            };
            if (answer is JsonNode node)
            {
                return JsonSerializer.SerializeToUtf8Bytes(node);
            }
            return JsonSerializer.SerializeToUtf8Bytes(answer, answer.GetType(), service == AwsWireService.SecretsManager ? Pascal : Camel);
        }
        catch (JsonException ex)
        {
            throw new AwsServiceException(service.Name, operation, "SerializationException", ex.Message, 400);
        }
        catch (InvalidOperationException ex)
        {
            throw new AwsServiceException(service.Name, operation, "InvalidParameterException", ex.Message, 400);
        }
    }

    private async Task<object> EcsAsync(string operation, JsonObject request, CancellationToken cancellationToken)
    {
        var ecs = aws.Ecs;
        switch (operation)
        {
            case "DescribeServices":
                return await ecs.DescribeServicesAsync(Read<DescribeServicesRequest>(request, "cluster", "default"), cancellationToken).ConfigureAwait(false);
            case "DescribeTaskDefinition":
            {
                var includeTags = request["include"] is JsonArray include && include.Any(i => i?.GetValue<string>() == "TAGS");
                var name = RequiredString(request, "taskDefinition", operation);
                var response = await ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(name, includeTags), cancellationToken).ConfigureAwait(false);
                var answer = new JsonObject { ["taskDefinition"] = JsonSerializer.SerializeToNode(response.TaskDefinition, Camel) };
                if (includeTags)
                {
                    answer["tags"] = JsonSerializer.SerializeToNode(response.Tags, Camel);
                }
                return answer;
            }
            case "RegisterTaskDefinition":
            {
                var tags = request["tags"] is JsonNode tagNode ? tagNode.Deserialize<List<EcsTag>>(Camel) ?? [] : [];
                var definitionNode = request.DeepClone().AsObject();
                definitionNode.Remove("tags");
                var definition = definitionNode.Deserialize<TaskDefinition>(Camel) ?? throw new JsonException("The body is not a task definition.");
                var response = await ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest(definition, tags), cancellationToken).ConfigureAwait(false);
                return new JsonObject
                {
                    ["taskDefinition"] = JsonSerializer.SerializeToNode(response.TaskDefinition, Camel),
                    ["tags"] = JsonSerializer.SerializeToNode(response.Tags, Camel),
                };
            }
            case "UpdateService":
                return await ecs.UpdateServiceAsync(Read<UpdateServiceRequest>(request, "cluster", "default"), cancellationToken).ConfigureAwait(false);
            case "RunTask":
                return await ecs.RunTaskAsync(Read<RunTaskRequest>(request, "cluster", "default"), cancellationToken).ConfigureAwait(false);
            case "DescribeTasks":
                return JsonReadDispatcher.WithNetworkInterfaces(aws, JsonSerializer.SerializeToNode(
                    await ecs.DescribeTasksAsync(Read<DescribeTasksRequest>(request, "cluster", "default"), cancellationToken).ConfigureAwait(false), Camel)!.AsObject());
            case "TagResource":
                await ecs.TagResourceAsync(new TagResourceRequest(RequiredString(request, "resourceArn", operation), request["tags"]?.Deserialize<List<EcsTag>>(Camel) ?? []), cancellationToken).ConfigureAwait(false);
                return new JsonObject();
            case "UntagResource":
                await ecs.UntagResourceAsync(new UntagResourceRequest(RequiredString(request, "resourceArn", operation), request["tagKeys"]?.Deserialize<List<string>>(Camel) ?? []), cancellationToken).ConfigureAwait(false);
                return new JsonObject();
            case "StopTask":
                return await ecs.StopTaskAsync(new StopTaskRequest(request["cluster"]?.GetValue<string>() ?? "default", RequiredString(request, "task", operation), request["reason"]?.GetValue<string>()), cancellationToken).ConfigureAwait(false);
            case "DeregisterTaskDefinition":
                return await ecs.DeregisterTaskDefinitionAsync(new DeregisterTaskDefinitionRequest(RequiredString(request, "taskDefinition", operation)), cancellationToken).ConfigureAwait(false);
            case "DeleteTaskDefinitions":
                return await ecs.DeleteTaskDefinitionsAsync(request["taskDefinitions"] is JsonArray list
                    ? new DeleteTaskDefinitionsRequest(list.Deserialize<List<string>>(Camel) ?? [])
                    : throw Required("taskDefinitions", operation), cancellationToken).ConfigureAwait(false);
            case "DescribeServiceDeployments":
                return await ecs.DescribeServiceDeploymentsAsync(request["serviceDeploymentArns"] is JsonArray arns
                    ? new DescribeServiceDeploymentsRequest(arns.Deserialize<List<string>>(Camel) ?? [])
                    : throw Required("serviceDeploymentArns", operation), cancellationToken).ConfigureAwait(false);
            case "DescribeServiceRevisions":
                return await ecs.DescribeServiceRevisionsAsync(request["serviceRevisionArns"] is JsonArray revisionArns
                    ? new DescribeServiceRevisionsRequest(revisionArns.Deserialize<List<string>>(Camel) ?? [])
                    : throw Required("serviceRevisionArns", operation), cancellationToken).ConfigureAwait(false);
            case "ListServiceDeployments":
                RequiredString(request, "service", operation);
                return await ecs.ListServiceDeploymentsAsync(Read<ListServiceDeploymentsRequest>(request, "cluster", "default"), cancellationToken).ConfigureAwait(false);
            case "ContinueServiceDeployment":
                return await ecs.ContinueServiceDeploymentAsync(new ContinueServiceDeploymentRequest(RequiredString(request, "serviceDeploymentArn", operation),
                    request["hookId"]?.GetValue<string>(), request["action"]?.GetValue<string>()), cancellationToken).ConfigureAwait(false);
            case "StopServiceDeployment":
                return await ecs.StopServiceDeploymentAsync(new StopServiceDeploymentRequest(RequiredString(request, "serviceDeploymentArn", operation),
                    request["stopType"]?.GetValue<string>()), cancellationToken).ConfigureAwait(false);
            default:
                throw Unknown(AwsWireService.Ecs, operation);
        }
    }

    private async Task<object> EcrAsync(string operation, JsonObject request, CancellationToken cancellationToken)
    {
        var ecr = aws.Ecr;
        switch (operation)
        {
            case "DescribeRepositories":
            {
                var names = request["repositoryNames"]?.Deserialize<List<string>>(Camel) ?? [];
                var repositories = await ecr.DescribeRepositoriesAsync(names, cancellationToken).ConfigureAwait(false);
                return new JsonObject { ["repositories"] = JsonSerializer.SerializeToNode(repositories, Camel) };
            }
            case "GetAuthorizationToken":
            {
                // The registry of the simulated account is served by this host: point clients at it.
                var data = await ecr.GetAuthorizationTokenAsync(cancellationToken).ConfigureAwait(false);
                data = data with { ProxyEndpoint = registryEndpoint() };
                return new JsonObject { ["authorizationData"] = JsonSerializer.SerializeToNode(new[] { data }, Camel) };
            }
            case "DescribeImages":
            {
                var repository = RequiredString(request, "repositoryName", operation);
                var ids = request["imageIds"]?.Deserialize<List<ImageIdentifier>>(Camel) ?? [];
                var (images, nextToken) = ecr.DescribeImagesPage(repository, ids, request["maxResults"]?.GetValue<int>(), request["nextToken"]?.GetValue<string>());
                var details = JsonSerializer.SerializeToNode(images, Camel)!.AsArray();
                foreach (var detail in details.OfType<JsonObject>())
                {
                    // AWS leaves imageTags out of untagged images and names the registry.
                    if (detail["imageTags"] is JsonArray { Count: 0 })
                    {
                        detail.Remove("imageTags");
                    }
                    detail["registryId"] = aws.AccountId;
                }
                var page = new JsonObject { ["imageDetails"] = details };
                if (nextToken is not null)
                {
                    page["nextToken"] = nextToken;
                }
                return page;
            }
            case "BatchGetImage":
            {
                var repository = RequiredString(request, "repositoryName", operation);
                var ids = request["imageIds"]?.Deserialize<List<ImageIdentifier>>(Camel) ?? [];
                var response = await ecr.BatchGetImageAsync(repository, ids, cancellationToken).ConfigureAwait(false);
                var answer = JsonSerializer.SerializeToNode(response, Camel)!.AsObject();
                foreach (var image in (answer["images"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    image["registryId"] = aws.AccountId;
                }
                return answer;
            }
            case "PutImage":
            {
                var put = new PutImageRequest(
                    RequiredString(request, "repositoryName", operation),
                    RequiredString(request, "imageManifest", operation),
                    request["imageManifestMediaType"]?.GetValue<string>(),
                    request["imageTag"]?.GetValue<string>(),
                    request["imageDigest"]?.GetValue<string>());
                var image = await ecr.PutImageAsync(put, cancellationToken).ConfigureAwait(false);
                var node = JsonSerializer.SerializeToNode(image, Camel)!.AsObject();
                node["registryId"] = aws.AccountId;
                return new JsonObject { ["image"] = node };
            }
            case "PutImageScanningConfiguration":
            {
                var repository = RequiredString(request, "repositoryName", operation);
                var scanOnPush = request["imageScanningConfiguration"]?["scanOnPush"]?.GetValue<bool>() ?? false;
                var configuration = await ecr.PutImageScanningConfigurationAsync(repository, new ImageScanningConfiguration(scanOnPush), cancellationToken).ConfigureAwait(false);
                return new JsonObject
                {
                    ["registryId"] = aws.AccountId,
                    ["repositoryName"] = repository,
                    ["imageScanningConfiguration"] = JsonSerializer.SerializeToNode(configuration, Camel),
                };
            }
            case "DescribeImageScanFindings":
            {
                var repository = RequiredString(request, "repositoryName", operation);
                var id = request["imageId"]?.Deserialize<ImageIdentifier>(Camel) ?? throw Required("imageId", operation);
                var result = await ecr.DescribeImageScanFindingsAsync(repository, id, cancellationToken).ConfigureAwait(false);
                var answer = JsonSerializer.SerializeToNode(result, Camel)!.AsObject();
                answer["registryId"] = aws.AccountId;
                return answer;
            }
            case "StartImageScan":
            {
                var repository = RequiredString(request, "repositoryName", operation);
                var id = request["imageId"]?.Deserialize<ImageIdentifier>(Camel) ?? throw Required("imageId", operation);
                var status = await ecr.StartImageScanAsync(repository, id, cancellationToken).ConfigureAwait(false);
                return new JsonObject
                {
                    ["registryId"] = aws.AccountId,
                    ["repositoryName"] = repository,
                    ["imageId"] = JsonSerializer.SerializeToNode(id, Camel),
                    ["imageScanStatus"] = JsonSerializer.SerializeToNode(status, Camel),
                };
            }
            case "GetLifecyclePolicy":
            {
                var policy = await ecr.GetLifecyclePolicyAsync(RequiredString(request, "repositoryName", operation), cancellationToken).ConfigureAwait(false);
                var answer = JsonSerializer.SerializeToNode(policy, Camel)!.AsObject();
                answer["registryId"] = aws.AccountId;
                return answer;
            }
            case "PutLifecyclePolicy":
            {
                var policy = await ecr.PutLifecyclePolicyAsync(RequiredString(request, "repositoryName", operation), RequiredString(request, "lifecyclePolicyText", operation), cancellationToken).ConfigureAwait(false);
                var answer = JsonSerializer.SerializeToNode(policy, Camel)!.AsObject();
                answer["registryId"] = aws.AccountId;
                return answer;
            }
            default:
                throw Unknown(AwsWireService.Ecr, operation);
        }
    }

    private async Task<object> SecretsManagerAsync(string operation, JsonObject request, CancellationToken cancellationToken)
    {
        var secrets = aws.SecretsManager;
        switch (operation)
        {
            case "DescribeSecret":
                return await secrets.DescribeSecretAsync(RequiredString(request, "SecretId", operation), cancellationToken).ConfigureAwait(false);
            case "GetSecretValue":
            {
                var value = await secrets.GetSecretValueAsync(RequiredString(request, "SecretId", operation), cancellationToken).ConfigureAwait(false);
                return new JsonObject
                {
                    ["ARN"] = value.ARN,
                    ["Name"] = value.Name,
                    ["SecretString"] = value.SecretString,
                    ["VersionId"] = "00000000-0000-4000-8000-000000000001",
                    ["VersionStages"] = new JsonArray("AWSCURRENT"),
                };
            }
            default:
                throw Unknown(AwsWireService.SecretsManager, operation);
        }
    }

    private async Task<object> LogsAsync(string operation, JsonObject request, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "GetLogEvents":
                return await GetLogEventsAsync(request, cancellationToken).ConfigureAwait(false);
            case "DescribeLogGroups":
            {
                var describe = new DescribeLogGroupsRequest(
                    request["logGroupNamePrefix"]?.GetValue<string>(), request["nextToken"]?.GetValue<string>(), request["limit"]?.GetValue<int>());
                var page = await aws.Logs.DescribeLogGroupsAsync(describe, cancellationToken).ConfigureAwait(false);
                // As CloudWatch Logs sends it: retentionInDays only when set; arn ends with ":*", logGroupArn does not.
                var groups = new JsonArray();
                foreach (var group in page.LogGroups)
                {
                    var node = new JsonObject { ["logGroupName"] = group.LogGroupName, ["creationTime"] = 1767225600000L, ["storedBytes"] = 0 };
                    if (group.RetentionInDays is { } days)
                    {
                        node["retentionInDays"] = days;
                    }
                    if (group.Arn is { } arn)
                    {
                        node["arn"] = arn;
                        node["logGroupArn"] = arn.EndsWith(":*", StringComparison.Ordinal) ? arn[..^2] : arn;
                    }
                    groups.Add(node);
                }
                var answer = new JsonObject { ["logGroups"] = groups };
                if (page.NextToken is { } token)
                {
                    answer["nextToken"] = token;
                }
                return answer;
            }
            case "PutRetentionPolicy":
            {
                var days = request["retentionInDays"]?.GetValue<int>() ?? throw Required("retentionInDays", operation);
                await aws.Logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest(RequiredString(request, "logGroupName", operation), days), cancellationToken).ConfigureAwait(false);
                return new JsonObject();
            }
            default:
                throw Unknown(AwsWireService.Logs, operation);
        }
    }

    private async Task<object> GetLogEventsAsync(JsonObject request, CancellationToken cancellationToken)
    {
        const string operation = "GetLogEvents";
        var get = new GetLogEventsRequest(
            RequiredString(request, "logGroupName", operation),
            RequiredString(request, "logStreamName", operation),
            request["limit"]?.GetValue<int>(),
            request["startFromHead"]?.GetValue<bool>() ?? false,
            request["nextToken"]?.GetValue<string>());
        var response = await aws.Logs.GetLogEventsAsync(get, cancellationToken).ConfigureAwait(false);
        // CloudWatch Logs sends event timestamps as epoch milliseconds, not the JSON 1.1 seconds.
        var events = new JsonArray();
        foreach (var e in response.Events)
        {
            var ms = e.Timestamp.ToUnixTimeMilliseconds();
            events.Add(new JsonObject { ["timestamp"] = ms, ["message"] = e.Message, ["ingestionTime"] = ms });
        }
        return new JsonObject
        {
            ["events"] = events,
            ["nextForwardToken"] = response.NextForwardToken,
            ["nextBackwardToken"] = response.NextBackwardToken,
        };
    }

    /// <summary>Reads the body into <typeparamref name="T"/>, filling <paramref name="defaultMember"/> when absent (ECS's default cluster).</summary>
    private static T Read<T>(JsonObject request, string defaultMember, string defaultValue)
    {
        if (request[defaultMember] is null)
        {
            request[defaultMember] = defaultValue;
        }
        return request.Deserialize<T>(Camel) ?? throw new JsonException($"The body is not a {typeof(T).Name}.");
    }

    private static string RequiredString(JsonObject request, string member, string operation)
        => request[member] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new AwsServiceException("", operation, "InvalidParameterException", $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null", 400);

    private static AwsServiceException Required(string member, string operation)
        => new("", operation, "InvalidParameterException", $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null", 400);

    private static AwsServiceException Unknown(AwsWireService service, string operation)
        => new(service.Name, operation, "UnknownOperationException", $"The operation {operation} is not supported by the local AWS host.", 400);
}
