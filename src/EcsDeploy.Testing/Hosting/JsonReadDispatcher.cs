using System.Text.Json;
using System.Text.Json.Nodes;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// The everyday read commands of ECS, ECR, Secrets Manager and CloudWatch Logs that the library's ports do not use
/// (list-clusters, describe-clusters, list-services, list-tasks, list-task-definitions, list-task-definition-families,
/// list-images, list-secrets, describe-log-streams, filter-log-events), answered in the JSON 1.1 shapes of botocore's
/// models from the simulated services' read side.
/// </summary>
internal static class JsonReadDispatcher
{
    /// <summary>The answer to <paramref name="operation"/>, or null when it is not one of these read operations.</summary>
    public static JsonObject? Dispatch(SimulatedAws aws, string service, string operation, JsonObject request) => (service, operation) switch
    {
        ("ECS", "ListClusters") => List(aws.Ecs.ListClustersPage(Int(request, "maxResults"), Str(request, "nextToken")), "clusterArns"),
        ("ECS", "DescribeClusters") => DescribeClusters(aws, request),
        ("ECS", "ListServices") => List(aws.Ecs.ListServicesPage(Str(request, "cluster") ?? "default", Str(request, "launchType"), Str(request, "schedulingStrategy"),
            Int(request, "maxResults"), Str(request, "nextToken")), "serviceArns"),
        ("ECS", "ListTasks") => List(aws.Ecs.ListTasksPage(new TaskQuery(Str(request, "cluster") ?? "default", Str(request, "serviceName"), Str(request, "family"),
            Str(request, "startedBy"), Str(request, "desiredStatus"), Str(request, "launchType")), Int(request, "maxResults"), Str(request, "nextToken")), "taskArns"),
        ("ECS", "ListTaskDefinitions") => List(aws.Ecs.ListTaskDefinitionsPage(Str(request, "familyPrefix"), Str(request, "status"), Str(request, "sort"),
            Int(request, "maxResults"), Str(request, "nextToken")), "taskDefinitionArns"),
        ("ECS", "ListTaskDefinitionFamilies") => List(aws.Ecs.ListTaskDefinitionFamiliesPage(Str(request, "familyPrefix"), Str(request, "status"),
            Int(request, "maxResults"), Str(request, "nextToken")), "families"),
        ("ECR", "ListImages") => ListImages(aws, request),
        ("SecretsManager", "ListSecrets") => ListSecrets(aws, request),
        ("CloudWatchLogs", "DescribeLogStreams") => DescribeLogStreams(aws, request),
        ("CloudWatchLogs", "FilterLogEvents") => FilterLogEvents(aws, request),
        _ => null,
    };

