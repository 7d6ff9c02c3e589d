using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

/// <summary>
/// Simulated Amazon ECS. Rolling deployments follow ECS-BEHAVIOUR.md: a new PRIMARY deployment (IN_PROGRESS)
/// starts tasks up to maximumPercent, old tasks drain once new ones are healthy while keeping
/// minimumHealthyPercent, the deployment turns COMPLETED with the "deployment completed" and "steady state"
/// events; failed tasks count toward the circuit breaker (threshold ceil(desired/2) clamped to 3..200), which
/// marks the deployment FAILED and rolls back to the last COMPLETED deployment, reusing its id.
/// </summary>
public sealed partial class SimulatedEcs : IEcsApi
{
    private readonly SimulatedAws _aws;
    private readonly EcsWorld _world;

    internal SimulatedEcs(SimulatedAws aws)
    {
        _aws = aws;
        _world = new EcsWorld(aws);
    }

    /// <summary>
    /// Decides what each launched task does. The default: service tasks are healthy, one-off tasks exit 0.
    /// Fault scenarios and tests replace it.
    /// </summary>
    public Func<TaskLaunch, TaskBehaviour> Behaviour
    {
        get { lock (_aws.Gate) { return _world.Behaviour; } }
        set { lock (_aws.Gate) { _world.Behaviour = value; } }
    }

    private DateTimeOffset Now => _world.Now;

    internal IReadOnlyList<string> Clusters { get { lock (_aws.Gate) { return [.. _world.Clusters.Keys]; } } }

    // ---- API -----------------------------------------------------------------------------------------

