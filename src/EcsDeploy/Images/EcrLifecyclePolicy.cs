using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images;

/// <summary>An image as a lifecycle policy sees it: digest, tags and push time.</summary>
public sealed record LifecycleImage(string Digest, IReadOnlyList<string> Tags, DateTimeOffset PushedAt);

/// <summary>One rule of an ECR lifecycle policy.</summary>
public sealed record LifecycleRule(
    int RulePriority,
    string TagStatus,
    IReadOnlyList<string> TagPrefixList,
    IReadOnlyList<string> TagPatternList,
    string CountType,
    int CountNumber,
    string? CountUnit,
    string ActionType,
    string? Description);

/// <summary>
/// ECR lifecycle policies: the text of the "keep the last N images" rule, validation as ECR validates a policy
/// (every problem at once), a normal form for comparing two texts (other tools write other spacing and member order), and the evaluation
/// ECR runs (rules in priority order; an image matched by a rule is never considered by a later one). The simulated
/// ECR applies policies with the same evaluation, and the Push stage uses it to preview what a policy would expire.
/// </summary>
public static class EcrLifecyclePolicy
{
    /// <summary>The ECR user guide's "keep the last N images" policy (the seed keeps 10).</summary>
    public static string KeepLastImages(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":"
            + count.ToString(CultureInfo.InvariantCulture) + "},\"action\":{\"type\":\"expire\"}}]}";
    }

