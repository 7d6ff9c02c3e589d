using System.CommandLine;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Hosting;

namespace EcsDeploy.Operations;

/// <summary>The answer of <c>rollback</c>.</summary>
internal sealed record RollbackReport
{
    public required string Service { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    /// <summary>How the target was chosen: <c>--to</c>, or the evidence it last completed a deployment.</summary>
    public required string Chosen { get; init; }
    public required string Outcome { get; init; }
    public string? DeploymentId { get; init; }
    public string? RolloutState { get; init; }
    public string? Summary { get; init; }
    public string? FinalTaskDefinition { get; init; }
    public string? Deregistered { get; init; }
}

/// <summary>
/// <c>rollback [--to REVISION]</c>: points the service at the revision that last completed a deployment, or the one
/// given, and follows the rollout as Deploy does (same settings, same exit codes). Refuses, changing nothing, a
/// revision that is INACTIVE, of another family, or whose image is no longer in ECR. While a blue/green, linear or
/// canary deployment is under way, stops it with rollback instead (<see cref="StrategyRollback"/>).
/// </summary>
internal static class RollbackCommand
{
    public static PipelineCommand Create()
    {
        var to = new Option<string?>("--to") { Description = "The revision to go back to (41, family:41 or an ARN); default: the one that last completed a deployment", HelpName = "REVISION" };
        var deregisterFailed = new Option<bool>("--deregister-failed") { Description = "After a successful rollback, deregister the revision it left" };
        var command = new PipelineCommand("rollback", "Points the service back at the revision that last completed a deployment (or --to REVISION) and follows the rollout",
            (context, ct) => RunAsync(context, to, deregisterFailed, ct))
        {
            IamGrants = CommandIam.Rollback,
        };
        command.Options.Add(to);
        command.Options.Add(deregisterFailed);
        return command;
    }

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, Option<string?> toOption, Option<bool> deregisterOption, CancellationToken cancellationToken)
    {
        var operation = Operation.Open(command);
        var running = await operation.DescribeServiceAsync(cancellationToken).ConfigureAwait(false);
        var current = running.Service.TaskDefinition!;
        var family = running.TaskDefinition.Family!;
        if (await StrategyRollback.UnderWayAsync(operation, running.Service, cancellationToken).ConfigureAwait(false) is { } underWay)
        {
            // A blue/green, linear or canary deployment is baking, paused or shifting: StopServiceDeployment with ROLLBACK.
            var (stopped, failure) = await StrategyRollback.RunAsync(operation, running.Service, underWay, operation.Value(toOption), cancellationToken).ConfigureAwait(false);
            if (failure is null && !operation.DryRun && operation.Value(deregisterOption))
            {
                await Revisions.DeregisterAsync(operation, [current], cancellationToken).ConfigureAwait(false);
                stopped = stopped with { Deregistered = current };
            }
            await operation.WriteAsync(stopped, Text).ConfigureAwait(false);
            return failure;
        }
        var (target, chosen) = operation.Value(toOption) is { } to
            ? (await operation.ResolveRevisionAsync(to, family, cancellationToken).ConfigureAwait(false), "--to " + to)
            : await LastCompletedAsync(operation, running.Service, family, cancellationToken).ConfigureAwait(false);
        var targetArn = target.TaskDefinitionArn!;

        if (target.Status != ResourceStatuses.Active)
        {
            throw new PipelineStageException($"Refusing to roll back {operation.ServiceName} to {Operation.Short(targetArn)}: it is {target.Status} (deregistered), and ECS starts no new tasks of it. Nothing changed: pick an ACTIVE revision (list them with 'revisions').", FailureKind.Invalid);
        }
        var registryHost = await operation.RegistryHostAsync(cancellationToken).ConfigureAwait(false);
        foreach (var container in target.ContainerDefinitions ?? [])
        {
            if (await EcrImages.MissingAsync(command.Aws, container.Image, registryHost, cancellationToken).ConfigureAwait(false) is { } missing)
            {
                throw new PipelineStageException($"Refusing to roll back {operation.ServiceName} to {Operation.Short(targetArn)}: container {container.Name}: {missing}, so its tasks could not start. Nothing changed: pick a revision whose image is still in ECR, or push that image again.", FailureKind.Invalid);
            }
        }

        var report = new RollbackReport { Service = operation.ServiceName, From = current, To = targetArn, Chosen = chosen, Outcome = "planned" };
        if (targetArn == current && running.Service.Deployments is [{ RolloutState: RolloutStates.Completed }])
        {
            await operation.WriteAsync(report with { Outcome = "unchanged", Summary = $"{operation.ServiceName} already runs {Operation.Short(targetArn)}" }, Text).ConfigureAwait(false);
            return null;
        }
        if (operation.DryRun)
        {
            await operation.WriteAsync(report with { Summary = $"would roll {operation.ServiceName} back from {Operation.Short(current)} to {Operation.Short(targetArn)} ({chosen})" }, Text).ConfigureAwait(false);
            return null;
        }

        operation.Info($"rolling {operation.ServiceName} back from {Operation.Short(current)} to {Operation.Short(targetArn)} ({chosen})");
        Task<RolloutResult> RollOut(CancellationToken ct) => operation.Context.Rollouts.RollOutAsync(operation.ServiceName, targetArn, Settings(command.Definition), ct);
        var result = command.Definition.Stage<DeployStage>()?.Options.AutoScalingSuspended == true
            ? await AutoScalingSuspension.AroundAsync(operation.Context, operation.ServiceName, RollOut, cancellationToken).ConfigureAwait(false)
            : await RollOut(cancellationToken).ConfigureAwait(false);
        report = report with
        {
            Outcome = result.Succeeded ? "rolled-back" : result.Failure == FailureKind.NeedsAttention ? "needs-attention" : "failed",
            DeploymentId = result.DeploymentId,
            RolloutState = result.RolloutState,
            Summary = result.Summary,
            FinalTaskDefinition = result.FinalTaskDefinition,
        };
        if (result.Succeeded && operation.Value(deregisterOption) && current != targetArn)
        {
            await Revisions.DeregisterAsync(operation, [current], cancellationToken).ConfigureAwait(false);
            report = report with { Deregistered = current };
        }
        await operation.WriteAsync(report, Text).ConfigureAwait(false);
        return result.Succeeded ? null : result.Failure ?? FailureKind.Failed;
    }

