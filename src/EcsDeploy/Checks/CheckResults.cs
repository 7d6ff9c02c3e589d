namespace EcsDeploy.Checks;

/// <summary>How a PR check ended.</summary>
public enum CheckStatus
{
    /// <summary>The check ran and found nothing that fails the pull request.</summary>
    Passed,
    /// <summary>The check ran and found a problem that fails the pull request.</summary>
    Failed,
    /// <summary>The check could not be done (tool missing, registry or database unreachable, engine offline). Never a pass.</summary>
    CouldNotRun,
    /// <summary>The pipeline turned the check off with <c>.Skip("reason")</c>; the reason is the summary.</summary>
    SkippedByConfig,
}

/// <summary>What one PR check found.</summary>
/// <param name="Name">The check (its stage name: TypeCheck, Lint, PrismaValidate, ImageBuild, DependencyAudit, MigrationDrift).</param>
/// <param name="Status">How it ended.</param>
/// <param name="Summary">One line: what it found, or why it could not run.</param>
/// <param name="Duration">How long it took.</param>
public sealed record CheckResult(string Name, CheckStatus Status, string Summary, TimeSpan Duration)
{
    /// <summary>The findings behind the summary (compiler errors, lint messages, vulnerable packages, the drift), at most <see cref="CheckStage{TOptions}.MaxFindings"/>.</summary>
    public IReadOnlyList<string> Findings { get; init; } = [];
    /// <summary>Counts by kind, when the check counts (vulnerabilities by severity, errors and warnings).</summary>
    public IReadOnlyDictionary<string, int>? Counts { get; init; }
}

/// <summary>The outputs the PR checks share.</summary>
public static class CheckOutputs
{
    /// <summary>The checks' results so far, in pipeline order.</summary>
    public static readonly OutputKey<IReadOnlyList<CheckResult>> Results = new("check results");

    /// <summary>Adds <paramref name="result"/> to the run's results, keeping them in the order the stages are written.</summary>
    public static void Record(PipelineContext context, CheckResult result)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var order = context.Definition.Stages.Select(s => s.Descriptor.Name).ToList();
        // Stages run one after another, so read-then-write is safe here.
        var list = (context.Get(Results) ?? []).Where(r => r.Name != result.Name).Append(result)
            .OrderBy(r => order.IndexOf(r.Name) is var i && i < 0 ? int.MaxValue : i)
            .ToList();
        context.Set(Results, list);
    }
}

/// <summary>What a check's run found, before timing: its status, summary, findings and counts.</summary>
public sealed record CheckOutcome(CheckStatus Status, string Summary)
{
    /// <summary>The findings.</summary>
    public IReadOnlyList<string> Findings { get; init; } = [];
    /// <summary>Counts by kind.</summary>
    public IReadOnlyDictionary<string, int>? Counts { get; init; }

    /// <summary>A pass.</summary>
    public static CheckOutcome Pass(string summary) => new(CheckStatus.Passed, summary);
    /// <summary>A failure with its findings.</summary>
    public static CheckOutcome Fail(string summary, IReadOnlyList<string>? findings = null) => new(CheckStatus.Failed, summary) { Findings = findings ?? [] };
    /// <summary>A check that could not be done, saying why and what to do.</summary>
    public static CheckOutcome CouldNotRun(string summary, IReadOnlyList<string>? findings = null) => new(CheckStatus.CouldNotRun, summary) { Findings = findings ?? [] };
}
