using EcsDeploy.Aws;
using EcsDeploy.Testing.Reads;

namespace EcsDeploy.Testing;

// aws secretsmanager list-secrets: the secrets' names, ARNs and dates, never a value, in pages (MaxResults 1 to 100).
public sealed partial class SimulatedSecretsManager
{
    private readonly Dictionary<string, DateTimeOffset> _created = new(StringComparer.Ordinal);

    /// <summary>The version id every simulated secret's current value has (GetSecretValue's VersionId).</summary>
    internal const string CurrentVersionId = "00000000-0000-4000-8000-000000000001";

    /// <summary>
    /// One page of ListSecrets: the secrets the filters select (name: the name starts with a value; all: any field does;
    /// a value starting with ! negates; description, tags and the other keys select nothing, as no simulated secret has
    /// them), by creation date (or name), ascending unless <paramref name="sortOrder"/> is desc.
    /// </summary>
    internal (List<SimSecretEntry> Secrets, string? NextToken) ListSecretsPage(IReadOnlyList<(string Key, IReadOnlyList<string> Values)> filters, string? sortBy, string? sortOrder, int? maxResults, string? nextToken)
    {
        const string Operation = "ListSecrets";
        _aws.Enter("SecretsManager", Operation);
        lock (_aws.Gate)
        {
            if (maxResults is < 1 or > 100)
            {
                throw Invalid(Operation, $"MaxResults must be between 1 and 100, not {maxResults}.");
            }
            if (sortOrder is not (null or "asc" or "desc"))
            {
                throw Invalid(Operation, $"SortOrder must be asc or desc, not '{sortOrder}'.");
            }
            if (sortBy is not (null or "created-date" or "last-accessed-date" or "last-changed-date" or "name"))
            {
                throw Invalid(Operation, $"SortBy must be created-date, last-accessed-date, last-changed-date or name, not '{sortBy}'.");
            }
            foreach (var (key, values) in filters)
            {
                if (key is not ("name" or "description" or "tag-key" or "tag-value" or "primary-region" or "owning-service" or "all") || values.Count == 0)
                {
                    throw Invalid(Operation, $"Invalid filter '{key}': the keys are name, description, tag-key, tag-value, primary-region, owning-service and all, each with at least one value.");
                }
            }
            var entries = _secrets
                .Select(s => new SimSecretEntry(s.Key, s.Value.Arn, _created.GetValueOrDefault(s.Key)))
                .Where(e => filters.All(f => f.Values.Any(v => Selects(f.Key, v, e.Name))));
            var ordered = (sortBy == "name" ? entries.OrderBy(e => e.Name, StringComparer.Ordinal) : entries.OrderBy(e => e.CreatedAt).ThenBy(e => e.Name, StringComparer.Ordinal)).ToList();
            if (sortOrder == "desc")
            {
                ordered.Reverse();
            }
            try
            {
                return PageTokens.Page(ordered, Operation, nextToken, maxResults ?? 100);
            }
            catch (FormatException ex)
            {
                throw Invalid(Operation, ex.Message);
            }
        }
    }

    private static bool Selects(string key, string value, string name)
    {
        var negated = value.StartsWith('!');
        var text = negated ? value[1..] : value;
        var match = key switch
        {
            "name" => name.StartsWith(text, StringComparison.Ordinal),
            "all" => name.StartsWith(text, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
        return match != negated;
    }

    private AwsServiceException Invalid(string operation, string message) => new("SecretsManager", operation, "InvalidParameterException", message, 400, _aws.NewRequestId());
}

/// <summary>A secret as ListSecrets shows it: no value.</summary>
internal sealed record SimSecretEntry(string Name, string Arn, DateTimeOffset CreatedAt);