    /// <inheritdoc />
    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "DescribeServices");
        lock (_aws.Gate)
        {
            var cluster = _world.ClusterName(request.Cluster, "DescribeServices");
            var services = new List<EcsService>();
            var failures = new List<EcsFailure>();
            foreach (var name in request.Services)
            {
                if (_world.Services.TryGetValue((cluster, EcsWorld.ShortName(name)), out var service))
                {
                    services.Add(WithTags(_world.Snapshot(service), service, request));
                }
                else
                {
                    failures.Add(new EcsFailure(_aws.Arn("ecs", $"service/{cluster}/{name}"), "MISSING", null));
                }
            }
            return Task.FromResult(new DescribeServicesResponse(services, failures));
        }
    }

    /// <inheritdoc />
    public Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "DescribeTaskDefinition");
        lock (_aws.Gate)
        {
            var (definition, tags) = _world.FindTaskDefinition(request.TaskDefinition, "DescribeTaskDefinition");
            return Task.FromResult(new DescribeTaskDefinitionResponse(definition, request.IncludeTags ? [.. tags] : []));
        }
    }

    /// <inheritdoc />
    public Task<ListTaskDefinitionsResponse> ListTaskDefinitionsAsync(ListTaskDefinitionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "ListTaskDefinitions");
        lock (_aws.Gate)
        {
            // Despite its name, familyPrefix is the full family name (API reference).
            var arns = _world.Families.Where(f => string.Equals(f.Key, request.FamilyPrefix, StringComparison.Ordinal))
                .SelectMany(f => f.Value).Select(r => r.Definition).Where(d => d.Status == request.Status)
                .OrderBy(d => d.Family, StringComparer.Ordinal).ThenBy(d => d.Revision).Select(d => d.TaskDefinitionArn!).ToList();
            if (request.Sort == "DESC")
            {
                arns.Reverse();
            }
            return Task.FromResult(new ListTaskDefinitionsResponse(arns, null));
        }
    }

    /// <inheritdoc />
    public Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "RegisterTaskDefinition");
        lock (_aws.Gate)
        {
            var definition = request.TaskDefinition;
            if (string.IsNullOrEmpty(definition.Family) || definition.ContainerDefinitions is not { Count: > 0 })
            {
                throw _world.Client("RegisterTaskDefinition", "Family and at least one container definition are required.");
            }
            // Family and container names: 1-255 letters, digits, hyphens and underscores.
            foreach (var name in definition.ContainerDefinitions.Select(c => c.Name ?? "").Prepend(definition.Family))
            {
                if (EcsWorld.NameProblem(name) is { } problem)
                {
                    throw _world.Client("RegisterTaskDefinition", problem);
                }
            }
            if (definition.TaskDefinitionArn is not null || definition.Revision is not null || definition.Status is not null || definition.RegisteredAt is not null)
            {
                throw new AwsServiceException("ECS", "RegisterTaskDefinition", "InvalidParameterException",
                    "Unknown parameter in input: read-only fields (taskDefinitionArn, revision, status, registeredAt) must not be sent.", 400, _aws.NewRequestId());
            }
            foreach (var secret in definition.ContainerDefinitions.SelectMany(c => c.Secrets ?? []))
            {
                if (!secret.ValueFrom.StartsWith("arn:aws:secretsmanager:", StringComparison.Ordinal) && !secret.ValueFrom.StartsWith("arn:aws:ssm:", StringComparison.Ordinal))
                {
                    throw _world.Client("RegisterTaskDefinition", $"Secret {secret.Name}: valueFrom must be the ARN of a secret, not '{secret.ValueFrom[..Math.Min(12, secret.ValueFrom.Length)]}...'.");
                }
            }
            if (LaunchChecks.ExecutionRoleProblem(_aws, definition) is { } roleProblem)
            {
                throw _world.Client("RegisterTaskDefinition", roleProblem);
            }
            var registered = _world.Register(definition, request.Tags);
            return Task.FromResult(new RegisterTaskDefinitionResponse(registered, [.. request.Tags]));
        }
    }

    /// <inheritdoc />
    public Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "UpdateService");
        lock (_aws.Gate)
        {
            var service = _world.Find(_world.ClusterName(request.Cluster, "UpdateService"), EcsWorld.ShortName(request.Service), "UpdateService");
            if (request.DeploymentConfiguration is { } configuration)
            {
                service.Configuration = configuration with
                {
                    MaximumPercent = configuration.MaximumPercent ?? service.Configuration.MaximumPercent,
                    MinimumHealthyPercent = configuration.MinimumHealthyPercent ?? service.Configuration.MinimumHealthyPercent,
                };
            }
            SetDesiredCount(service, request.DesiredCount);
            if (request.LoadBalancers is { } loadBalancers)
            {
                service.LoadBalancers = loadBalancers;
            }
            var current = service.Deployments[0];
            var taskDefinitionArn = current.TaskDefinition;
            if (request.TaskDefinition is not null)
            {
                var (definition, _) = _world.FindTaskDefinition(request.TaskDefinition, "UpdateService");
                if (definition.Status != ResourceStatuses.Active)
                {
                    throw _world.Client("UpdateService", $"TaskDefinition is inactive: {definition.TaskDefinitionArn}");
                }
                taskDefinitionArn = definition.TaskDefinitionArn!;
            }
            if (taskDefinitionArn != current.TaskDefinition || request.ForceNewDeployment)
            {
                current.Status = DeploymentStatuses.Active;
                current.UpdatedAt = Now;
                var deployment = _world.NewDeployment(service, taskDefinitionArn);
                service.Deployments.Insert(0, deployment);
                var record = _world.ServiceDeployments.OnStarted(service, deployment);
                if (StrategyEngine.IsNative(service.Configuration))
                {
                    _world.Strategies.Begin(service, record, deployment, current);
                }
                _world.Scheduler.Reconcile(service);
            }
            else if (request.DesiredCount is not null)
            {
                _world.Scheduler.Reconcile(service); // Scaling alone: the PRIMARY's count changes, no new deployment.
            }
            return Task.FromResult(new UpdateServiceResponse(_world.Snapshot(service)));
        }
    }

    /// <inheritdoc />
    public Task<RunTaskResponse> RunTaskAsync(RunTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "RunTask");
        lock (_aws.Gate)
        {
            var cluster = _world.ClusterName(request.Cluster, "RunTask");
            if (request.StartedBy is { Length: > 128 })
            {
                throw new AwsServiceException("ECS", "RunTask", "InvalidParameterException", "startedBy must be at most 128 characters.", 400, _aws.NewRequestId());
            }
            if (request.ClientToken is not null && _world.RunTaskTokens.TryGetValue(request.ClientToken, out var existing))
            {
                return Task.FromResult(new RunTaskResponse([_world.Tasks.First(t => t.Arn == existing).Snapshot()], []));
            }
            if (request.Overrides is { } overrides
                && System.Text.Json.JsonSerializer.Serialize(overrides.ContainerOverrides, EcsDeploy.Aws.Wire.AwsWireJson.CamelCase).Length > 8192)
            {
                throw new AwsServiceException("ECS", "RunTask", "InvalidParameterException", "Container Overrides length must be at most 8192", 400, _aws.NewRequestId());
            }
            var (definition, _) = _world.FindTaskDefinition(request.TaskDefinition, "RunTask");
            if (LaunchChecks.RoleProblem(_aws, definition) is { } roleProblem)
            {
                throw new AwsServiceException("ECS", "RunTask", "ClientException", roleProblem, 400, _aws.NewRequestId());
            }
            var command = request.Overrides?.ContainerOverrides.FirstOrDefault()?.Command;
            var behaviour = _world.Behaviour(new TaskLaunch(definition, null, command));
            if (behaviour is UnplaceableTask unplaceable)
            {
                // RunTask answers with a failure and starts nothing.
                return Task.FromResult(new RunTaskResponse([], [new EcsFailure(_world.Clusters[cluster], unplaceable.Reason, null)]));
            }
            var task = _world.NewTask(cluster, definition.TaskDefinitionArn!, $"family:{definition.Family}", request.StartedBy, behaviour, null, request.Overrides);
            if (request.ClientToken is not null)
            {
                _world.RunTaskTokens[request.ClientToken] = task.Arn;
            }
            _world.Scheduler.Lifecycle.Start(task, null);
            return Task.FromResult(new RunTaskResponse([task.Snapshot()], []));
        }
    }

    /// <inheritdoc />
    public Task<DescribeTasksResponse> DescribeTasksAsync(DescribeTasksRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "DescribeTasks");
        lock (_aws.Gate)
        {
            if (request.Tasks.Count > 100)
            {
                throw new AwsServiceException("ECS", "DescribeTasks", "InvalidParameterException", "tasks can have at most 100 items.", 400, _aws.NewRequestId());
            }
            var cluster = _world.ClusterName(request.Cluster, "DescribeTasks");
            var found = new List<EcsTask>();
            var failures = new List<EcsFailure>();
            foreach (var id in request.Tasks)
            {
                var task = _world.Tasks.FirstOrDefault(t => t.Cluster == cluster && (t.Arn == id || t.Id == id));
                if (task is null)
                {
                    failures.Add(new EcsFailure(id, "MISSING", null));
                }
                else
                {
                    found.Add(task.Snapshot());
                }
            }
            return Task.FromResult(new DescribeTasksResponse(found, failures));
        }
    }

    /// <summary>Runs every scheduled change up to the clock's time.</summary>
    internal void AdvanceWorld()
    {
        lock (_aws.Gate)
        {
            _world.Advance();
        }
    }
}
