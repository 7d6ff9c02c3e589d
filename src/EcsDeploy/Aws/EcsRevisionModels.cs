namespace EcsDeploy.Aws;

// Shapes of the ECS operations the day-2 commands add (deregistering and deleting revisions, stopping tasks),
// named as the API reference names them.

/// <summary>Request of DeregisterTaskDefinition: <c>family:revision</c> or a full ARN.</summary>
public sealed record DeregisterTaskDefinitionRequest(string TaskDefinition);
/// <summary>Answer of DeregisterTaskDefinition: the revision, now INACTIVE.</summary>
public sealed record DeregisterTaskDefinitionResponse(TaskDefinition TaskDefinition);

/// <summary>Request of DeleteTaskDefinitions (at most 10 INACTIVE revisions).</summary>
public sealed record DeleteTaskDefinitionsRequest(IReadOnlyList<string> TaskDefinitions);
/// <summary>Answer of DeleteTaskDefinitions: the revisions now DELETE_IN_PROGRESS, and those refused.</summary>
public sealed record DeleteTaskDefinitionsResponse(IReadOnlyList<TaskDefinition> TaskDefinitions, IReadOnlyList<EcsFailure> Failures);

/// <summary>Request of StopTask.</summary>
/// <param name="Cluster">The cluster.</param>
/// <param name="Task">The task ARN or id.</param>
/// <param name="Reason">Why, shown as the task's stoppedReason (at most 255 characters).</param>
public sealed record StopTaskRequest(string Cluster, string Task, string? Reason);
/// <summary>Answer of StopTask: the task, desired status STOPPED.</summary>
public sealed record StopTaskResponse(EcsTask Task);
