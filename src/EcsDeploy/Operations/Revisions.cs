using EcsDeploy.Aws;

namespace EcsDeploy.Operations;

/// <summary>A revision of the family as <c>revisions</c> lists it, with why it is in use.</summary>
internal sealed record RevisionInfo(string TaskDefinitionArn, int Revision, string Status, DateTimeOffset? RegisteredAt, string? Image, IReadOnlyList<string> InUse)
{
    /// <summary>True when something runs it, or it is the one a rollback would go to.</summary>
    public bool IsInUse => InUse.Count > 0;
}

/// <summary>Reads a family's revisions and what uses each; deregisters and deletes revisions.</summary>
internal static class Revisions
{
    /// <summary>
    /// The family's ACTIVE revisions, newest first (every page of ListTaskDefinitions), each marked with its uses: the
    /// service's PRIMARY deployment, another deployment (a rollout in progress), running tasks, the rollback target.
    /// </summary>
    public static async Task<(string Family, IReadOnlyList<RevisionInfo> Revisions)> ListAsync(Operation operation, bool includeInactive, CancellationToken cancellationToken)
    {
        var running = await operation.DescribeServiceAsync(cancellationToken).ConfigureAwait(false);
        var family = running.TaskDefinition.Family!;
        var uses = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Use(string? arn, string why)
        {
            if (arn is null)
            {
                return;
            }
            if (!uses.TryGetValue(arn, out var list))
            {
                uses[arn] = list = [];
            }
            if (!list.Contains(why, StringComparer.Ordinal))
            {
                list.Add(why);
            }
        }
        foreach (var deployment in running.Service.Deployments)
        {
            Use(deployment.TaskDefinition, deployment.Status == DeploymentStatuses.Primary
                ? deployment.RolloutState == RolloutStates.InProgress ? "service (deployment in progress)" : "service"
                : "deployment " + (deployment.RolloutState ?? deployment.Status).ToLowerInvariant().Replace('_', ' '));
        }
        foreach (var task in await ServiceTasks.DescribeAsync(operation, cancellationToken).ConfigureAwait(false))
        {
            Use(task.TaskDefinitionArn, "running tasks");
        }
        try
        {
            var (target, _) = await RollbackCommand.LastCompletedAsync(operation, running.Service, family, cancellationToken).ConfigureAwait(false);
            Use(target.TaskDefinitionArn, "rollback target");
        }
        catch (PipelineStageException)
        {
            // No evidence of an earlier completed deployment: no rollback target to keep.
        }

        var arns = new List<string>();
        foreach (var status in includeInactive ? new[] { ResourceStatuses.Active, ResourceStatuses.Inactive } : [ResourceStatuses.Active])
        {
            string? token = null;
            do
            {
                var page = await operation.Ecs.ListTaskDefinitionsAsync(new ListTaskDefinitionsRequest(family, status, "DESC", token), cancellationToken).ConfigureAwait(false);
                arns.AddRange(page.TaskDefinitionArns);
                token = page.NextToken;
            }
            while (token is not null);
        }
        var revisions = new List<RevisionInfo>();
        foreach (var arn in arns)
        {
            var definition = (await operation.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(arn, IncludeTags: false), cancellationToken).ConfigureAwait(false)).TaskDefinition;
            revisions.Add(new RevisionInfo(arn, definition.Revision ?? 0, definition.Status ?? "", definition.RegisteredAt,
                definition.ContainerDefinitions?.FirstOrDefault(c => c.Essential != false)?.Image, uses.GetValueOrDefault(arn) ?? []));
        }
        return (family, [.. revisions.OrderByDescending(r => r.Revision)]);
    }

    /// <summary>Deregisters each revision (DeregisterTaskDefinition), reporting each.</summary>
    public static async Task DeregisterAsync(Operation operation, IReadOnlyList<string> arns, CancellationToken cancellationToken)
    {
        foreach (var arn in arns)
        {
            await operation.Ecs.DeregisterTaskDefinitionAsync(new DeregisterTaskDefinitionRequest(arn), cancellationToken).ConfigureAwait(false);
            operation.Info($"deregistered {Operation.Short(arn)}");
        }
    }

    /// <summary>Deletes INACTIVE revisions (DeleteTaskDefinitions, ten at a time); returns the failures ECS gave.</summary>
    public static async Task<IReadOnlyList<EcsFailure>> DeleteAsync(Operation operation, IReadOnlyList<string> arns, CancellationToken cancellationToken)
    {
        var failures = new List<EcsFailure>();
        foreach (var chunk in arns.Chunk(10))
        {
            var response = await operation.Ecs.DeleteTaskDefinitionsAsync(new DeleteTaskDefinitionsRequest(chunk), cancellationToken).ConfigureAwait(false);
            foreach (var deleted in response.TaskDefinitions)
            {
                operation.Info($"deleting {Operation.Short(deleted.TaskDefinitionArn)} ({deleted.Status})");
            }
            failures.AddRange(response.Failures);
        }
        return failures;
    }
}
