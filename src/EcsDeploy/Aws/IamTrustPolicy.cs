using System.Text.Json;

namespace EcsDeploy.Aws;

/// <summary>Reads an IAM trust policy (a role's AssumeRolePolicyDocument).</summary>
public static class IamTrustPolicy
{
    /// <summary>The service principal ECS tasks assume their task and execution roles as.</summary>
    public const string EcsTasksPrincipal = "ecs-tasks.amazonaws.com";

    /// <summary>
    /// Whether <paramref name="document"/> lets <paramref name="servicePrincipal"/> call <c>sts:AssumeRole</c>: an
    /// <c>Allow</c> statement whose <c>Principal.Service</c> names it (a string or a list) and whose <c>Action</c>
    /// is <c>sts:AssumeRole</c>, <c>sts:*</c> or <c>*</c>. A <c>Deny</c> statement for the same principal wins.
    /// Text that is not JSON trusts nobody.
    /// </summary>
    public static bool Trusts(string? document, string servicePrincipal)
    {
        ArgumentException.ThrowIfNullOrEmpty(servicePrincipal);
        if (string.IsNullOrWhiteSpace(document))
        {
            return false;
        }
        try
        {
            using var json = JsonDocument.Parse(document);
            if (!json.RootElement.TryGetProperty("Statement", out var statements))
            {
                return false;
            }
            var items = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
            var allowed = false;
            foreach (var statement in items.Where(s => s.ValueKind == JsonValueKind.Object))
            {
                if (!Names(statement, "Principal", "Service").Contains(servicePrincipal, StringComparer.Ordinal)
                    || !Values(statement, "Action").Any(a => a is "sts:AssumeRole" or "sts:*" or "*"))
                {
                    continue;
                }
                var effect = statement.TryGetProperty("Effect", out var e) ? e.GetString() : null;
                if (effect == "Deny")
                {
                    return false;
                }
                allowed |= effect == "Allow";
            }
            return allowed;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static IEnumerable<string> Names(JsonElement statement, string member, string inner)
        => statement.TryGetProperty(member, out var principal) && principal.ValueKind == JsonValueKind.Object && principal.TryGetProperty(inner, out var value)
            ? Strings(value)
            : [];

    private static IEnumerable<string> Values(JsonElement statement, string member)
        => statement.TryGetProperty(member, out var value) ? Strings(value) : [];

    private static IEnumerable<string> Strings(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!),
        _ => [],
    };
}