    /// <summary>
    /// The rollout settings of the pipeline's Deploy stage (wait budget, circuit breaker, rollback, and the deployment
    /// configuration it declares: a rollback deploys as Deploy would), or the defaults.
    /// </summary>
    internal static RolloutSettings Settings(PipelineDefinition definition)
        => definition.Stage<DeployStage>() is { } deploy
            ? deploy.Settings(null)
            : new RolloutSettings(TimeSpan.FromMinutes(10));

    /// <summary>
    /// The revision that last completed a deployment of the service, not "the current revision minus one": the target of the
    /// newest SUCCESSFUL service deployment that runs another revision (ListServiceDeployments); when that history yields
    /// nothing, a COMPLETED deployment beside an unfinished PRIMARY one; else, the revision whose tasks the scheduler replaced most recently
    /// (stopped tasks of the service, which ECS keeps for about an hour). Without such evidence it asks for --to.
    /// </summary>
    internal static async Task<(Aws.TaskDefinition Target, string Chosen)> LastCompletedAsync(Operation operation, EcsService service, string family, CancellationToken cancellationToken)
    {
        var current = service.TaskDefinition;
        if (await ServiceDeploymentHistory.LastSuccessfulOtherThanAsync(operation, current, cancellationToken).ConfigureAwait(false) is { } fromHistory)
        {
            return (await operation.ResolveRevisionAsync(fromHistory.TaskDefinition, family, cancellationToken).ConfigureAwait(false), fromHistory.Chosen);
        }
        if (service.Deployments.Skip(1).FirstOrDefault(d => d.RolloutState == RolloutStates.Completed) is { } completed)
        {
            return (await operation.ResolveRevisionAsync(completed.TaskDefinition, family, cancellationToken).ConfigureAwait(false), $"deployment {completed.Id} completed with it");
        }
        var primary = service.Deployments.FirstOrDefault();
        if (primary is not null && primary.RolloutState != RolloutStates.Completed && service.Deployments.Count > 1)
        {
            var other = service.Deployments[1];
            return (await operation.ResolveRevisionAsync(other.TaskDefinition, family, cancellationToken).ConfigureAwait(false), $"it ran before deployment {primary.Id}");
        }
        var stopped = await ServiceTasks.DescribeAsync(operation, cancellationToken, TaskStatuses.Stopped).ConfigureAwait(false);
        var replaced = stopped
            .Where(t => t.TaskDefinitionArn != current && t.StartedAt is not null && t.StopCode == StopCodes.ServiceSchedulerInitiated
                && t.StoppedReason?.StartsWith("Scaling activity initiated by (deployment", StringComparison.Ordinal) == true)
            .OrderByDescending(t => t.StoppedAt)
            .FirstOrDefault();
        if (replaced is not null)
        {
            return (await operation.ResolveRevisionAsync(replaced.TaskDefinitionArn!, family, cancellationToken).ConfigureAwait(false),
                $"its tasks ran until the deployment of {Operation.Short(current)} replaced them");
        }
        throw new PipelineStageException(
            $"Cannot tell which revision last completed a deployment of {operation.ServiceName}: it has one deployment ({Operation.Short(current)}) and no recently replaced tasks. Nothing changed: give the revision with --to REVISION (list them with 'revisions').",
            FailureKind.Invalid);
    }

    private static IEnumerable<string> Text(RollbackReport report)
    {
        yield return report.Summary ?? $"{report.Service}: {report.Outcome}";
        yield return $"from         {Operation.Short(report.From)}";
        yield return $"to           {Operation.Short(report.To)} ({report.Chosen})";
        yield return $"outcome      {report.Outcome}" + (report.RolloutState is null ? "" : $" (deployment {report.DeploymentId}: {report.RolloutState})");
        if (report.Deregistered is not null)
        {
            yield return $"deregistered {Operation.Short(report.Deregistered)}";
        }
    }
}
