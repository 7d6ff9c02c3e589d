using System.Globalization;
using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// What a deploy that suspends Application Auto Scaling records on the ECS service (a tag) before it suspends: the state
/// to put back, and when. The deploy removes it once scaling is restored; a run killed in between leaves it, so the next
/// deploy restores that state, <c>status</c> says scaling was left suspended by a previous deploy, and
/// <c>scale --resume</c> puts it back.
/// </summary>
/// <param name="Restore">The suspended state found before the deploy suspended scaling.</param>
/// <param name="At">When it suspended scaling; null when the tag does not say.</param>
internal sealed record AutoScalingMarker(SuspendedState Restore, DateTimeOffset? At)
{
    /// <summary>The tag's key.</summary>
    public const string TagKey = "ecsdeploy:autoscaling-suspended";

    /// <summary>The tag: <c>restore in=false out=false scheduled=false at=2026-01-05T09:00:00Z</c> (characters ECS allows in a value).</summary>
    public EcsTag ToTag() => new(TagKey,
        $"restore in={Flag(Restore.DynamicScalingInSuspended)} out={Flag(Restore.DynamicScalingOutSuspended)} scheduled={Flag(Restore.ScheduledScalingSuspended)}"
        + (At is { } at ? " at=" + at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : ""));

    /// <summary>The marker among a service's tags; one whose value cannot be read restores nothing suspended.</summary>
    public static AutoScalingMarker? Read(IReadOnlyList<EcsTag>? tags)
    {
        if (tags?.FirstOrDefault(t => t.Key == TagKey) is not { } tag)
        {
            return null;
        }
        var fields = tag.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        bool Value(string name) => fields.TryGetValue(name, out var value) && value == "true";
        DateTimeOffset? at = fields.TryGetValue("at", out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) ? parsed : null;
        return new AutoScalingMarker(new SuspendedState(Value("in"), Value("out"), Value("scheduled")), at);
    }

    /// <summary>When, for messages: <c>2026-01-05 09:00 UTC</c>, or <c>an unknown time</c>.</summary>
    public string When => At is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "an unknown time";

    private static string Flag(bool? value) => value == true ? "true" : "false";
}
