using System.Text.Json.Serialization;

namespace EcsDeploy.Preflight;

/// <summary>The state of one preflight check.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PreflightStatus>))]
public enum PreflightStatus
{
    /// <summary>Checked and fine.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,
    /// <summary>Checked and wrong: AWS would refuse it at launch (or earlier).</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,
    /// <summary>Not checked; <see cref="PreflightCheck.Detail"/> says why.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,
}

/// <summary>
/// One node of the preflight tree: a service, a group of checks (roles, image, secrets...) or a single check. A failed
/// check names the resource and the fix.
/// </summary>
/// <param name="Name">What is checked (<c>execution role</c>, <c>secret DATABASE_URL</c>).</param>
/// <param name="Status">Its state; a group is failed when a child failed, skipped when all were skipped.</param>
/// <param name="Detail">What was found, or why it was skipped.</param>
public sealed record PreflightCheck(string Name, PreflightStatus Status, string Detail)
{
    /// <summary>The AWS resource concerned (an ARN or a name), when there is one.</summary>
    public string? Resource { get; init; }
    /// <summary>How to fix a failure.</summary>
    public string? Fix { get; init; }
    /// <summary>The checks under this one.</summary>
    public IReadOnlyList<PreflightCheck> Checks { get; init; } = [];

    /// <summary>A group of <paramref name="checks"/>: failed when one failed, skipped when all were skipped, else ok.</summary>
    public static PreflightCheck Group(string name, IReadOnlyList<PreflightCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var status = checks.Any(c => c.Status == PreflightStatus.Failed) ? PreflightStatus.Failed
            : checks.Count > 0 && checks.All(c => c.Status == PreflightStatus.Skipped) ? PreflightStatus.Skipped
            : PreflightStatus.Ok;
        var failed = checks.Count(c => c.Status == PreflightStatus.Failed);
        var detail = status switch
        {
            PreflightStatus.Failed => $"{failed} of {checks.Count} failed",
            PreflightStatus.Skipped => "skipped",
            _ => checks.Count == 0 ? "nothing to check" : $"{checks.Count(c => c.Status == PreflightStatus.Ok)} ok",
        };
        return new PreflightCheck(name, status, detail) { Checks = checks };
    }

    /// <summary>This check and every check under it that failed, without children (leaves only).</summary>
    public IEnumerable<PreflightCheck> Failures()
        => Checks.Count == 0 ? (Status == PreflightStatus.Failed ? [this] : []) : Checks.SelectMany(c => c.Failures());
}

/// <summary>What the preflight found: one tree per service the pipeline deploys.</summary>
/// <param name="Services">One node per service, its checks under it.</param>
public sealed record PreflightReport(IReadOnlyList<PreflightCheck> Services)
{
    /// <summary>Whether any check failed.</summary>
    public bool Failed => Services.Any(s => s.Status == PreflightStatus.Failed);

    /// <summary>Every failed check (leaves).</summary>
    public IReadOnlyList<PreflightCheck> Failures => [.. Services.SelectMany(s => s.Failures())];

    /// <summary>The tree as text lines: <c>✔</c> ok, <c>✖</c> failed, <c>-</c> skipped, indented by depth; failures add the resource and the fix.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (var service in Services)
        {
            foreach (var line in Lines(service, 0))
            {
                yield return line;
            }
        }
    }

    /// <summary>A one-paragraph summary of the failures, for the run's error: each failure with its resource and fix.</summary>
    public string Summary()
    {
        var failures = Failures;
        return failures.Count == 0 ? "every preflight check passed"
            : $"{failures.Count} preflight check(s) failed: " + string.Join("; ", failures.Select(f => $"{f.Name}: {f.Detail}" + (f.Fix is null ? "" : $" (fix: {f.Fix})")));
    }

    private static IEnumerable<string> Lines(PreflightCheck check, int depth)
    {
        var indent = new string(' ', depth * 2);
        var mark = check.Status switch { PreflightStatus.Ok => "ok     ", PreflightStatus.Failed => "FAILED ", _ => "skipped" };
        yield return $"{indent}{mark} {check.Name}: {check.Detail}";
        if (check.Status == PreflightStatus.Failed && check.Checks.Count == 0)
        {
            if (check.Resource is not null)
            {
                yield return $"{indent}        resource: {check.Resource}";
            }
            if (check.Fix is not null)
            {
                yield return $"{indent}        fix: {check.Fix}";
            }
        }
        foreach (var child in check.Checks)
        {
            foreach (var line in Lines(child, depth + 1))
            {
                yield return line;
            }
        }
    }
}