    /// <summary>Parses and validates a policy text; returns null with every problem listed when it is invalid.</summary>
    public static IReadOnlyList<LifecycleRule>? Parse(string text, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var before = problems.Count;
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            root = null;
        }
        if (root?["rules"] is not JsonArray rulesNode)
        {
            problems.Add("Could not map policyString into LifecyclePolicy: the text must be a JSON object with a 'rules' array.");
            return null;
        }
        if (rulesNode.Count == 0)
        {
            problems.Add("The policy has no rules: give at least one rule.");
        }
        var rules = new List<LifecycleRule>();
        foreach (var (node, index) in rulesNode.Select((n, i) => (n, i)))
        {
            var where = $"rule {index + 1}";
            if (node is not JsonObject rule)
            {
                problems.Add($"{where} is not an object.");
                continue;
            }
            var priority = Int(rule["rulePriority"]);
            if (priority is not > 0)
            {
                problems.Add($"{where}: rulePriority must be a positive integer.");
            }
            else
            {
                where = $"rule with rulePriority {priority}";
            }
            var selection = rule["selection"] as JsonObject;
            if (selection is null)
            {
                problems.Add($"{where}: 'selection' is required.");
                continue;
            }
            var tagStatus = Str(selection["tagStatus"]);
            if (tagStatus is not ("tagged" or "untagged" or "any"))
            {
                problems.Add($"{where}: tagStatus must be 'tagged', 'untagged' or 'any', not '{tagStatus}'.");
            }
            var prefixes = Strings(selection["tagPrefixList"]);
            var patterns = Strings(selection["tagPatternList"]);
            if (tagStatus == "tagged" && prefixes.Count == 0 && patterns.Count == 0)
            {
                problems.Add($"{where}: a 'tagged' rule needs a non-empty tagPrefixList or tagPatternList.");
            }
            if (tagStatus == "tagged" && prefixes.Count > 0 && patterns.Count > 0)
            {
                problems.Add($"{where}: give tagPrefixList or tagPatternList, not both.");
            }
            foreach (var pattern in patterns.Where(p => p.Count(c => c == '*') > 4))
            {
                problems.Add($"{where}: tag pattern '{pattern}' has {pattern.Count(c => c == '*')} wildcards (*); ECR allows at most 4 in a pattern.");
            }
            if (tagStatus is "untagged" or "any" && (prefixes.Count > 0 || patterns.Count > 0))
            {
                problems.Add($"{where}: tagPrefixList and tagPatternList are only allowed when tagStatus is 'tagged'.");
            }
            var countType = Str(selection["countType"]);
            var countNumber = Int(selection["countNumber"]);
            var countUnit = Str(selection["countUnit"]);
            if (countType is not ("imageCountMoreThan" or "sinceImagePushed"))
            {
                problems.Add($"{where}: countType must be 'imageCountMoreThan' or 'sinceImagePushed', not '{countType}'.");
            }
            if (countNumber is not > 0)
            {
                problems.Add($"{where}: countNumber must be a positive integer.");
            }
            if (countType == "sinceImagePushed" && countUnit != "days")
            {
                problems.Add($"{where}: countType 'sinceImagePushed' needs countUnit 'days'.");
            }
            if (countType == "imageCountMoreThan" && countUnit is not null)
            {
                problems.Add($"{where}: countUnit is not allowed with countType 'imageCountMoreThan'.");
            }
            var action = Str((rule["action"] as JsonObject)?["type"]);
            if (action != "expire")
            {
                problems.Add($"{where}: action.type must be 'expire'.");
            }
            rules.Add(new LifecycleRule(priority ?? 0, tagStatus ?? "", prefixes, patterns, countType ?? "", countNumber ?? 0, countUnit, action ?? "", Str(rule["description"])));
        }
        foreach (var duplicate in rules.GroupBy(r => r.RulePriority).Where(g => g.Key > 0 && g.Count() > 1))
        {
            problems.Add($"rulePriority {duplicate.Key} is used by {duplicate.Count()} rules: each rule needs its own priority.");
        }
        var any = rules.Where(r => r.TagStatus == "any").ToList();
        if (any.Count > 1)
        {
            problems.Add("More than one rule has tagStatus 'any': keep one.");
        }
        if (any.Count == 1 && rules.Any(r => r.TagStatus != "any" && r.RulePriority >= any[0].RulePriority))
        {
            problems.Add($"The rule with tagStatus 'any' (rulePriority {any[0].RulePriority}) must have the highest rulePriority of all rules: give it a number above {rules.Max(r => r.RulePriority)}.");
        }
        return problems.Count > before ? null : [.. rules.OrderBy(r => r.RulePriority)];
    }

    /// <summary>
    /// The normal form of a policy text: object members sorted, rules sorted by priority, no whitespace. Two texts with
    /// the same normal form are the same policy (a policy written by Terraform, the console or boto3 has other spacing
    /// and member order than ours).
    /// </summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return text.Trim();
        }
        if (node is JsonObject { } root && root["rules"] is JsonArray rules)
        {
            var sorted = rules.Select(r => r?.DeepClone()).OrderBy(r => Int((r as JsonObject)?["rulePriority"]) ?? int.MaxValue).ToList();
            rules.Clear();
            foreach (var rule in sorted)
            {
                rules.Add(rule);
            }
        }
        return Canonical(node)?.ToJsonString() ?? "null";
    }

    /// <summary>Whether two policy texts are the same policy.</summary>
    public static bool AreEquivalent(string a, string b) => string.Equals(Normalise(a), Normalise(b), StringComparison.Ordinal);

    /// <summary>
    /// The images the rules would expire now: rules in priority order; each selects the images it matches among those no
    /// earlier rule matched; imageCountMoreThan keeps the newest N by push time, sinceImagePushed expires the older ones.
    /// </summary>
    public static IReadOnlyList<LifecycleImage> Expired(IReadOnlyList<LifecycleRule> rules, IEnumerable<LifecycleImage> images, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(images);
        var remaining = images.ToList();
        var expired = new List<LifecycleImage>();
        foreach (var rule in rules.OrderBy(r => r.RulePriority))
        {
            var matched = remaining.Where(i => Matches(rule, i)).OrderByDescending(i => i.PushedAt).ThenBy(i => i.Digest, StringComparer.Ordinal).ToList();
            remaining.RemoveAll(matched.Contains);
            expired.AddRange(rule.CountType switch
            {
                "imageCountMoreThan" => matched.Skip(rule.CountNumber),
                "sinceImagePushed" => matched.Where(i => i.PushedAt < now - TimeSpan.FromDays(rule.CountNumber)),
                _ => [],
            });
        }
        return expired;
    }

    private static bool Matches(LifecycleRule rule, LifecycleImage image) => rule.TagStatus switch
    {
        "any" => true,
        "untagged" => image.Tags.Count == 0,
        // ECR ANDs the list: only images with all the given tags (a tag for each prefix or pattern) are selected.
        "tagged" when rule.TagPrefixList.Count > 0 => rule.TagPrefixList.All(p => image.Tags.Any(t => t.StartsWith(p, StringComparison.Ordinal))),
        "tagged" => rule.TagPatternList.All(p => image.Tags.Any(t => Wildcard(p).IsMatch(t))),
        _ => false,
    };

    private static Regex Wildcard(string pattern) => new("^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        null => null,
        _ => node.DeepClone(),
    };

    private static int? Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static List<string> Strings(JsonNode? node) => node is JsonArray a ? [.. a.Select(Str).OfType<string>()] : [];
}
