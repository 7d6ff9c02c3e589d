namespace EcsDeploy.Deployments;

/// <summary>
/// Rolls out a service and follows its deployment by id until it completes, fails, is rolled back or times out (then
/// it rolls back itself when <see cref="RolloutSettings.Rollback"/> is on). Reached through
/// <see cref="PipelineContext.Rollouts"/>; Deploy, WithOllama and any user's stage roll services out this way.
/// </summary>
public sealed class RolloutService
{
    private readonly PipelineContext _context;

    internal RolloutService(PipelineContext context) => _context = context;

    /// <summary>
    /// Points <paramref name="serviceName"/> at <paramref name="taskDefinitionArn"/> (or forces a new deployment of what it
    /// runs when null) and follows that deployment to its end. Service events and stopped tasks are reported as they come.
    /// </summary>
    public Task<RolloutResult> RollOutAsync(string serviceName, string? taskDefinitionArn, RolloutSettings settings, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentNullException.ThrowIfNull(settings);
        return new RolloutTracker(_context, settings).DeployAsync(serviceName, taskDefinitionArn, cancellationToken);
    }

    /// <summary>Points the service at <paramref name="taskDefinitionArn"/> without waiting; returns the new deployment's id.</summary>
    public Task<string> StartAsync(string serviceName, string taskDefinitionArn, RolloutSettings settings, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(taskDefinitionArn);
        ArgumentNullException.ThrowIfNull(settings);
        return new RolloutTracker(_context, settings).StartWithoutWaitingAsync(serviceName, taskDefinitionArn, cancellationToken);
    }

    /// <summary>The short form of a task-definition ARN, <c>family:revision</c>, for messages.</summary>
    public static string ShortName(string? taskDefinitionArn) => RolloutTracker.ShortTaskDefinition(taskDefinitionArn);
}
