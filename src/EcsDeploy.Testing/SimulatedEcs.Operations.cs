using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

// The operations of the day-2 commands: stopping tasks (listing them: SimulatedEcs.Listing.cs), deregistering and deleting revisions.
public sealed partial class SimulatedEcs
{
    /// <summary>
    /// StopTask: the task's desired status turns STOPPED at once; it is STOPPING, then STOPPED with stopCode
    /// UserInitiated and the given reason (or "Task stopped by user"), its running containers with exit code 143
    /// (SIGTERM). A service task is replaced by the service scheduler.
    /// </summary>
    public Task<StopTaskResponse> StopTaskAsync(StopTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "StopTask");
        lock (_aws.Gate)
        {
            var cluster = _world.ClusterName(request.Cluster ?? "default", "StopTask");
            if (request.Reason is { Length: > 255 })
            {
                throw new AwsServiceException("ECS", "StopTask", "InvalidParameterException", "reason must be at most 255 characters.", 400, _aws.NewRequestId());
            }
            var task = _world.Tasks.FirstOrDefault(t => t.Cluster == cluster && (t.Arn == request.Task || t.Id == request.Task))
                ?? throw new AwsServiceException("ECS", "StopTask", "InvalidParameterException", "The referenced task was not found.", 400, _aws.NewRequestId());
            if (task.DesiredStatus != TaskStatuses.Stopped)
            {
                var service = task.ServiceName is not null && _world.Services.TryGetValue((task.Cluster, task.ServiceName), out var owner) ? owner : null;
                _world.Scheduler.Lifecycle.StopByUser(task, request.Reason ?? "Task stopped by user", service);
            }
            return Task.FromResult(new StopTaskResponse(task.Snapshot()));
        }
    }

    /// <summary>
    /// Interrupts a running Fargate Spot task, as Fargate does when it needs the capacity back: the two-minute warning
    /// (stopCode TerminationNotice, stoppedReason "Your Spot Task was interrupted.", SIGTERM), then STOPPED with stopCode
    /// SpotInterruption; a service replaces the task.
    /// </summary>
    public void InterruptSpotTask(string cluster, string task)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            var found = _world.Tasks.FirstOrDefault(t => t.Cluster == cluster && (t.Arn == task || t.Id == task) && t.LastStatus == TaskStatuses.Running && t.DesiredStatus == TaskStatuses.Running)
                ?? throw new InvalidOperationException($"No running task {task} in cluster {cluster}: only a running task can be interrupted.");
            var service = found.ServiceName is not null && _world.Services.TryGetValue((found.Cluster, found.ServiceName), out var owner) ? owner : null;
            _world.Scheduler.Lifecycle.InterruptSpot(found, service);
        }
    }

    /// <summary>DeregisterTaskDefinition: the revision turns INACTIVE (tasks and services running it keep running).</summary>
    public Task<DeregisterTaskDefinitionResponse> DeregisterTaskDefinitionAsync(DeregisterTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "DeregisterTaskDefinition");
        lock (_aws.Gate)
        {
            if (!request.TaskDefinition.Contains(':', StringComparison.Ordinal))
            {
                throw _world.Client("DeregisterTaskDefinition", "Invalid revision number. Number: " + request.TaskDefinition);
            }
            var (definition, tags) = _world.FindTaskDefinition(request.TaskDefinition, "DeregisterTaskDefinition");
            if (definition.Status == ResourceStatuses.DeleteInProgress)
            {
                throw _world.Client("DeregisterTaskDefinition", "The specified task definition is being deleted.");
            }
            var updated = definition.Status == ResourceStatuses.Inactive ? definition
                : definition with { Status = ResourceStatuses.Inactive, DeregisteredAt = Now };
            Replace(updated, tags);
            return Task.FromResult(new DeregisterTaskDefinitionResponse(updated));
        }
    }

    /// <summary>
    /// DeleteTaskDefinitions: INACTIVE revisions turn DELETE_IN_PROGRESS; an ACTIVE one is refused as a failure
    /// ("The specified task definition is still in ACTIVE status"), as ECS does. At most 10 per call.
    /// </summary>
    public Task<DeleteTaskDefinitionsResponse> DeleteTaskDefinitionsAsync(DeleteTaskDefinitionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "DeleteTaskDefinitions");
        lock (_aws.Gate)
        {
            if (request.TaskDefinitions.Count is 0 or > 10)
            {
                throw new AwsServiceException("ECS", "DeleteTaskDefinitions", "InvalidParameterException", "taskDefinitions must have between 1 and 10 items.", 400, _aws.NewRequestId());
            }
            var deleted = new List<TaskDefinition>();
            var failures = new List<EcsFailure>();
            foreach (var reference in request.TaskDefinitions)
            {
                TaskDefinition definition;
                List<EcsTag> tags;
                try
                {
                    (definition, tags) = _world.FindTaskDefinition(reference, "DeleteTaskDefinitions");
                }
                catch (AwsServiceException)
                {
                    failures.Add(new EcsFailure(reference, "TASK_DEFINITION_NOT_FOUND", "The specified task definition does not exist."));
                    continue;
                }
                if (definition.Status == ResourceStatuses.Active)
                {
                    failures.Add(new EcsFailure(definition.TaskDefinitionArn, "TASK_DEFINITION_IN_ACTIVE_STATE", "The specified task definition is still in ACTIVE status. Deregister the task definition first."));
                    continue;
                }
                var updated = definition with { Status = ResourceStatuses.DeleteInProgress };
                Replace(updated, tags);
                deleted.Add(updated);
            }
            return Task.FromResult(new DeleteTaskDefinitionsResponse(deleted, failures));
        }
    }

    private void Replace(TaskDefinition definition, List<EcsTag> tags)
    {
        var revisions = _world.Families[definition.Family!];
        revisions[definition.Revision!.Value - 1] = (definition, tags);
    }
}
