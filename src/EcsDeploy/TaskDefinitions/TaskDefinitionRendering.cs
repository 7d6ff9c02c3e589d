using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EcsDeploy.Aws;

namespace EcsDeploy.TaskDefinitions;

/// <summary>What the pipeline owns in a task definition; everything else is kept as it runs now.</summary>
public sealed record TaskDefinitionChanges(
    string Family,
    string ContainerName,
    string? Image,
    IReadOnlyList<EcsKeyValuePair> Environment,
    IReadOnlyList<EcsSecret> Secrets);

/// <summary>
/// Renders the next task definition from the one the service runs now, normalises definitions so that ECS
/// defaults make no spurious difference, and diffs them.
/// </summary>
public static class TaskDefinitionRenderer
{
    private static readonly string[] ReadOnlyExtensionMembers = ["deleteRequestedAt", "enableFaultInjection_readonly"];

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Starts from <paramref name="current"/>, drops the read-only fields, sets the family, the container's image,
    /// and merges environment and secrets (the pipeline's values win; a name moves between the two lists).
    /// </summary>
    public static TaskDefinition Render(TaskDefinition current, TaskDefinitionChanges changes)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(changes);
        var containers = current.ContainerDefinitions ?? [];
        if (!containers.Any(c => c.Name == changes.ContainerName))
        {
            throw new PipelineStageException(
                $"Task definition {current.TaskDefinitionArn ?? current.Family} has no container '{changes.ContainerName}' (it has: {string.Join(", ", containers.Select(c => c.Name))}): set d.Container(\"...\") to one of them.",
                FailureKind.Invalid);
        }
        var rendered = containers.Select(c => c.Name != changes.ContainerName ? c : c with
        {
            Image = changes.Image ?? c.Image,
            Environment = Merge(c.Environment, changes.Environment, changes.Secrets.Select(s => s.Name)),
            Secrets = MergeSecrets(c.Secrets, changes.Secrets, changes.Environment.Select(e => e.Name)),
        }).ToList();

