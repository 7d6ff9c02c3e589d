using EcsDeploy.Aws;

namespace EcsDeploy.Operations;

/// <summary>Reads a service's tasks (every page of ListTasks, DescribeTasks by hundreds).</summary>
internal static class ServiceTasks
{
    /// <summary>The service's tasks that are meant to run (desired status RUNNING), or with <paramref name="desiredStatus"/>.</summary>
    public static async Task<IReadOnlyList<EcsTask>> DescribeAsync(Operation operation, CancellationToken cancellationToken, string? desiredStatus = null)
    {
        var arns = new List<string>();
        string? token = null;
        do
        {
            var page = await operation.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = operation.Cluster, ServiceName = operation.ServiceName, DesiredStatus = desiredStatus, NextToken = token }, cancellationToken).ConfigureAwait(false);
            arns.AddRange(page.TaskArns);
            token = page.NextToken;
        }
        while (token is not null);
        var tasks = new List<EcsTask>();
        foreach (var chunk in arns.Chunk(100))
        {
            tasks.AddRange((await operation.Ecs.DescribeTasksAsync(new DescribeTasksRequest(operation.Cluster, chunk), cancellationToken).ConfigureAwait(false)).Tasks);
        }
        return tasks;
    }
}
