using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// <c>d.SuspendAutoScaling()</c>: suspends a service's Application Auto Scaling (dynamic scale in, dynamic scale out and
/// scheduled scaling, through RegisterScalableTarget's SuspendedState) around a rollout, and restores the state it had
/// before once the rollout ends: succeeded, failed or cancelled. A service with no scalable target is rolled out as is.
/// Before suspending, it tags the service with the state to restore (<see cref="AutoScalingMarker"/>) and removes the tag
/// once restored, so a run killed in between is noticed: by the next deploy (which restores that state), by
/// <c>status</c>, and by <c>scale --resume</c>.
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
        var found = (target.SuspendedState ?? SuspendedState.None).Explicit();
        var service = await DescribeTaggedAsync(context, serviceName, cancellationToken).ConfigureAwait(false);
        var marker = AutoScalingMarker.Read(service?.Tags);
        SuspendedState previous;
        if (marker is not null)
        {
            // A deploy suspended scaling at marker.At and never restored it (killed, or its restore failed).
            previous = marker.Restore.Explicit();
            context.Warn($"{serviceName}: Application Auto Scaling was left {Describe(found)} by a previous deploy at {marker.When} that did not finish; this rollout restores it to what that deploy found ({Describe(previous)})");
        }
        else if (found.IsAllSuspended)
        {
            context.Warn($"{serviceName}: Application Auto Scaling was already suspended before this rollout (not by a deploy of EcsDeploy, which would have tagged the service {AutoScalingMarker.TagKey}), so it stays suspended after it; resume it with: {ResumeCommand(context, target.ResourceId, SuspendedState.None)}");
            return await rollout(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            previous = found;
            if (service?.ServiceArn is { } arn)
            {
                await context.Aws.Ecs.TagResourceAsync(new TagResourceRequest(arn, [new AutoScalingMarker(previous, context.Time.GetUtcNow()).ToTag()]), cancellationToken).ConfigureAwait(false);
            }
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
                await ForgetAsync(context, service?.ServiceArn, serviceName).ConfigureAwait(false);
            }
            catch (AwsServiceException ex)
            {
                throw new PipelineStageException(
                    $"{serviceName}: Application Auto Scaling stays suspended: restoring it failed ({ex.ErrorCode}: {ex.Message}). Resume it with: {ResumeCommand(context, target.ResourceId, previous)}",
                    FailureKind.NeedsAttention, ex);
            }
        }
    }

    /// <summary>
    /// <c>scale --resume</c>: puts the service's scaling back to the state a deploy recorded before suspending it (or,
    /// without such a record, resumes everything), and removes the record. Null when the service has no scalable target.
    /// </summary>
    public static async Task<(ScalableTarget Target, SuspendedState From, SuspendedState To, AutoScalingMarker? Marker)?> ResumeAsync(PipelineContext context, string serviceName, bool dryRun, CancellationToken cancellationToken)
    {
        var autoScaling = Require(context);
        var target = await FindAsync(autoScaling, context.Definition.Cluster, serviceName, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            return null;
        }
        var service = await DescribeTaggedAsync(context, serviceName, cancellationToken).ConfigureAwait(false);
        var marker = AutoScalingMarker.Read(service?.Tags);
        var from = (target.SuspendedState ?? SuspendedState.None).Explicit();
        var to = (marker?.Restore ?? SuspendedState.None).Explicit();
        if (!dryRun)
        {
            if (from != to)
            {
                await RegisterAsync(autoScaling, target.ResourceId, to, cancellationToken).ConfigureAwait(false);
            }
            await ForgetAsync(context, marker is null ? null : service?.ServiceArn, serviceName).ConfigureAwait(false);
        }
        return (target, from, to, marker);
    }

    /// <summary>The service's scalable target and the record of a deploy that suspended it and did not finish (for <c>status</c>).</summary>
    public static async Task<(ScalableTarget? Target, AutoScalingMarker? Marker)> ReadAsync(PipelineContext context, string serviceName, CancellationToken cancellationToken)
    {
        if (context.Aws.AutoScaling is not { } autoScaling)
        {
            return (null, null);
        }
        var target = await FindAsync(autoScaling, context.Definition.Cluster, serviceName, cancellationToken).ConfigureAwait(false);
        var service = await DescribeTaggedAsync(context, serviceName, cancellationToken).ConfigureAwait(false);
        return (target, AutoScalingMarker.Read(service?.Tags));
    }

    private static async Task<EcsService?> DescribeTaggedAsync(PipelineContext context, string serviceName, CancellationToken cancellationToken)
        => (await context.Aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(context.Definition.Cluster, [serviceName]) { Include = [DescribeServicesRequest.IncludeTags] }, cancellationToken).ConfigureAwait(false))
            .Services.FirstOrDefault();

    /// <summary>Removes the record once scaling is back; a failure leaves it (the next deploy restores the same state again).</summary>
    private static async Task ForgetAsync(PipelineContext context, string? serviceArn, string serviceName)
    {
        if (serviceArn is null)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await context.Aws.Ecs.UntagResourceAsync(new UntagResourceRequest(serviceArn, [AutoScalingMarker.TagKey]), timeout.Token).ConfigureAwait(false);
        }
        catch (AwsServiceException ex)
        {
            context.Warn($"{serviceName}: scaling is restored, but the tag {AutoScalingMarker.TagKey} stays on the service ({ex.ErrorCode}: {ex.Message}); remove it with: aws ecs untag-resource --resource-arn {serviceArn} --tag-keys {AutoScalingMarker.TagKey}");
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