        return StripReadOnly(current) with { Family = changes.Family, ContainerDefinitions = rendered };
    }

    /// <summary>The definition without the fields DescribeTaskDefinition adds and RegisterTaskDefinition refuses.</summary>
    public static TaskDefinition StripReadOnly(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var extension = definition.ExtensionData?.Where(kv => !ReadOnlyExtensionMembers.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return definition with
        {
            TaskDefinitionArn = null,
            Revision = null,
            Status = null,
            RequiresAttributes = null,
            Compatibilities = null,
            RegisteredAt = null,
            RegisteredBy = null,
            DeregisteredAt = null,
            ExtensionData = extension is { Count: > 0 } ? extension : null,
        };
    }

    /// <summary>
    /// A canonical JSON form: read-only fields dropped, ECS defaults filled (essential true, cpu 0, protocol tcp,
    /// hostPort = containerPort), empty lists dropped, name-keyed lists sorted. Equal forms deploy the same thing.
    /// </summary>
    public static JsonObject Normalize(TaskDefinition definition)
    {
        var stripped = StripReadOnly(definition);
        var node = JsonSerializer.SerializeToNode(stripped, Json)!.AsObject();
        if (node["containerDefinitions"] is JsonArray containers)
        {
            foreach (var container in containers.OfType<JsonObject>())
            {
                container["essential"] ??= true;
                container["cpu"] ??= 0;
                SortByName(container, "environment");
                SortByName(container, "secrets");
                if (container["portMappings"] is JsonArray ports)
                {
                    foreach (var port in ports.OfType<JsonObject>())
                    {
                        port["protocol"] ??= "tcp";
                        if (definition.NetworkMode is null or "awsvpc")
                        {
                            port["hostPort"] ??= port["containerPort"]?.DeepClone();
                        }
                    }
                }
            }
            var sorted = containers.OfType<JsonObject>().OrderBy(c => (string?)c["name"], StringComparer.Ordinal).Select(c => c.DeepClone()).ToArray();
            node["containerDefinitions"] = new JsonArray(sorted);
        }
        return (JsonObject)DropEmpty(node)!;
    }

    /// <summary>Whether two definitions deploy the same thing.</summary>
    public static bool AreEquivalent(TaskDefinition a, TaskDefinition b) => JsonNode.DeepEquals(Normalize(a), Normalize(b));

    /// <summary>Line-by-line differences between the normalised forms: <c>+ path: value</c>, <c>- path: value</c>, <c>~ path: old -> new</c>.</summary>
    public static IReadOnlyList<string> Diff(TaskDefinition before, TaskDefinition after)
    {
        var left = Flatten(Normalize(before));
        var right = Flatten(Normalize(after));
        var lines = new List<string>();
        foreach (var key in left.Keys.Union(right.Keys).Order(StringComparer.Ordinal))
        {
            var hasLeft = left.TryGetValue(key, out var l);
            var hasRight = right.TryGetValue(key, out var r);
            if (hasLeft && hasRight && l != r)
            {
                lines.Add($"~ {key}: {l} -> {r}");
            }
            else if (hasLeft && !hasRight)
            {
                lines.Add($"- {key}: {l}");
            }
            else if (!hasLeft && hasRight)
            {
                lines.Add($"+ {key}: {r}");
            }
        }
        return lines;
    }

    private static Dictionary<string, string> Flatten(JsonNode node)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonNode? n, string path)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (k, v) in o)
                    {
                        Walk(v, path.Length == 0 ? k : $"{path}.{k}");
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        // Name-keyed items get their name in the path, so that an insertion shows as one line.
                        if (a[i] is JsonObject item && item["name"] is JsonValue name)
                        {
                            // The name is the item's key, already in the path: show only its other members.
                            foreach (var (k, v) in item.Where(kv => kv.Key != "name"))
                            {
                                Walk(v, $"{path}[{name}].{k}");
                            }
                            continue;
                        }
                        Walk(a[i], $"{path}[{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}]");
                    }
                    break;
                case null:
                    break;
                default:
                    result[path] = n.ToJsonString();
                    break;
            }
        }
        Walk(node, "");
        return result;
    }

    private static IReadOnlyList<EcsKeyValuePair> Merge(IReadOnlyList<EcsKeyValuePair>? existing, IReadOnlyList<EcsKeyValuePair> ours, IEnumerable<string> movedToSecrets)
    {
        var moved = movedToSecrets.ToHashSet(StringComparer.Ordinal);
        var merged = (existing ?? []).Where(e => !moved.Contains(e.Name)).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        foreach (var variable in ours)
        {
            merged[variable.Name] = variable.Value;
        }
        return [.. merged.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new EcsKeyValuePair(kv.Key, kv.Value))];
    }

    private static IReadOnlyList<EcsSecret> MergeSecrets(IReadOnlyList<EcsSecret>? existing, IReadOnlyList<EcsSecret> ours, IEnumerable<string> movedToEnvironment)
    {
        var moved = movedToEnvironment.ToHashSet(StringComparer.Ordinal);
        var merged = (existing ?? []).Where(e => !moved.Contains(e.Name)).ToDictionary(e => e.Name, e => e.ValueFrom, StringComparer.Ordinal);
        foreach (var secret in ours)
        {
            merged[secret.Name] = secret.ValueFrom;
        }
        return [.. merged.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new EcsSecret(kv.Key, kv.Value))];
    }

    private static void SortByName(JsonObject container, string member)
    {
        if (container[member] is JsonArray list)
        {
            container[member] = new JsonArray([.. list.OfType<JsonObject>().OrderBy(i => (string?)i["name"], StringComparer.Ordinal).Select(i => i.DeepClone())]);
        }
    }

    private static JsonNode? DropEmpty(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToList())
                {
                    var cleaned = DropEmpty(o[key]);
                    if (cleaned is null || cleaned is JsonArray { Count: 0 } || cleaned is JsonObject { Count: 0 })
                    {
                        o.Remove(key);
                    }
                    else if (!ReferenceEquals(cleaned, o[key]))
                    {
                        o[key] = cleaned;
                    }
                }
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    DropEmpty(a[i]);
                }
                return a;
            default:
                return node;
        }
    }
}