    /// <summary>
    /// Adds to each task of a DescribeTasks answer its network interface, as a Fargate (awsvpc) task has one: the
    /// attachment with the private address and the containers' <c>networkInterfaces</c>, the address being the target id
    /// DescribeTargetHealth shows.
    /// </summary>
    public static JsonObject WithNetworkInterfaces(SimulatedAws aws, JsonObject answer)
    {
        foreach (var task in (answer["tasks"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var arn = task["taskArn"]?.GetValue<string>() ?? "";
            var id = arn[(arn.LastIndexOf('/') + 1)..];
            var ip = SimulatedEcs.PrivateIp(id);
            var attachment = id.Length == 32 ? $"{id[..8]}-{id[8..12]}-4{id[13..16]}-8{id[17..20]}-{id[20..32]}" : id;
            task["attachments"] = new JsonArray(new JsonObject
            {
                ["id"] = attachment,
                ["type"] = "ElasticNetworkInterface",
                ["status"] = task["lastStatus"]?.GetValue<string>() == "STOPPED" ? "DELETED" : "ATTACHED",
                ["details"] = new JsonArray(
                    new JsonObject { ["name"] = "subnetId", ["value"] = "subnet-0a1b2c3d" },
                    new JsonObject { ["name"] = "privateDnsName", ["value"] = $"ip-{ip.Replace('.', '-')}.{aws.Region}.compute.internal" },
                    new JsonObject { ["name"] = "privateIPv4Address", ["value"] = ip }),
            });
            foreach (var container in (task["containers"] as JsonArray ?? []).OfType<JsonObject>())
            {
                container["networkInterfaces"] = new JsonArray(new JsonObject { ["attachmentId"] = attachment, ["privateIpv4Address"] = ip });
            }
        }
        return answer;
    }

    private static JsonObject DescribeClusters(SimulatedAws aws, JsonObject request)
    {
        var (clusters, failures) = aws.Ecs.DescribeClusters(Strings(request, "clusters"));
        var include = Strings(request, "include");
        var array = new JsonArray();
        foreach (var cluster in clusters)
        {
            var node = new JsonObject
            {
                ["clusterArn"] = cluster.Arn,
                ["clusterName"] = cluster.Name,
                ["status"] = "ACTIVE",
                ["registeredContainerInstancesCount"] = 0,
                ["runningTasksCount"] = cluster.RunningTasks,
                ["pendingTasksCount"] = cluster.PendingTasks,
                ["activeServicesCount"] = cluster.ActiveServices,
                ["statistics"] = new JsonArray(),
                ["tags"] = new JsonArray(),
                ["capacityProviders"] = new JsonArray("FARGATE", "FARGATE_SPOT"),
                ["defaultCapacityProviderStrategy"] = new JsonArray(),
            };
            if (include.Contains("SETTINGS"))
            {
                node["settings"] = new JsonArray(new JsonObject { ["name"] = "containerInsights", ["value"] = "disabled" });
            }
            array.Add(node);
        }
        return new JsonObject
        {
            ["clusters"] = array,
            ["failures"] = new JsonArray([.. failures.Select(f => (JsonNode)new JsonObject { ["arn"] = f.Arn, ["reason"] = f.Reason })]),
        };
    }

    private static JsonObject ListImages(SimulatedAws aws, JsonObject request)
    {
        var repository = Required(request, "repositoryName", "ListImages");
        var (ids, next) = aws.Ecr.ListImagesPage(repository, request["filter"]?["tagStatus"]?.GetValue<string>(), Int(request, "maxResults"), Str(request, "nextToken"));
        var array = new JsonArray();
        foreach (var (digest, tag) in ids)
        {
            var id = new JsonObject { ["imageDigest"] = digest };
            if (tag is not null)
            {
                id["imageTag"] = tag;
            }
            array.Add(id);
        }
        return WithToken(new JsonObject { ["imageIds"] = array }, "nextToken", next);
    }

    private static JsonObject ListSecrets(SimulatedAws aws, JsonObject request)
    {
        var filters = (request["Filters"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(f => (f["Key"]?.GetValue<string>() ?? "", (IReadOnlyList<string>)Strings(f, "Values")))
            .ToList();
        var (secrets, next) = aws.SecretsManager.ListSecretsPage(filters, Str(request, "SortBy"), Str(request, "SortOrder"), Int(request, "MaxResults"), Str(request, "NextToken"));
        var list = new JsonArray();
        foreach (var secret in secrets)
        {
            // Names, ARNs, dates and version stages only: ListSecrets never answers a value.
            list.Add(new JsonObject
            {
                ["ARN"] = secret.Arn,
                ["Name"] = secret.Name,
                ["CreatedDate"] = Seconds(secret.CreatedAt),
                ["LastChangedDate"] = Seconds(secret.CreatedAt),
                ["SecretVersionsToStages"] = new JsonObject { [SimulatedSecretsManager.CurrentVersionId] = new JsonArray("AWSCURRENT") },
            });
        }
        return WithToken(new JsonObject { ["SecretList"] = list }, "NextToken", next);
    }

    private static JsonObject DescribeLogStreams(SimulatedAws aws, JsonObject request)
    {
        var group = LogGroup(request, "DescribeLogStreams");
        var (streams, next) = aws.Logs.DescribeLogStreamsPage(group, Str(request, "logStreamNamePrefix"), Str(request, "orderBy"),
            request["descending"]?.GetValue<bool>() ?? false, Int(request, "limit"), Str(request, "nextToken"));
        var array = new JsonArray();
        foreach (var stream in streams)
        {
            var node = new JsonObject { ["logStreamName"] = stream.Name };
            if (stream.FirstEvent is { } first && stream.LastEvent is { } last)
            {
                node["creationTime"] = first.ToUnixTimeMilliseconds();
                node["firstEventTimestamp"] = first.ToUnixTimeMilliseconds();
                node["lastEventTimestamp"] = last.ToUnixTimeMilliseconds();
                node["lastIngestionTime"] = last.ToUnixTimeMilliseconds();
            }
            node["arn"] = stream.Arn;
            node["storedBytes"] = 0;
            array.Add(node);
        }
        return WithToken(new JsonObject { ["logStreams"] = array }, "nextToken", next);
    }

    private static JsonObject FilterLogEvents(SimulatedAws aws, JsonObject request)
    {
        var group = LogGroup(request, "FilterLogEvents");
        var (events, next) = aws.Logs.FilterLogEventsPage(group, Strings(request, "logStreamNames"), Str(request, "logStreamNamePrefix"),
            Milliseconds(request, "startTime"), Milliseconds(request, "endTime"), Str(request, "filterPattern"), Int(request, "limit"), Str(request, "nextToken"));
        var array = new JsonArray();
        foreach (var e in events)
        {
            var ms = e.Timestamp.ToUnixTimeMilliseconds();
            array.Add(new JsonObject { ["logStreamName"] = e.Stream, ["timestamp"] = ms, ["message"] = e.Message, ["ingestionTime"] = ms, ["eventId"] = e.EventId });
        }
        return WithToken(new JsonObject { ["events"] = array, ["searchedLogStreams"] = new JsonArray() }, "nextToken", next);
    }

    /// <summary>The log group a request names: logGroupName, or logGroupIdentifier (a name or an ARN); not both.</summary>
    private static string LogGroup(JsonObject request, string operation)
    {
        var name = Str(request, "logGroupName");
        var identifier = Str(request, "logGroupIdentifier");
        if (name is not null && identifier is not null)
        {
            throw new AwsServiceException("Logs", operation, "InvalidParameterException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.", 400);
        }
        if (identifier is not null && identifier.StartsWith("arn:", StringComparison.Ordinal))
        {
            var start = identifier.IndexOf(":log-group:", StringComparison.Ordinal);
            identifier = start < 0 ? identifier : identifier[(start + 11)..].Split(':')[0];
        }
        return name ?? identifier ?? throw new AwsServiceException("Logs", operation, "InvalidParameterException", "Either logGroupName or logGroupIdentifier is required.", 400);
    }

    private static JsonObject List((List<string> Items, string? Next) page, string member)
        => WithToken(new JsonObject { [member] = new JsonArray([.. page.Items.Select(i => (JsonNode)JsonValue.Create(i))]) }, "nextToken", page.Next);

    private static JsonObject WithToken(JsonObject answer, string member, string? token)
    {
        if (token is not null)
        {
            answer[member] = token;
        }
        return answer;
    }

    private static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    private static DateTimeOffset? Milliseconds(JsonObject request, string member)
        => request[member] is JsonValue value ? DateTimeOffset.FromUnixTimeMilliseconds(value.GetValue<long>()) : null;

    private static string? Str(JsonObject request, string member) => request[member] is JsonValue value ? value.GetValue<string>() : null;

    private static int? Int(JsonObject request, string member) => request[member] is JsonValue value ? value.GetValue<int>() : null;

    private static List<string> Strings(JsonObject request, string member)
        => request[member] is JsonArray array ? [.. array.Select(i => i?.GetValue<string>() ?? "")] : [];

    private static string Required(JsonObject request, string member, string operation)
        => Str(request, member) ?? throw new AwsServiceException("", operation, "InvalidParameterException",
            $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null", 400);
}
