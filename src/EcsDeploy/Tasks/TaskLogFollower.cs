using EcsDeploy.Aws;

namespace EcsDeploy.Tasks;

/// <summary>
/// Follows the awslogs streams of a task's containers: each poll reads what was logged since the last one
/// (GetLogEvents from the head, then by its forward token) and hands every line on, prefixed with the container's name
/// when the task has several. A stream that does not exist yet is simply read again on the next poll.
/// </summary>
internal sealed class TaskLogFollower(PipelineContext context, string taskArn, TaskDefinition definition, Action<string> onLine)
{
    private readonly Dictionary<string, string?> _tokens = new(StringComparer.Ordinal);

    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var taskId = taskArn.Split('/')[^1];
        var containers = definition.ContainerDefinitions ?? [];
        foreach (var container in containers)
        {
            var options = container.LogConfiguration?.Options;
            if (container.LogConfiguration?.LogDriver != "awslogs" || options is null
                || !options.TryGetValue("awslogs-group", out var group) || !options.TryGetValue("awslogs-stream-prefix", out var prefix))
            {
                continue;
            }
            var stream = $"{prefix}/{container.Name}/{taskId}";
            while (true)
            {
                GetLogEventsResponse page;
                try
                {
                    page = await context.Aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(group, stream, StartFromHead: true, NextToken: _tokens.GetValueOrDefault(stream)), cancellationToken).ConfigureAwait(false);
                }
                catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
                {
                    break; // Not created yet: the container has not logged.
                }
                foreach (var logEvent in page.Events)
                {
                    onLine(context.Masker.Apply(containers.Count > 1 ? $"[{container.Name}] {logEvent.Message.TrimEnd()}" : logEvent.Message.TrimEnd()));
                }
                var previous = _tokens.GetValueOrDefault(stream);
                _tokens[stream] = page.NextForwardToken ?? previous;
                // The same token back means the end of the stream for now.
                if (page.Events.Count == 0 || page.NextForwardToken is null || page.NextForwardToken == previous)
                {
                    break;
                }
            }
        }
    }
}
