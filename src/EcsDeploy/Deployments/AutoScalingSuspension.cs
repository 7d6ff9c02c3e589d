using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// <c>d.SuspendAutoScaling()</c>: suspends a service's Application Auto Scaling (dynamic scale in, dynamic scale out and
/// scheduled scaling, through RegisterScalableTarget's SuspendedState) around a rollout, and restores the state it had
/// before once the rollout ends: succeeded, failed or cancelled. A service with no scalable target is rolled out as is.
/// </summary>
internal static class AutoScalingSuspension
{
    /// <summary>The service's scalable target (ecs:service:DesiredCount), or null when it has none.</summary>
    public static async Task<ScalableTarget?> FindAsync(IApplicationAutoScalingApi autoScaling, string cluster, string serviceName, CancellationToken cancellationToken)
    {
        var resourceId = EcsScalableTargets.ResourceId(cluster, serviceName);
        var response = await autoScaling.DescribeScalableTargetsAsync(
            new DescribeScalableTargetsRequest(EcsScalableTargets.ServiceNamespace, [resourceId], EcsScalableTargets.DesiredCount), cancellationToken).ConfigureAwait(false);
        return response.ScalableTargets.FirstOrDefault(t => t.ResourceId == resourceId);
    }

    /// <summary>The environment's Application Auto Scaling client, or an invalid-input failure naming why it is needed.</summary>
    public static IApplicationAutoScalingApi Require(PipelineContext context)
        => context.Aws.AutoScaling ?? throw new PipelineStageException(
            $"Deploy: d.SuspendAutoScaling() needs Application Auto Scaling, but the environment '{context.Aws.Description}' has no client for it: build it with AwsEnvironment.Create(..., autoScaling: ...), or remove d.SuspendAutoScaling().",
            FailureKind.Invalid);

    /// <summary>
    /// Runs <paramref name="rollout"/> with the service's scaling suspended, then puts the suspended state back as it was,
    /// also when the rollout throws or is cancelled (the restore itself is not cancellable). A restore that fails makes
    /// the run need attention, naming the command that resumes scaling.
    /// </summary>
    public static async Task<T> AroundAsync<T>(PipelineContext context, string serviceName, Func<CancellationToken, Task<T>> rollout, CancellationToken cancellationToken)
    {
        var autoScaling = Require(context);
        var cluster = context.Definition.Cluster;
        var target = await FindAsync(autoScaling, cluster, serviceName, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            context.Info($"{serviceName}: no Application Auto Scaling target, so there is no scaling to suspend");
            return await rollout(cancellationToken).ConfigureAwait(false);
        }
        var previous = (target.SuspendedState ?? SuspendedState.None).Explicit();
        if (previous.IsAllSuspended)
        {
            context.Warn($"{serviceName}: Application Auto Scaling was already suspended before this rollout (on purpose, or by a run that did not finish), so it stays suspended after it; resume it with: {ResumeCommand(context, target.ResourceId, SuspendedState.None)}");
            return await rollout(cancellationToken).ConfigureAwait(false);
        }
        await RegisterAsync(autoScaling, target.ResourceId, SuspendedState.All, cancellationToken).ConfigureAwait(false);
        context.Info($"{serviceName}: Application Auto Scaling suspended for the rollout (scale in, scale out and scheduled scaling; range {target.MinCapacity}-{target.MaxCapacity})");
        try
        {
            return await rollout(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await RegisterAsync(autoScaling, target.ResourceId, previous, CancellationToken.None).ConfigureAwait(false);
                context.Info($"{serviceName}: Application Auto Scaling restored to its state before the rollout ({Describe(previous)})");
            }
            catch (AwsServiceException ex)
            {
                throw new PipelineStageException(
                    $"{serviceName}: Application Auto Scaling stays suspended: restoring it failed ({ex.ErrorCode}: {ex.Message}). Resume it with: {ResumeCommand(context, target.ResourceId, previous)}",
                    FailureKind.NeedsAttention, ex);
            }
        }
    }

    /// <summary>What is suspended, for messages.</summary>
    public static string Describe(SuspendedState state)
    {
        var kinds = new List<string>();
        if (state.DynamicScalingInSuspended == true)
        {
            kinds.Add("scale in");
        }
        if (state.DynamicScalingOutSuspended == true)
        {
            kinds.Add("scale out");
        }
        if (state.ScheduledScalingSuspended == true)
        {
            kinds.Add("scheduled scaling");
        }
        return kinds.Count == 0 ? "nothing suspended" : string.Join(", ", kinds) + " suspended";
    }

    private static Task<RegisterScalableTargetResponse> RegisterAsync(IApplicationAutoScalingApi autoScaling, string resourceId, SuspendedState state, CancellationToken cancellationToken)
        => autoScaling.RegisterScalableTargetAsync(new RegisterScalableTargetRequest
        {
            ServiceNamespace = EcsScalableTargets.ServiceNamespace,
            ResourceId = resourceId,
            ScalableDimension = EcsScalableTargets.DesiredCount,
            SuspendedState = state,
        }, cancellationToken);

    private static string ResumeCommand(PipelineContext context, string resourceId, SuspendedState state)
    {
        var explicitState = state.Explicit();
        return $"aws application-autoscaling register-scalable-target --region {context.Definition.Region} --service-namespace ecs --scalable-dimension {EcsScalableTargets.DesiredCount} --resource-id {resourceId} "
            + $"--suspended-state DynamicScalingInSuspended={Lower(explicitState.DynamicScalingInSuspended)},DynamicScalingOutSuspended={Lower(explicitState.DynamicScalingOutSuspended)},ScheduledScalingSuspended={Lower(explicitState.ScheduledScalingSuspended)}";
    }

    private static string Lower(bool? value) => value == true ? "true" : "false";
}
