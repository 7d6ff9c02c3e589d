namespace EcsDeploy.Checks;

/// <summary>What a run of PR checks says about the pull request, beyond each check's own status.</summary>
internal static class CheckVerdict
{
    /// <summary>
    /// Why the checks verified nothing (every one was skipped by configuration), or null when at least one ran. A run
    /// that checked nothing is incomplete, never a pass: a pull request is not verified by turning every check off.
    /// </summary>
    public static string? NothingChecked(IReadOnlyList<CheckResult> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        return checks.Count > 0 && checks.All(c => c.Status == CheckStatus.SkippedByConfig)
            ? $"every check was skipped by configuration ({string.Join(", ", checks.Select(c => c.Name))}): nothing was checked, so the pull request is NOT verified. Let at least one check run."
            : null;
    }
}
