namespace EcsDeploy.Tasks;

/// <summary>How a one-off task failed before it could report an exit code.</summary>
internal enum OneOffTaskFailure
{
    /// <summary>RunTask started no task (its failures say why).</summary>
    FailedToStart,
    /// <summary>The task did not stop within its timeout and was stopped (StopTask).</summary>
    TimedOut,
}

/// <summary>A one-off task that ended without an exit code; <see cref="Failure"/> says how, so callers need not read the message.</summary>
internal sealed class OneOffTaskException(string message, OneOffTaskFailure failure, FailureKind kind)
    : PipelineStageException(message, kind)
{
    /// <summary>How the task failed.</summary>
    public OneOffTaskFailure Failure { get; } = failure;
}
