using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Deployments;

/// <summary>Reads the last lines a task's containers logged through the awslogs driver.</summary>
internal static class TaskLogs
{
    public static async Task<IReadOnlyList<string>> TailAsync(PipelineContext context, EcsTask task, int lines, CancellationToken cancellationToken)
    {
        if (task.TaskDefinitionArn is null)
        {
            return [];
        }
        var definition = await context.TaskDefinitions.RevisionAsync(task.TaskDefinitionArn, cancellationToken).ConfigureAwait(false);
        if (await TaskSecretMasking.RegisterAsync(context.Masker, context.Aws.SecretsManager, definition.ContainerDefinitions ?? [], cancellationToken).ConfigureAwait(false) is { } withheld)
        {
            return [withheld];
        }
        var taskId = task.TaskArn.Split('/')[^1];
        var result = new List<string>();
        foreach (var container in definition.ContainerDefinitions ?? [])
        {
            var options = container.LogConfiguration?.Options;
            if (container.LogConfiguration?.LogDriver != "awslogs" || options is null
                || !options.TryGetValue("awslogs-group", out var group) || !options.TryGetValue("awslogs-stream-prefix", out var prefix))
            {
                continue;
            }
            try
            {
                var events = await context.Aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(group, $"{prefix}/{container.Name}/{taskId}", lines, StartFromHead: false), cancellationToken).ConfigureAwait(false);
                result.AddRange(events.Events.Select(e => e.Message.TrimEnd()));
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
            {
                result.Add($"(no log stream {prefix}/{container.Name}/{taskId} in {group})");
            }
        }
        return result;
    }
}
