using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// What the ECS agent resolves when it launches a task, before any container starts: every container's image in
/// ECR (a tag or digest the lifecycle policy expired is gone), every secret (<c>valueFrom</c>, and its JSON key
/// when it names one), and the awslogs log group (created when <c>awslogs-create-group</c> is "true"). A failure
/// stops the task with stopCode TaskFailedToStart and the reason AWS gives.
/// </summary>
internal static class LaunchChecks
{
    /// <summary>Null when the task can start, else its stoppedReason.</summary>
    public static string? Check(SimulatedAws aws, TaskDefinition definition)
    {
        foreach (var container in definition.ContainerDefinitions ?? [])
        {
            if (container.Image is { } image && aws.Ecr.Resolves(image) == false)
            {
                return $"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: {image}: not found";
            }
        }
        foreach (var secret in (definition.ContainerDefinitions ?? []).SelectMany(c => c.Secrets ?? []))
        {
            if (aws.SecretsManager.ResolveForTask(secret.ValueFrom) is { } problem)
            {
                return $"ResourceInitializationError: unable to pull secrets or registry auth: {problem}";
            }
        }
        foreach (var container in definition.ContainerDefinitions ?? [])
        {
            if (container.LogConfiguration is { LogDriver: "awslogs", Options: { } options } && options.TryGetValue("awslogs-group", out var group) && !aws.Logs.LogGroupExists(group))
            {
                if (options.TryGetValue("awslogs-create-group", out var create) && string.Equals(create, "true", StringComparison.OrdinalIgnoreCase))
                {
                    aws.Logs.CreateLogGroup(group);
                    continue;
                }
                return "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1";
            }
        }
        return null;
    }

    /// <summary>
    /// What ECS answers when it cannot assume the revision's execution or task role (the role does not exist, or its
    /// trust policy does not let ecs-tasks.amazonaws.com assume it): null when both can be assumed. The service
    /// scheduler then launches no task and posts "failed to launch a task with (error ...)"; RunTask refuses with a
    /// ClientException. Roles of other accounts are not checked.
    /// </summary>
    public static string? RoleProblem(SimulatedAws aws, TaskDefinition definition)
    {
        foreach (var role in new[] { definition.ExecutionRoleArn, definition.TaskRoleArn })
        {
            if (role is not null && role.StartsWith($"arn:aws:iam::{aws.AccountId}:role/", StringComparison.Ordinal) && !aws.Iam.EcsTasksCanAssume(role))
            {
                return $"ECS was unable to assume the role '{role}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.";
            }
        }
        return null;
    }

    /// <summary>
    /// What RegisterTaskDefinition refuses for Fargate without an execution role (the agent would have no
    /// credentials to pull from ECR, read secrets or write logs): null when fine, else ECS's ClientException message.
    /// </summary>
    public static string? ExecutionRoleProblem(SimulatedAws aws, TaskDefinition definition)
    {
        if (definition.ExecutionRoleArn is not null || definition.RequiresCompatibilities?.Contains("FARGATE") != true)
        {
            return null;
        }
        var containers = definition.ContainerDefinitions ?? [];
        if (containers.Any(c => c.Secrets is { Count: > 0 }))
        {
            return "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.";
        }
        if (containers.Any(c => c.Image is { } image && aws.Ecr.Resolves(image) is not null))
        {
            return "Fargate requires task definition to have execution role ARN to support ECR images.";
        }
        if (containers.Any(c => c.LogConfiguration?.LogDriver == "awslogs"))
        {
            return "Fargate requires task definition to have execution role ARN to support log driver awslogs.";
        }
        return null;
    }
}
