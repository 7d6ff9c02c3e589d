using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Iam;

namespace EcsDeploy.Reporting;

/// <summary>
/// Before the pipeline reports a line a task it runs has logged (the migration task, stopped service tasks, later
/// <c>run</c>), the values of the secrets ECS injected into that task are read and registered in the run's
/// <see cref="SecretMasker"/>: the deploy itself only passes secret ARNs, so without this a task that prints a secret
/// would put it in the text output, the GitHub Actions log and the JSON result. Where a value cannot be read (no
/// <c>secretsmanager:GetSecretValue</c>, an SSM parameter, a pinned version), the log tail is withheld instead, with the fix.
/// </summary>
internal static class TaskSecretMasking
{
    /// <summary>
    /// Reads the value of every secret injected into <paramref name="containers"/> and registers it in
    /// <paramref name="masker"/>: the whole value, every line of a multi-line value on its own, the value of a JSON key
    /// reference (<c>arn:...:secret:NAME:KEY::</c>), the string members of a JSON value, and the password of a connection URL.
    /// </summary>
    /// <returns>Null when every value is registered; else the line to report instead of the task's log tail.</returns>
    public static async Task<string?> RegisterAsync(SecretMasker masker, ISecretsManagerApi secrets, IEnumerable<ContainerDefinition> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(masker);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(containers);
        var unreadable = new List<string>();
        var values = new Dictionary<string, SecretValue>(StringComparer.Ordinal);
        foreach (var secret in containers.SelectMany(c => c.Secrets ?? []))
        {
            var reference = SecretReference.Parse(secret.ValueFrom);
            if (reference.Problem is { } problem)
            {
                unreadable.Add($"{secret.Name} ({problem})");
                continue;
            }
            if (!values.TryGetValue(reference.SecretArn, out var value))
            {
                try
                {
                    value = await secrets.GetSecretValueAsync(reference.SecretArn, cancellationToken).ConfigureAwait(false);
                }
                catch (AwsServiceException ex)
                {
                    unreadable.Add($"{secret.Name} (GetSecretValue: {ex.ErrorCode})");
                    continue;
                }
                catch (HttpRequestException ex)
                {
                    unreadable.Add($"{secret.Name} (GetSecretValue: {ex.Message})");
                    continue;
                }
                values[reference.SecretArn] = value;
            }
            Register(masker, value.SecretString, reference.JsonKey);
        }
        if (unreadable.Count == 0)
        {
            return null;
        }
        return $"(log tail withheld: the values of the task's secrets {string.Join(", ", unreadable)} could not be read to mask them, "
            + "and a task may print what it was given. Allow secretsmanager:GetSecretValue on those secrets to the deploying role "
            + "(--print-iam-policy lists it) and reference Secrets Manager secrets by ARN to see the log tail.)";
    }

    /// <summary>
    /// The grant that lets the pipeline read the values of the secrets its tasks get (the Deploy stage's secrets), so it
    /// can mask them in the tasks' logs; null when the pipeline injects none.
    /// </summary>
    public static IamGrant? IamGrant(IamScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var references = scope.Definition.Stage<DeployStage>()?.Options.SecretReferences ?? [];
        var arns = references.Select(r => scope.SecretArn(r.Value)).Select(a => SecretReference.Parse(a).SecretArn is { Length: > 0 } arn ? arn : a)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return arns.Count == 0 ? null : new IamGrant("ReadTaskSecretsToMaskTheirLogs", ["secretsmanager:GetSecretValue"], arns);
    }

    private static void Register(SecretMasker masker, string? value, string? jsonKey)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        if (jsonKey is { Length: > 0 })
        {
            // ECS injects the key's value only; the rest of the JSON is not the task's, but mask it all the same.
            if (TryParseObject(value) is { } json && json.TryGetProperty(jsonKey, out var member))
            {
                RegisterText(masker, member.ValueKind == JsonValueKind.String ? member.GetString() : member.GetRawText());
            }
        }
        RegisterText(masker, value);
        if (TryParseObject(value) is { } whole)
        {
            foreach (var property in whole.EnumerateObject())
            {
                RegisterText(masker, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText());
            }
        }
    }

    /// <summary>The value, and each of its lines on its own (a log line holds one line of a multi-line value).</summary>
    private static void RegisterText(SecretMasker masker, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        masker.Add(value);
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            foreach (var line in value.Split('\n'))
            {
                masker.Add(line.TrimEnd('\r'));
                masker.Add(line.Trim());
            }
        }
    }

    private static JsonElement? TryParseObject(string value)
    {
        if (!value.TrimStart().StartsWith('{'))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(value);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A container secret's <c>valueFrom</c>, read as ECS reads it.</summary>
    private sealed record SecretReference(string SecretArn, string? JsonKey, string? Problem)
    {
        /// <summary>
        /// <c>arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]</c>; anything
        /// else is an SSM parameter (a name or its ARN), which this library has no port to read.
        /// </summary>
        public static SecretReference Parse(string valueFrom)
        {
            var parts = valueFrom.Split(':');
            if (parts.Length < 7 || parts[0] != "arn" || parts[2] != "secretsmanager" || parts[5] != "secret")
            {
                return new("", null, "an SSM parameter: its value is not read");
            }
            var arn = string.Join(':', parts[..7]);
            var key = parts.Length > 7 && parts[7].Length > 0 ? parts[7] : null;
            var stage = parts.Length > 8 ? parts[8] : "";
            var versionId = parts.Length > 9 ? parts[9] : "";
            if ((stage.Length > 0 && stage != "AWSCURRENT") || versionId.Length > 0)
            {
                return new(arn, key, "a pinned version: only the current value is read");
            }
            return new(arn, key, null);
        }
    }
}
