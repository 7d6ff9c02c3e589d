using EcsDeploy.Reporting;
using Microsoft.Extensions.Logging;

namespace EcsDeploy.Extensions;

/// <summary>
/// Sends a run's events to an <see cref="ILogger"/> with structured properties (Stage, Service, DeploymentId,
/// RolloutState, counts), so a deploy project's logging (console, Seq, OpenTelemetry) receives them. Events
/// arrive already masked: no secret value reaches the logger.
/// </summary>
public sealed partial class LoggerReporter(ILogger<LoggerReporter> logger) : IPipelineReporter
{
    /// <inheritdoc />
    public void Report(PipelineEvent pipelineEvent)
    {
        switch (pipelineEvent)
        {
            case StageStarted e: StageStartedLog(logger, e.Stage); break;
            case StageFinished { Status: StageStatus.Failed } e: StageFailedLog(logger, e.Stage, e.Duration.TotalMilliseconds, e.Message); break;
            case StageFinished e: StageFinishedLog(logger, e.Stage, e.Status, e.Duration.TotalMilliseconds); break;
            case StagePlanned e: PlannedLog(logger, e.Plan.Stage, e.Plan.Summary, e.Plan.Diff.Count); break;
            case StageMessage { Level: MessageLevel.Error } e: ErrorLog(logger, e.Stage, e.Message); break;
            case StageMessage { Level: MessageLevel.Warning } e: WarningLog(logger, e.Stage, e.Message); break;
            case StageMessage { Level: MessageLevel.Verbose } e: DebugLog(logger, e.Stage, e.Message); break;
            case StageMessage e: InfoLog(logger, e.Stage, e.Message); break;
            case CommandOutput e: CommandLog(logger, e.Stage, e.Command, e.Line); break;
            case DeploymentProgress e: ProgressLog(logger, e.Service, e.DeploymentId, e.RolloutState, e.Desired, e.Running, e.Pending, e.FailedTasks); break;
            case ServiceEventObserved e: ServiceEventLog(logger, e.Service, e.CreatedAt, e.Message); break;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Stage {Stage} started")]
    private static partial void StageStartedLog(ILogger logger, string stage);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Stage {Stage} {Status} in {DurationMs} ms")]
    private static partial void StageFinishedLog(ILogger logger, string stage, StageStatus status, double durationMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Stage {Stage} failed after {DurationMs} ms: {Reason}")]
    private static partial void StageFailedLog(ILogger logger, string stage, double durationMs, string? reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Plan {Stage}: {Summary} ({DiffLines} task-definition diff lines)")]
    private static partial void PlannedLog(ILogger logger, string stage, string summary, int diffLines);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "{Stage}: {Message}")]
    private static partial void ErrorLog(ILogger logger, string stage, string message);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Stage}: {Message}")]
    private static partial void WarningLog(ILogger logger, string stage, string message);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "{Stage}: {Message}")]
    private static partial void InfoLog(ILogger logger, string stage, string message);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "{Stage}: {Message}")]
    private static partial void DebugLog(ILogger logger, string stage, string message);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "{Stage} | {Command} | {Line}")]
    private static partial void CommandLog(ILogger logger, string stage, string command, string line);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Service} {DeploymentId}: {RolloutState} desired {Desired}, running {Running}, pending {Pending}, failed {FailedTasks}")]
    private static partial void ProgressLog(ILogger logger, string service, string deploymentId, string? rolloutState, int desired, int running, int pending, int failedTasks);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Service} event at {CreatedAt:O}: {Message}")]
    private static partial void ServiceEventLog(ILogger logger, string service, DateTimeOffset createdAt, string message);
}
