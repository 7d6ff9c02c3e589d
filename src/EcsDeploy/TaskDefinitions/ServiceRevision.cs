using EcsDeploy.Aws;

namespace EcsDeploy.TaskDefinitions;

/// <summary>
/// What a deployment changes in a service's task definition: the container, the family, plain variables and secret
/// references. Everything else is kept as the service runs it now. Stages that deploy a service declare it through
/// <see cref="IDeploysService"/>, so that other stages (a migration on the same revision, the IAM policy, the ECR
/// lifecycle preview) read it without reaching into that stage.
/// </summary>
/// <param name="Service">The ECS service.</param>
public sealed record ServiceRevisionSpec(string Service)
{
    /// <summary>The container whose image and environment are set (default: the only container, else the pipeline name).</summary>
    public string? Container { get; init; }
    /// <summary>The task-definition family to register (default: the family the service runs now).</summary>
    public string? Family { get; init; }
    /// <summary>Plain environment variables.</summary>
    public IReadOnlyList<EcsKeyValuePair> Environment { get; init; } = [];
    /// <summary>Variables ECS injects from Secrets Manager: variable name and secret id (name or ARN), never a value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Secrets { get; init; } = [];
}

/// <summary>
/// What a revision is rendered from, read with read-only calls: the service as it runs now, the container and family
/// the revision uses, and the secret references resolved to ARNs.
/// </summary>
/// <param name="Spec">What the deployment changes.</param>
/// <param name="Running">The service and the task definition it runs now.</param>
/// <param name="ContainerName">The container the revision changes.</param>
/// <param name="Family">The family the revision is registered in.</param>
/// <param name="Secrets">The secret references, resolved to ARNs.</param>
public sealed record ServiceRevisionBasis(ServiceRevisionSpec Spec, RunningService Running, string ContainerName, string Family, IReadOnlyList<EcsSecret> Secrets);

/// <summary>A stage that deploys a service, and what it changes in the service's task definition.</summary>
public interface IDeploysService : IPipelineStage
{
    /// <summary>The service and what the deployment changes.</summary>
    ServiceRevisionSpec Target { get; }
}
