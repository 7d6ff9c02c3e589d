using EcsDeploy.Aws;
using EcsDeploy.Deployments;

namespace EcsDeploy.Operations;

/// <summary>
/// <c>rollback</c> while a blue/green, linear or canary deployment is under way (baking, paused at a hook, shifting):
/// <c>StopServiceDeployment</c> with <c>ROLLBACK</c> sends production traffic back to the revision it replaces, which
/// still runs; then the service deployment is followed to <c>ROLLBACK_SUCCESSFUL</c> by the follower Deploy uses
/// (<see cref="ServiceDeploymentFollower.FollowRollbackAsync"/>: its schedule, its rollback budget). A rollback already under way is
/// only followed (ECS continues it).
/// </summary>
internal static class StrategyRollback
{
    /// <summary>
    /// The service's blue/green, linear or canary service deployment that has not ended (pending, in progress, or already
    /// rolling back), or null: then rollback deploys the previous revision as for a rolling service.
    /// </summary>
    public static async Task<ServiceDeployment?> UnderWayAsync(Operation operation, EcsService service, CancellationToken cancellationToken)
    {
        if (service.CurrentServiceDeployment is not { } arn
            || service.DeploymentConfiguration?.Strategy is not (DeploymentStrategies.BlueGreen or DeploymentStrategies.Linear or DeploymentStrategies.Canary))
        {
            return null;
        }
        var deployment = await DescribeAsync(operation, arn, cancellationToken).ConfigureAwait(false);
        return deployment.Status is ServiceDeploymentStatuses.Pending or ServiceDeploymentStatuses.InProgress
            or ServiceDeploymentStatuses.RollbackRequested or ServiceDeploymentStatuses.RollbackInProgress
            ? deployment
            : null;
    }

