using EcsDeploy.Aws;

namespace EcsDeploy.Operations;

/// <summary>
/// The service's deployment history (ListServiceDeployments, DescribeServiceRevisions): which revision the newest
/// SUCCESSFUL service deployment of another task definition than the running one deployed, for <c>rollback</c>.
/// </summary>
internal static class ServiceDeploymentHistory
{
    /// <summary>
    /// The task definition of the newest SUCCESSFUL service deployment whose revision runs another task definition than
    /// <paramref name="current"/>, with how it was chosen; null when the history names none, or cannot be read (an API or
    /// endpoint without service deployments, a role without the permission), so that the caller falls back.
    /// </summary>
    public static async Task<(string TaskDefinition, string Chosen)?> LastSuccessfulOtherThanAsync(Operation operation, string? current, CancellationToken cancellationToken)
    {
        try
        {
            string? token = null;
            do
            {
                var page = await operation.Ecs.ListServiceDeploymentsAsync(new ListServiceDeploymentsRequest
                {
                    Service = operation.ServiceName,
                    Cluster = operation.Cluster,
                    Status = [ServiceDeploymentStatuses.Successful],
                    MaxResults = 20,
                    NextToken = token,
                }, cancellationToken).ConfigureAwait(false);
                var successful = page.ServiceDeployments.Where(d => d.TargetServiceRevisionArn is not null).OrderByDescending(d => d.FinishedAt ?? d.CreatedAt).ToList();
                if (successful.Count > 0)
                {
                    var revisions = await operation.Ecs.DescribeServiceRevisionsAsync(
                        new DescribeServiceRevisionsRequest([.. successful.Select(d => d.TargetServiceRevisionArn!).Distinct(StringComparer.Ordinal)]), cancellationToken).ConfigureAwait(false);
                    var taskDefinitions = revisions.ServiceRevisions.Where(r => r.TaskDefinition is not null).ToDictionary(r => r.ServiceRevisionArn, r => r.TaskDefinition!, StringComparer.Ordinal);
                    foreach (var deployment in successful)
                    {
                        if (taskDefinitions.TryGetValue(deployment.TargetServiceRevisionArn!, out var taskDefinition) && taskDefinition != current)
                        {
                            var id = deployment.ServiceDeploymentArn[(deployment.ServiceDeploymentArn.LastIndexOf('/') + 1)..];
                            return (taskDefinition, $"service deployment {id} deployed it successfully{(deployment.FinishedAt is { } at ? $" at {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "")}");
                        }
                    }
                }
                token = page.NextToken;
            }
            while (token is not null);
            return null;
        }
        catch (AwsServiceException ex)
        {
            operation.Context.Verbose($"the service deployment history could not be read ({ex.ErrorCode}: {ex.Message}); the rollback target comes from the service's deployments and tasks");
            return null;
        }
    }
}
