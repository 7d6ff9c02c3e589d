using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>One botocore service model (service-2.json.gz of the preinstalled botocore): the authoritative shapes.</summary>
public sealed class BotocoreModel
{
    private static readonly Lazy<string> DataDirectory = new(() =>
    {
        var output = Python.RunAsync("botocore_data.py", [], null, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        return output.Trim();
    });

    private readonly JsonElement _root;

    private BotocoreModel(string service, JsonElement root)
    {
        Service = service;
        _root = root;
    }

    public string Service { get; }

    public JsonElement Metadata => _root.GetProperty("metadata");

    public static BotocoreModel Load(string service)
    {
        var folder = Path.Combine(DataDirectory.Value, service);
        var version = Directory.GetDirectories(folder).Select(Path.GetFileName).Where(d => File.Exists(Path.Combine(folder, d!, "service-2.json.gz"))).Order(StringComparer.Ordinal).Last()!;
        using var stream = new GZipStream(File.OpenRead(Path.Combine(folder, version, "service-2.json.gz")), CompressionMode.Decompress);
        return new BotocoreModel(service, JsonDocument.Parse(stream).RootElement.Clone());
    }

    public bool HasOperation(string operation) => _root.GetProperty("operations").TryGetProperty(operation, out _);

    public JsonElement Operation(string operation) => _root.GetProperty("operations").GetProperty(operation);

    public string? InputShape(string operation) => Operation(operation).TryGetProperty("input", out var i) ? i.GetProperty("shape").GetString() : null;

    public string? OutputShape(string operation) => Operation(operation).TryGetProperty("output", out var o) ? o.GetProperty("shape").GetString() : null;

    public JsonElement Shape(string name) => _root.GetProperty("shapes").GetProperty(name);

    public string TypeOf(string shape) => Shape(shape).GetProperty("type").GetString()!;

    /// <summary>The shape of member <paramref name="member"/> of structure <paramref name="shape"/>, or null.</summary>
    public string? MemberShape(string shape, string member)
        => Shape(shape).TryGetProperty("members", out var members) && members.TryGetProperty(member, out var m) ? m.GetProperty("shape").GetString() : null;

    public string ListMember(string shape) => Shape(shape).GetProperty("member").GetProperty("shape").GetString()!;

    public string MapValue(string shape) => Shape(shape).GetProperty("value").GetProperty("shape").GetString()!;

    // ---------- checks of what the clients send and read ----------

    /// <summary>Checks a JSON value sent as <paramref name="shape"/>; adds a problem per unknown member or wrong type.</summary>
    public void CheckSent(string operation, string path, JsonNode? value, string shape, List<string> problems)
    {
        var type = TypeOf(shape);
        if (Shape(shape).TryGetProperty("document", out var document) && document.GetBoolean())
        {
            // A document (hookDetails): free-form JSON.
            return;
        }
        switch (value)
        {
            case null:
                return;
            case JsonObject obj when type == "structure":
                foreach (var (name, child) in obj)
                {
                    var memberShape = MemberShape(shape, name);
                    if (memberShape is null)
                    {
                        problems.Add($"{Service} {operation}: sends member '{Join(path, name)}', which {shape} does not have");
                        continue;
                    }
                    CheckSent(operation, Join(path, name), child, memberShape, problems);
                }
                return;
            case JsonObject obj when type == "map":
                foreach (var (name, child) in obj)
                {
                    CheckSent(operation, $"{path}[{name}]", child, MapValue(shape), problems);
                }
                return;
            case JsonArray array when type == "list":
                foreach (var item in array)
                {
                    CheckSent(operation, path + "[]", item, ListMember(shape), problems);
                }
                return;
            case JsonValue v:
                var kind = v.GetValueKind();
                var ok = kind switch
                {
                    JsonValueKind.String => type is "string" or "blob",
                    JsonValueKind.Number => type is "integer" or "long" or "double" or "float" or "timestamp",
                    JsonValueKind.True or JsonValueKind.False => type == "boolean",
                    _ => false,
                };
                if (!ok)
                {
                    problems.Add($"{Service} {operation}: sends '{path}' as a JSON {kind}, but {shape} is a {type}");
                }
                if (ok && kind == JsonValueKind.String && Shape(shape).TryGetProperty("enum", out var values)
                    && !values.EnumerateArray().Any(e => e.GetString() == v.GetValue<string>()))
                {
                    problems.Add($"{Service} {operation}: sends '{path}' = '{v.GetValue<string>()}', not one of {shape}'s values");
                }
                return;
            default:
                problems.Add($"{Service} {operation}: sends '{path}' as {value.GetValueKind()}, but {shape} is a {type}");
                return;
        }
    }

    /// <summary>Checks a Query parameter name (<c>Names.member.1</c>) against the input shape.</summary>
    public void CheckQueryParameter(string operation, string parameter, string value, string shape, List<string> problems)
    {
        var parts = parameter.Split('.');
        var current = shape;
        for (var i = 0; i < parts.Length; i++)
        {
            var type = TypeOf(current);
            if (type == "list")
            {
                if (parts[i] != "member" || i + 1 >= parts.Length || !int.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    problems.Add($"{Service} {operation}: parameter '{parameter}' does not address list {current} as NAME.member.N");
                    return;
                }
                current = ListMember(current);
                i++;
                continue;
            }
            var member = type == "structure" ? MemberShape(current, parts[i]) : null;
            if (member is null)
            {
                problems.Add($"{Service} {operation}: sends parameter '{parameter}', but {current} has no member '{parts[i]}'");
                return;
            }
            current = member;
        }
        var leaf = TypeOf(current);
        if (leaf is "structure" or "list" or "map")
        {
            problems.Add($"{Service} {operation}: parameter '{parameter}' stops at {current}, a {leaf}");
        }
        else if (leaf is "integer" or "long" && !long.TryParse(value, CultureInfo.InvariantCulture, out _))
        {
            problems.Add($"{Service} {operation}: parameter '{parameter}' = '{value}' is not a {leaf}");
        }
    }

    /// <summary>Checks that a CLR type the client reads an answer into matches <paramref name="shape"/>, member by member.</summary>
    public void CheckRead(string operation, string path, Type type, string shape, JsonSerializerOptions options, List<string> problems, int depth = 0)
    {
        if (depth > 12)
        {
            return;
        }
        var shapeType = TypeOf(shape);
        var clr = Nullable.GetUnderlyingType(type) ?? type;
        if (clr == typeof(JsonElement) || clr == typeof(JsonNode))
        {
            return;
        }
        bool Expect(bool ok)
        {
            if (!ok)
            {
                problems.Add($"{Service} {operation}: reads '{path}' as {Name(clr)}, but {shape} is a {shapeType}");
            }
            return ok;
        }
        if (clr == typeof(string))
        {
            Expect(shapeType is "string" or "blob");
            return;
        }
        if (clr == typeof(int) || clr == typeof(long))
        {
            Expect(shapeType is "integer" or "long" && !(clr == typeof(int) && shapeType == "long"));
            return;
        }
        if (clr == typeof(double) || clr == typeof(float) || clr == typeof(decimal))
        {
            Expect(shapeType is "double" or "float" or "integer" or "long");
            return;
        }
        if (clr == typeof(bool))
        {
            Expect(shapeType == "boolean");
            return;
        }
        if (clr == typeof(DateTimeOffset) || clr == typeof(DateTime))
        {
            Expect(shapeType == "timestamp");
            return;
        }
        var dictionary = clr.GetInterfaces().Append(clr).FirstOrDefault(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)));
        if (dictionary is not null)
        {
            if (Expect(shapeType == "map"))
            {
                CheckRead(operation, path + "[]", dictionary.GetGenericArguments()[1], MapValue(shape), options, problems, depth + 1);
            }
            return;
        }
        var enumerable = clr.GetInterfaces().Append(clr).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        if (enumerable is not null)
        {
            if (Expect(shapeType == "list"))
            {
                CheckRead(operation, path + "[]", enumerable.GetGenericArguments()[0], ListMember(shape), options, problems, depth + 1);
            }
            return;
        }
        if (!Expect(shapeType == "structure"))
        {
            return;
        }
        var info = options.GetTypeInfo(clr);
        foreach (var property in info.Properties)
        {
            if (property.IsExtensionData || property.Get is null && property.Set is null && property.AssociatedParameter is null)
            {
                continue;
            }
            var memberShape = MemberShape(shape, property.Name);
            if (memberShape is null)
            {
                problems.Add($"{Service} {operation}: reads member '{Join(path, property.Name)}', which {shape} does not have");
                continue;
            }
            CheckRead(operation, Join(path, property.Name), property.PropertyType, memberShape, options, problems, depth + 1);
        }
    }

    /// <summary>Checks an XML path read from a Query answer's result element (<c>LoadBalancers/member/State/Code</c>).</summary>
    public void CheckXmlPath(string operation, string path, List<string> problems)
    {
        var current = OutputShape(operation)!;
        var parts = path.Split('/');
        foreach (var part in parts)
        {
            var type = TypeOf(current);
            if (type == "list")
            {
                if (part != "member")
                {
                    problems.Add($"{Service} {operation}: reads '{path}', but list {current} holds <member> elements, not <{part}>");
                    return;
                }
                current = ListMember(current);
                continue;
            }
            var member = type == "structure" ? MemberShape(current, part) : null;
            if (member is null)
            {
                problems.Add($"{Service} {operation}: reads '{path}', but {current} has no member '{part}'");
                return;
            }
            current = member;
        }
    }

    // ---------- sample answers generated from the output shapes ----------

    /// <summary>A JSON answer with every member of <paramref name="shape"/> filled (pagination tokens only when <paramref name="withTokens"/>).</summary>
    public JsonNode? SampleJson(string shape, bool withTokens, int depth = 0)
    {
        var s = Shape(shape);
        switch (TypeOf(shape))
        {
            case "structure":
                var obj = new JsonObject();
                if (depth > 7)
                {
                    return obj;
                }
                foreach (var member in s.GetProperty("members").EnumerateObject())
                {
                    if (!withTokens && member.Name is "nextToken" or "NextToken" or "NextMarker")
                    {
                        continue;
                    }
                    obj[member.Name] = SampleJson(member.Value.GetProperty("shape").GetString()!, withTokens, depth + 1);
                }
                return obj;
            case "list":
                return depth > 7 ? new JsonArray() : new JsonArray(SampleJson(ListMember(shape), withTokens, depth + 1));
            case "map":
                return new JsonObject { ["key1"] = SampleJson(MapValue(shape), withTokens, depth + 1) };
            case "string":
                return s.TryGetProperty("enum", out var values) ? values[0].GetString() : "sample-" + shape;
            case "integer":
            case "long":
                return 7;
            case "double":
            case "float":
                return 1.5;
            case "boolean":
                return true;
            case "timestamp":
                return 1767225600.25m;
            case "blob":
                return "AAEC";
            default:
                throw new NotSupportedException(TypeOf(shape));
        }
    }

    /// <summary>An XML Query answer for <paramref name="operation"/> with every member filled.</summary>
    public string SampleXml(string operation, bool withTokens)
    {
        XNamespace ns = Metadata.TryGetProperty("xmlNamespace", out var x) ? x.GetString()! : $"http://{Metadata.GetProperty("endpointPrefix").GetString()}.amazonaws.com/doc/{Metadata.GetProperty("apiVersion").GetString()}/";
        var result = new XElement(ns + (operation + "Result"));
        FillXml(result, OutputShape(operation)!, ns, withTokens, 0);
        var document = new XElement(ns + (operation + "Response"), result,
            new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", "stub-request-id")));
        return document.ToString(SaveOptions.DisableFormatting);
    }

    private void FillXml(XElement element, string shape, XNamespace ns, bool withTokens, int depth)
    {
        var s = Shape(shape);
        switch (TypeOf(shape))
        {
            case "structure":
                if (depth > 7)
                {
                    return;
                }
                foreach (var member in s.GetProperty("members").EnumerateObject())
                {
                    if (!withTokens && member.Name is "NextMarker" or "NextToken")
                    {
                        continue;
                    }
                    var child = new XElement(ns + member.Name);
                    FillXml(child, member.Value.GetProperty("shape").GetString()!, ns, withTokens, depth + 1);
                    element.Add(child);
                }
                return;
            case "list":
                var item = new XElement(ns + "member");
                FillXml(item, ListMember(shape), ns, withTokens, depth + 1);
                element.Add(item);
                return;
            case "map":
                return;
            case "timestamp":
                element.Value = "2026-01-01T00:00:00.250Z";
                return;
            case "boolean":
                element.Value = "true";
                return;
            case "integer":
            case "long":
                element.Value = "7";
                return;
            default:
                element.Value = s.TryGetProperty("enum", out var values) ? values[0].GetString()! : "sample-" + shape;
                return;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Name(Type type) => type.IsGenericType ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(",", type.GetGenericArguments().Select(Name)) + ">" : type.Name;
}
