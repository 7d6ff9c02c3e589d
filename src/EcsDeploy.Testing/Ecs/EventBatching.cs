using System.Globalization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// Merges two service event messages about tasks into one, as ECS writes them when several tasks start, register,
/// drain or stop at once: <c>has started 2 tasks: (task a) (task b).</c>, <c>registered 2 targets in (...)</c>.
/// </summary>
internal static partial class EventBatching
{
    /// <summary>The merged message, or null when the two are not the same kind of event.</summary>
    public static string? Merge(string newest, string next)
    {
        foreach (var pattern in new[] { Started(), Stopped() })
        {
            if (pattern.Match(newest) is { Success: true } a && pattern.Match(next) is { Success: true } b && a.Groups["service"].Value == b.Groups["service"].Value)
            {
                var count = Count(a) + Count(b);
                return $"{a.Groups["head"].Value}{count.ToString(CultureInfo.InvariantCulture)}{a.Groups["mid"].Value}{a.Groups["tasks"].Value} {b.Groups["tasks"].Value}.";
            }
        }
        foreach (var pattern in new[] { Registered(), Draining() })
        {
            if (pattern.Match(newest) is { Success: true } a && pattern.Match(next) is { Success: true } b
                && a.Groups["service"].Value == b.Groups["service"].Value && a.Groups["tail"].Value == b.Groups["tail"].Value)
            {
                return $"{a.Groups["head"].Value}{(Count(a) + Count(b)).ToString(CultureInfo.InvariantCulture)}{a.Groups["tail"].Value}";
            }
        }
        return null;
    }

    private static int Count(Match match) => int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<head>\(service (?<service>[^)]+)\) has started )(?<count>\d+)(?<mid> tasks: )(?<tasks>(\(task [^)]+\) ?)+)\.$")]
    private static partial Regex Started();

    [GeneratedRegex(@"^(?<head>\(service (?<service>[^)]+)\) has stopped )(?<count>\d+)(?<mid> running tasks: )(?<tasks>(\(task [^)]+\) ?)+)\.$")]
    private static partial Regex Stopped();

    [GeneratedRegex(@"^(?<head>\(service (?<service>[^)]+)\) registered )(?<count>\d+)(?<tail> targets in \(target-group [^)]+\))$")]
    private static partial Regex Registered();

    [GeneratedRegex(@"^(?<head>\(service (?<service>[^)]+)\) has begun draining connections on )(?<count>\d+)(?<tail> tasks\.)$")]
    private static partial Regex Draining();
}