    /// <summary>Stops <paramref name="deployment"/> with rollback (unless it is rolling back already) and follows it to its end.</summary>
    public static async Task<(RollbackReport Report, FailureKind? Failure)> RunAsync(Operation operation, EcsService service, ServiceDeployment deployment, string? to, CancellationToken cancellationToken)
    {
        var current = service.TaskDefinition!;
        var source = service.Deployments.FirstOrDefault(d => d.Status == DeploymentStatuses.Active && d.TaskDefinition != current)?.TaskDefinition
            ?? await SourceTaskDefinitionAsync(operation, deployment, cancellationToken).ConfigureAwait(false)
            ?? throw new PipelineStageException($"Service deployment {Short(deployment.ServiceDeploymentArn)} of {operation.ServiceName} names no revision it replaces: it needs attention in the console (Deployments tab).", FailureKind.NeedsAttention);
        if (to is not null && Operation.RevisionName(to, Family(source)) != Operation.Short(source))
        {
            throw new PipelineStageException(
                $"Refusing rollback --to {to}: service deployment {Short(deployment.ServiceDeploymentArn)} of {operation.ServiceName} is under way ({deployment.Status} at {deployment.LifecycleStage}), and a rollback now returns to {Operation.Short(source)}, the revision it replaces, which still runs. Nothing changed: run rollback without --to (or --to {Operation.Short(source)}), then rollback --to {to} once it has ended.",
                FailureKind.Invalid);
        }
        var production = deployment.TargetServiceRevision?.RequestedProductionTrafficWeight ?? 0;
        var where = $"{deployment.Status} at {deployment.LifecycleStage}, production {production:0.#} % on {Operation.Short(current)}";
        var chosen = $"service deployment {Short(deployment.ServiceDeploymentArn)} ({where}) replaces it";
        var report = new RollbackReport { Service = operation.ServiceName, From = current, To = source, Chosen = chosen, Outcome = "planned", DeploymentId = Short(deployment.ServiceDeploymentArn) };
        var rollingBack = deployment.Status is ServiceDeploymentStatuses.RollbackRequested or ServiceDeploymentStatuses.RollbackInProgress;
        if (operation.DryRun)
        {
            return (report with { Summary = rollingBack
                ? $"service deployment {report.DeploymentId} of {operation.ServiceName} is already rolling back to {Operation.Short(source)}: nothing to do"
                : $"would stop service deployment {report.DeploymentId} of {operation.ServiceName} ({where}) with ROLLBACK: back to {Operation.Short(source)}" }, null);
        }
        if (rollingBack)
        {
            operation.Info($"service deployment {report.DeploymentId} of {operation.ServiceName} is already rolling back to {Operation.Short(source)}: following it");
        }
        else
        {
            operation.Info($"stopping service deployment {report.DeploymentId} of {operation.ServiceName} ({where}) with ROLLBACK: back to {Operation.Short(source)}");
            try
            {
                await operation.Ecs.StopServiceDeploymentAsync(new StopServiceDeploymentRequest(deployment.ServiceDeploymentArn, StopTypes.Rollback), cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ConflictException")
            {
                // It ended meanwhile; what follows says how.
                operation.Context.Verbose($"StopServiceDeployment: {ex.Message}");
            }
        }
        // Followed as Deploy follows a deployment (its schedule, the rollback budget of 15 min).
        var settings = RollbackCommand.Settings(operation.Command.Definition);
        var strategy = settings.Strategy is { Strategy.ShiftsTraffic: true } declared && declared.Strategy.Name == service.DeploymentConfiguration?.Strategy
            ? declared
            : StrategySettings.Of(service.DeploymentConfiguration)!;
        var timings = await RolloutTimings.ReadAsync(operation.Context, service, null, cancellationToken).ConfigureAwait(false);
        using var lease = ServiceWatch.For(operation.Context.Aws).Follow();
        var result = await new ServiceDeploymentFollower(operation.Context, settings, strategy, timings)
            .FollowRollbackAsync(operation.ServiceName, deployment.ServiceDeploymentArn, source, current, cancellationToken).ConfigureAwait(false);
        if (result.RolledBack)
        {
            return (report with
            {
                Outcome = "rolled-back",
                RolloutState = ServiceDeploymentStatuses.RollbackSuccessful,
                FinalTaskDefinition = source,
                Summary = $"{operation.ServiceName} rolled back to {Operation.Short(source)}: service deployment {report.DeploymentId} is {ServiceDeploymentStatuses.RollbackSuccessful}",
            }, null);
        }
        if (result.Succeeded)
        {
            return (report with
            {
                Outcome = "failed",
                RolloutState = ServiceDeploymentStatuses.Successful,
                FinalTaskDefinition = current,
                Summary = $"service deployment {report.DeploymentId} finished before the rollback took hold: {operation.ServiceName} runs {Operation.Short(current)}; run rollback again to deploy {Operation.Short(source)}",
            }, FailureKind.Failed);
        }
        var now = await DescribeAsync(operation, deployment.ServiceDeploymentArn, cancellationToken).ConfigureAwait(false);
        return (report with
        {
            Outcome = "needs-attention",
            RolloutState = now.Status,
            Summary = now.Status is ServiceDeploymentStatuses.RollbackRequested or ServiceDeploymentStatuses.RollbackInProgress or ServiceDeploymentStatuses.InProgress or ServiceDeploymentStatuses.Pending
                ? $"service deployment {report.DeploymentId} is still {now.Status} 15 min after its rollback was asked for: {operation.ServiceName} needs attention"
                : $"service deployment {report.DeploymentId} is {now.Status} ({now.StatusReason}): {operation.ServiceName} needs attention",
        }, FailureKind.NeedsAttention);
    }

    private static async Task<string?> SourceTaskDefinitionAsync(Operation operation, ServiceDeployment deployment, CancellationToken cancellationToken)
    {
        if (deployment.SourceServiceRevisions.FirstOrDefault()?.Arn is not { } revision)
        {
            return null;
        }
        var answer = await operation.Ecs.DescribeServiceRevisionsAsync(new DescribeServiceRevisionsRequest([revision]), cancellationToken).ConfigureAwait(false);
        return answer.ServiceRevisions.FirstOrDefault()?.TaskDefinition;
    }

    private static async Task<ServiceDeployment> DescribeAsync(Operation operation, string arn, CancellationToken cancellationToken)
    {
        var answer = await operation.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([arn]), cancellationToken).ConfigureAwait(false);
        return answer.ServiceDeployments.FirstOrDefault(d => d.ServiceDeploymentArn == arn)
            ?? throw new PipelineStageException($"Service deployment {arn} is missing ({string.Join(", ", answer.Failures.Select(f => f.Reason))}).", FailureKind.NeedsAttention);
    }

    private static string Family(string taskDefinitionArn)
    {
        var name = Operation.Short(taskDefinitionArn);
        return name[..name.LastIndexOf(':')];
    }

    private static string Short(string arn) => arn[(arn.LastIndexOf('/') + 1)..];
}
