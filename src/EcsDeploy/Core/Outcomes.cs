namespace EcsDeploy;

/// <summary>What a failure means for the service. Stages raise a kind; only the host turns it into an exit code.</summary>
public enum FailureKind
{
    /// <summary>The service is on the last good revision: rolled back, or never touched.</summary>
    Failed,
    /// <summary>The definition, the arguments or the environment are invalid; found before any change, nothing changed.</summary>
    Invalid,
    /// <summary>Something may have changed and the service's state needs a person to look at it.</summary>
    NeedsAttention,
    /// <summary>The run was cancelled.</summary>
    Cancelled,
}

/// <summary>How a run ended.</summary>
public enum RunOutcome
{
    /// <summary>Deployed and verified.</summary>
    Deployed,
    /// <summary>Planned only (--dry-run): nothing changed.</summary>
    Planned,
    /// <summary>The service was updated but the result was not waited for (--no-wait).</summary>
    NotConfirmed,
    /// <summary>The deployment failed and the service was rolled back to the last good revision.</summary>
    RolledBack,
    /// <summary>Failed; the service is on the last good revision (it was never touched).</summary>
    Failed,
    /// <summary>Failed, and the service's state needs attention.</summary>
    NeedsAttention,
    /// <summary>Invalid definition, arguments or environment, found before any change; nothing changed.</summary>
    Invalid,
    /// <summary>Cancelled.</summary>
    Cancelled,
    /// <summary>A pipeline of PR checks: every check ran and passed.</summary>
    ChecksPassed,
    /// <summary>A pipeline of PR checks: a check found a problem.</summary>
    ChecksFailed,
    /// <summary>A pipeline of PR checks: no check failed, but one could not run (or none checked anything).</summary>
    ChecksIncomplete,
}

/// <summary>The script host's exit codes, and the one table that maps outcomes and failure kinds to them.</summary>
public static class ExitCodes
{
    /// <summary>Deployed and verified (or, with --dry-run, planned).</summary>
    public const int Success = 0;
    /// <summary>The deployment failed and the service is on the last good revision (or was never touched).</summary>
    public const int Failed = 1;
    /// <summary>Invalid definition or arguments; nothing changed.</summary>
    public const int Invalid = 2;
    /// <summary>Failed, and the service's state needs attention.</summary>
    public const int NeedsAttention = 3;
    /// <summary>Cancelled.</summary>
    public const int Cancelled = 130;

    /// <summary>The exit code of a run that ended with <paramref name="outcome"/>.</summary>
    public static int For(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Deployed or RunOutcome.Planned or RunOutcome.NotConfirmed or RunOutcome.ChecksPassed => Success,
        RunOutcome.RolledBack or RunOutcome.Failed or RunOutcome.ChecksFailed or RunOutcome.ChecksIncomplete => Failed,
        RunOutcome.Invalid => Invalid,
        RunOutcome.NeedsAttention => NeedsAttention,
        RunOutcome.Cancelled => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>The exit code of a failure of kind <paramref name="kind"/> (a command that is not a pipeline run).</summary>
    public static int For(FailureKind kind) => kind switch
    {
        FailureKind.Failed => Failed,
        FailureKind.Invalid => Invalid,
        FailureKind.NeedsAttention => NeedsAttention,
        FailureKind.Cancelled => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>How outcomes are written in text and JSON.</summary>
public static class RunOutcomeText
{
    /// <summary>The outcome in kebab case, as the JSON result writes it (<c>rolled-back</c>, <c>checks-passed</c>).</summary>
    public static string ToText(this RunOutcome outcome) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(outcome.ToString());

    /// <summary>True for the outcomes that exit 0: deployed, planned, not confirmed (--no-wait), checks passed.</summary>
    public static bool IsSuccess(this RunOutcome outcome) => ExitCodes.For(outcome) == ExitCodes.Success;
}
