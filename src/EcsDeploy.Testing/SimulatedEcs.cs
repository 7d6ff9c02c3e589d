using System.Globalization;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>What a simulated task does once launched.</summary>
public abstract record TaskBehaviour
{
    /// <summary>Starts, passes its health checks and keeps running.</summary>
    public static readonly TaskBehaviour Healthy = new HealthyTask();

    /// <summary>Starts, runs for <paramref name="runFor"/>, logs <paramref name="logLines"/> and exits with <paramref name="exitCode"/> (one-off tasks).</summary>
    public static TaskBehaviour Exits(int exitCode, IReadOnlyList<string> logLines, TimeSpan? runFor = null) => new ExitingTask(exitCode, logLines, runFor ?? TimeSpan.FromSeconds(20));

    /// <summary>Never reaches RUNNING: stopped with TaskFailedToStart and this reason (for example CannotPullContainerError).</summary>
    public static TaskBehaviour FailsToStart(string reason) => new FailingToStartTask(reason);

    /// <summary>Reaches RUNNING, then fails its health checks (HTTP 500 on the target group, or the container check).</summary>
    public static readonly TaskBehaviour FailsHealthChecks = new UnhealthyTask();
}

internal sealed record HealthyTask : TaskBehaviour;
internal sealed record ExitingTask(int ExitCode, IReadOnlyList<string> LogLines, TimeSpan RunFor) : TaskBehaviour;
internal sealed record FailingToStartTask(string Reason) : TaskBehaviour;
internal sealed record UnhealthyTask : TaskBehaviour;

/// <summary>What the behaviour rule is asked about a launch.</summary>
public sealed record TaskLaunch(TaskDefinition TaskDefinition, string? ServiceName, IReadOnlyList<string>? CommandOverride);

/// <summary>
/// Simulated Amazon ECS. Rolling deployments follow ECS-BEHAVIOUR.md: a new PRIMARY deployment (IN_PROGRESS)
/// starts tasks up to maximumPercent, old tasks drain once new ones are healthy while keeping
/// minimumHealthyPercent, the deployment turns COMPLETED with the "deployment completed" and "steady state"
/// events; failed tasks count toward the circuit breaker (threshold ceil(desired/2) clamped to 3..200), which
/// marks the deployment FAILED and rolls back to the last COMPLETED deployment, reusing its id.
/// </summary>
public sealed class SimulatedEcs : IEcsApi
{
    private static readonly TimeSpan ToPending = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ToRunning = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ToHealthy = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ToStopped = TimeSpan.FromSeconds(15);

    private readonly SimulatedAws _aws;
    private readonly Dictionary<string, string> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(TaskDefinition Definition, List<EcsTag> Tags)>> _families = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Cluster, string Service), SimService> _services = [];
    private readonly List<SimTask> _tasks = [];
    private readonly PriorityQueue<Action, (DateTimeOffset, long)> _schedule = new();
    private readonly Dictionary<string, string> _runTaskTokens = new(StringComparer.Ordinal);
    private long _sequence;
    private bool _advancing;

    internal SimulatedEcs(SimulatedAws aws) => _aws = aws;

    /// <summary>
    /// Decides what each launched task does. The default: service tasks are healthy, one-off tasks exit 0.
    /// Fault scenarios and tests replace it.
    /// </summary>
    public Func<TaskLaunch, TaskBehaviour> Behaviour { get; set; } = launch => launch.ServiceName is null
        ? TaskBehaviour.Exits(0, [$"simulated: {string.Join(' ', launch.CommandOverride ?? [])}".TrimEnd(), "done"])
        : TaskBehaviour.Healthy;

    // While a scheduled change runs, "now" is the time it was scheduled for, so that its events and timestamps
    // say when it happened, not when someone next looked.
    private DateTimeOffset? _processingTime;

    private DateTimeOffset Now => _processingTime ?? _aws.Clock.GetUtcNow();

    internal IReadOnlyList<string> Clusters { get { lock (_aws.Gate) { return [.. _clusters.Keys]; } } }

    // ---- Seeding -------------------------------------------------------------------------------------

    /// <summary>Creates a cluster.</summary>
    public string CreateCluster(string name)
    {
        lock (_aws.Gate)
        {
            return _clusters[name] = _aws.Arn("ecs", $"cluster/{name}");
        }
    }

    /// <summary>Registers a task definition directly (seeding); returns its ARN.</summary>
    public string Register(TaskDefinition definition, IReadOnlyList<EcsTag>? tags = null)
    {
        lock (_aws.Gate)
        {
            return RegisterLocked(definition, tags ?? []).TaskDefinitionArn!;
        }
    }

    /// <summary>Creates a service that is already running <paramref name="desiredCount"/> healthy tasks of <paramref name="taskDefinitionArn"/>.</summary>
    public void CreateRunningService(string cluster, string serviceName, string taskDefinitionArn, int desiredCount, string? targetGroupArn = null, string? containerName = null, int? containerPort = null)
    {
        lock (_aws.Gate)
        {
            if (!_clusters.ContainsKey(cluster))
            {
                throw new InvalidOperationException($"No cluster {cluster}: create it first.");
            }
            var service = new SimService(serviceName, _aws.Arn("ecs", $"service/{cluster}/{serviceName}"), cluster, desiredCount, taskDefinitionArn)
            {
                LoadBalancers = targetGroupArn is null ? [] : [new ServiceLoadBalancer { TargetGroupArn = targetGroupArn, ContainerName = containerName, ContainerPort = containerPort }],
                NetworkConfiguration = new NetworkConfiguration(new AwsVpcConfiguration { Subnets = ["subnet-0a1b2c3d"], SecurityGroups = ["sg-0a1b2c3d"], AssignPublicIp = "DISABLED" }),
            };
            var deployment = NewDeployment(service, taskDefinitionArn);
            deployment.RolloutState = "COMPLETED";
            deployment.RolloutStateReason = $"ECS deployment {deployment.Id} completed.";
            service.Deployments.Add(deployment);
            service.LastCompleted = (deployment.Id, taskDefinitionArn);
            _services[(cluster, serviceName)] = service;
            for (var i = 0; i < desiredCount; i++)
            {
                var task = NewTask(cluster, taskDefinitionArn, $"service:{serviceName}", deployment.Id, TaskBehaviour.Healthy, serviceName, null);
                task.LastStatus = "RUNNING";
                task.Healthy = true;
                task.StartedAt = Now;
            }
            AddEvent(service, $"(service {serviceName}) has reached a steady state.");
        }
    }

    /// <summary>The revisions of a family, oldest first (for assertions).</summary>
    public IReadOnlyList<TaskDefinition> Revisions(string family)
    {
        lock (_aws.Gate)
        {
            return _families.TryGetValue(family, out var list) ? [.. list.Select(r => r.Definition)] : [];
        }
    }

    internal HashSet<string> AllRevisionArns()
    {
        lock (_aws.Gate)
        {
            return [.. _families.Values.SelectMany(r => r).Select(r => r.Definition.TaskDefinitionArn!)];
        }
    }

    /// <summary>A service as DescribeServices would show it now (for assertions).</summary>
    public EcsService Service(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            AdvanceWorldLocked();
            return Snapshot(Find(cluster, serviceName, "DescribeServices"));
        }
    }

    /// <summary>The task definition a service's PRIMARY deployment runs (for assertions).</summary>
    public TaskDefinition CurrentTaskDefinition(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            AdvanceWorldLocked();
            return FindTaskDefinition(Find(cluster, serviceName, "DescribeServices").Deployments[0].TaskDefinition, "DescribeTaskDefinition").Definition;
        }
    }

    /// <summary>All tasks, including stopped ones (for assertions).</summary>
    public IReadOnlyList<EcsTask> AllTasks()
    {
        lock (_aws.Gate)
        {
            AdvanceWorldLocked();
            return [.. _tasks.Select(t => t.Snapshot())];
        }
    }

    // ---- API -----------------------------------------------------------------------------------------

    /// <inheritdoc />
    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "DescribeServices");
        lock (_aws.Gate)
        {
            var cluster = ClusterName(request.Cluster, "DescribeServices");
            var services = new List<EcsService>();
            var failures = new List<EcsFailure>();
            foreach (var name in request.Services)
            {
                if (_services.TryGetValue((cluster, ShortName(name)), out var service))
                {
                    services.Add(Snapshot(service));
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
            var (definition, tags) = FindTaskDefinition(request.TaskDefinition, "DescribeTaskDefinition");
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
            var arns = _families.Where(f => string.Equals(f.Key, request.FamilyPrefix, StringComparison.Ordinal))
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
                throw Client("RegisterTaskDefinition", "Family and at least one container definition are required.");
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
                    throw Client("RegisterTaskDefinition", $"Secret {secret.Name}: valueFrom must be the ARN of a secret, not '{secret.ValueFrom[..Math.Min(12, secret.ValueFrom.Length)]}...'.");
                }
            }
            var registered = RegisterLocked(definition, request.Tags);
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
            var service = Find(ClusterName(request.Cluster, "UpdateService"), ShortName(request.Service), "UpdateService");
            if (request.DeploymentConfiguration is { } configuration)
            {
                service.Configuration = configuration with
                {
                    MaximumPercent = configuration.MaximumPercent ?? service.Configuration.MaximumPercent,
                    MinimumHealthyPercent = configuration.MinimumHealthyPercent ?? service.Configuration.MinimumHealthyPercent,
                };
            }
            var current = service.Deployments[0];
            var taskDefinitionArn = current.TaskDefinition;
            if (request.TaskDefinition is not null)
            {
                var (definition, _) = FindTaskDefinition(request.TaskDefinition, "UpdateService");
                if (definition.Status != "ACTIVE")
                {
                    throw Client("UpdateService", $"TaskDefinition is inactive: {definition.TaskDefinitionArn}");
                }
                taskDefinitionArn = definition.TaskDefinitionArn!;
            }
            if (taskDefinitionArn != current.TaskDefinition || request.ForceNewDeployment)
            {
                current.Status = "ACTIVE";
                current.UpdatedAt = Now;
                var deployment = NewDeployment(service, taskDefinitionArn);
                service.Deployments.Insert(0, deployment);
                Reconcile(service);
            }
            return Task.FromResult(new UpdateServiceResponse(Snapshot(service)));
        }
    }

    /// <inheritdoc />
    public Task<RunTaskResponse> RunTaskAsync(RunTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "RunTask");
        lock (_aws.Gate)
        {
            var cluster = ClusterName(request.Cluster, "RunTask");
            if (request.StartedBy is { Length: > 128 })
            {
                throw new AwsServiceException("ECS", "RunTask", "InvalidParameterException", "startedBy must be at most 128 characters.", 400, _aws.NewRequestId());
            }
            if (request.ClientToken is not null && _runTaskTokens.TryGetValue(request.ClientToken, out var existing))
            {
                return Task.FromResult(new RunTaskResponse([_tasks.First(t => t.Arn == existing).Snapshot()], []));
            }
            var (definition, _) = FindTaskDefinition(request.TaskDefinition, "RunTask");
            var command = request.Overrides?.ContainerOverrides.FirstOrDefault()?.Command;
            var behaviour = Behaviour(new TaskLaunch(definition, null, command));
            var task = NewTask(cluster, definition.TaskDefinitionArn!, $"family:{definition.Family}", request.StartedBy, behaviour, null, request.Overrides);
            if (request.ClientToken is not null)
            {
                _runTaskTokens[request.ClientToken] = task.Arn;
            }
            StartLifecycle(task, null);
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
            var cluster = ClusterName(request.Cluster, "DescribeTasks");
            var found = new List<EcsTask>();
            var failures = new List<EcsFailure>();
            foreach (var id in request.Tasks)
            {
                var task = _tasks.FirstOrDefault(t => t.Cluster == cluster && (t.Arn == id || t.Id == id));
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

    /// <inheritdoc />
    public Task<ListTasksResponse> ListTasksAsync(ListTasksRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "ListTasks");
        lock (_aws.Gate)
        {
            var cluster = ClusterName(request.Cluster, "ListTasks");
            var desired = request.DesiredStatus ?? "RUNNING";
            var arns = _tasks.Where(t => t.Cluster == cluster
                    && (request.ServiceName is null || t.Group == $"service:{request.ServiceName}")
                    && (request.StartedBy is null || t.StartedBy == request.StartedBy)
                    && (desired == "STOPPED" ? t.DesiredStatus == "STOPPED" : t.DesiredStatus == "RUNNING"))
                .OrderByDescending(t => t.CreatedAt).Select(t => t.Arn).Take(100).ToList();
            return Task.FromResult(new ListTasksResponse(arns, null));
        }
    }

    // ---- The world -----------------------------------------------------------------------------------

    /// <summary>Runs every scheduled change up to the clock's time.</summary>
    internal void AdvanceWorld()
    {
        lock (_aws.Gate)
        {
            AdvanceWorldLocked();
        }
    }

    private void AdvanceWorldLocked()
    {
        if (_advancing)
        {
            return;
        }
        _advancing = true;
        try
        {
            var now = _aws.Clock.GetUtcNow();
            while (_schedule.TryPeek(out _, out var when) && when.Item1 <= now)
            {
                _processingTime = when.Item1;
                _schedule.Dequeue()();
            }
        }
        finally
        {
            _processingTime = null;
            _advancing = false;
        }
    }

    private void At(TimeSpan after, Action action) => _schedule.Enqueue(action, (Now + after, _sequence++));

    private TaskDefinition RegisterLocked(TaskDefinition definition, IReadOnlyList<EcsTag> tags)
    {
        var family = definition.Family!;
        if (!_families.TryGetValue(family, out var revisions))
        {
            _families[family] = revisions = [];
        }
        var revision = revisions.Count + 1;
        var registered = definition with
        {
            TaskDefinitionArn = _aws.Arn("ecs", $"task-definition/{family}:{revision}"),
            Revision = revision,
            Status = "ACTIVE",
            RegisteredAt = Now,
            RegisteredBy = _aws.Arn("iam", "user/deployer").Replace($":{_aws.Region}", "", StringComparison.Ordinal),
            Compatibilities = ["EC2", "FARGATE"],
            ContainerDefinitions = [.. definition.ContainerDefinitions!.Select(c => c with
            {
                Essential = c.Essential ?? true,
                Cpu = c.Cpu ?? 0,
                Environment = c.Environment ?? [],
                PortMappings = c.PortMappings?.Select(p => p with { Protocol = p.Protocol ?? "tcp", HostPort = p.HostPort ?? p.ContainerPort }).ToList(),
            })],
        };
        revisions.Add((registered, [.. tags]));
        return registered;
    }

    private (TaskDefinition Definition, List<EcsTag> Tags) FindTaskDefinition(string reference, string operation)
    {
        var name = reference.Contains(":task-definition/", StringComparison.Ordinal) ? reference[(reference.IndexOf(":task-definition/", StringComparison.Ordinal) + 17)..] : reference;
        var colon = name.LastIndexOf(':');
        var family = colon > 0 ? name[..colon] : name;
        if (_families.TryGetValue(family, out var revisions))
        {
            if (colon > 0 && int.TryParse(name[(colon + 1)..], CultureInfo.InvariantCulture, out var revision) && revision >= 1 && revision <= revisions.Count)
            {
                return revisions[revision - 1];
            }
            if (colon < 0 && revisions.LastOrDefault(r => r.Definition.Status == "ACTIVE") is { Definition: not null } latest)
            {
                return latest;
            }
        }
        throw Client(operation, "Unable to describe task definition.");
    }

    private SimService Find(string cluster, string serviceName, string operation)
        => _services.TryGetValue((cluster, serviceName), out var service) ? service
            : throw new AwsServiceException("ECS", operation, "ServiceNotFoundException", "Service not found.", 400, _aws.NewRequestId());

    private string ClusterName(string reference, string operation)
    {
        var name = ShortName(reference);
        return _clusters.ContainsKey(name) ? name
            : throw new AwsServiceException("ECS", operation, "ClusterNotFoundException", "Cluster not found.", 400, _aws.NewRequestId());
    }

    private static string ShortName(string nameOrArn) => nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? nameOrArn[(nameOrArn.LastIndexOf('/') + 1)..] : nameOrArn;

    private AwsServiceException Client(string operation, string message) => new("ECS", operation, "ClientException", message, 400, _aws.NewRequestId());

    private SimDeployment NewDeployment(SimService service, string taskDefinitionArn)
    {
        var digits = string.Concat(Enumerable.Range(0, 19).Select(_ => (char)('0' + _aws.Random.Next(10))));
        return new SimDeployment($"ecs-svc/{digits}", taskDefinitionArn, Now) { DesiredCount = service.DesiredCount };
    }

    private SimTask NewTask(string cluster, string taskDefinitionArn, string group, string? startedBy, TaskBehaviour behaviour, string? serviceName, TaskOverride? overrides)
    {
        var id = Convert.ToHexStringLower(BitConverter.GetBytes(_aws.Random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes(_aws.Random.NextInt64()));
        var definition = FindTaskDefinition(taskDefinitionArn, "RunTask").Definition;
        var task = new SimTask(_aws.Arn("ecs", $"task/{cluster}/{id}"), id, cluster, taskDefinitionArn, group, startedBy, behaviour, serviceName, Now)
        {
            Overrides = overrides,
            Containers = [.. (definition.ContainerDefinitions ?? []).Select(c => new SimContainer(c.Name!, c.Image))],
        };
        _tasks.Add(task);
        return task;
    }

    /// <summary>Schedules a task's walk through its states, according to its behaviour.</summary>
    private void StartLifecycle(SimTask task, SimService? service)
    {
        At(ToPending, () => { if (task.DesiredStatus == "RUNNING") { task.LastStatus = "PENDING"; } });
        switch (task.Behaviour)
        {
            case FailingToStartTask failing:
                At(ToRunning, () =>
                {
                    Stop(task, "TaskFailedToStart", failing.Reason);
                    if (service is not null)
                    {
                        OnTaskFailed(service, task);
                    }
                });
                break;
            case ExitingTask exiting:
                At(ToRunning, () => Run(task));
                At(ToRunning + exiting.RunFor, () =>
                {
                    WriteLogs(task, exiting.LogLines);
                    foreach (var container in task.Containers)
                    {
                        container.ExitCode = exiting.ExitCode;
                    }
                    Stop(task, "EssentialContainerExited", "Essential container in task exited");
                });
                break;
            case UnhealthyTask:
                At(ToRunning, () =>
                {
                    Run(task);
                    WriteLogs(task, ["listening on 3000", "GET /health 500 - Error: connect ECONNREFUSED 10.0.3.17:5432 (database unreachable)"]);
                    if (service is not null)
                    {
                        Reconcile(service);
                    }
                });
                At(ToRunning + ToHealthy, () =>
                {
                    if (task.LastStatus != "RUNNING" || service is null)
                    {
                        return;
                    }
                    var loadBalancer = service.LoadBalancers.FirstOrDefault();
                    if (loadBalancer is not null)
                    {
                        AddEvent(service, $"(service {service.Name}) (task {task.Id}) (port {loadBalancer.ContainerPort}) is unhealthy in (target-group {loadBalancer.TargetGroupArn}) due to (reason Health checks failed with these codes: [500]).");
                        Stop(task, "ServiceSchedulerInitiated", $"Task failed ELB health checks in (target-group {loadBalancer.TargetGroupArn})");
                    }
                    else
                    {
                        AddEvent(service, $"(service {service.Name}) (task {task.Id}) failed container health checks.");
                        Stop(task, "ServiceSchedulerInitiated", "Task failed container health checks");
                    }
                    foreach (var container in task.Containers)
                    {
                        container.ExitCode = 137;
                    }
                    OnTaskFailed(service, task);
                });
                break;
            default:
                At(ToRunning, () =>
                {
                    Run(task);
                    WriteLogs(task, ["listening on 3000"]);
                    if (service is not null)
                    {
                        Reconcile(service);
                    }
                });
                At(ToRunning + ToHealthy, () =>
                {
                    if (task.LastStatus == "RUNNING")
                    {
                        task.Healthy = true;
                        if (service is not null)
                        {
                            var primary = service.Deployments.FirstOrDefault(d => d.Id == task.StartedBy);
                            if (primary is not null)
                            {
                                primary.FailedTasks = 0;
                            }
                            Reconcile(service);
                        }
                    }
                });
                break;
        }
    }

    private void Run(SimTask task)
    {
        if (task.DesiredStatus != "RUNNING")
        {
            return;
        }
        task.LastStatus = "RUNNING";
        task.StartedAt = Now;
        foreach (var container in task.Containers)
        {
            container.LastStatus = "RUNNING";
        }
        if (task.ServiceName is not null && _services.Values.FirstOrDefault(s => s.Name == task.ServiceName && s.Cluster == task.Cluster) is { } service
            && service.LoadBalancers.FirstOrDefault() is { } loadBalancer)
        {
            AddEvent(service, $"(service {service.Name}) registered 1 targets in (target-group {loadBalancer.TargetGroupArn})");
        }
    }

    private void Stop(SimTask task, string stopCode, string reason)
    {
        task.DesiredStatus = "STOPPED";
        task.LastStatus = "STOPPED";
        task.StopCode = stopCode;
        task.StoppedReason = reason;
        task.StoppedAt = Now;
        task.Healthy = false;
        foreach (var container in task.Containers)
        {
            container.LastStatus = "STOPPED";
        }
    }

    private void WriteLogs(SimTask task, IReadOnlyList<string> lines)
    {
        var definition = FindTaskDefinition(task.TaskDefinitionArn, "RunTask").Definition;
        foreach (var container in definition.ContainerDefinitions ?? [])
        {
            var options = container.LogConfiguration?.Options;
            if (options is not null && options.TryGetValue("awslogs-group", out var group) && options.TryGetValue("awslogs-stream-prefix", out var prefix))
            {
                _aws.Logs.Append(group, $"{prefix}/{container.Name}/{task.Id}", Now, lines);
            }
        }
    }

    private void OnTaskFailed(SimService service, SimTask task)
    {
        var deployment = service.Deployments.FirstOrDefault(d => d.Id == task.StartedBy);
        if (deployment is null)
        {
            return;
        }
        deployment.FailedTasks++;
        deployment.UpdatedAt = Now;
        var breaker = service.Configuration.DeploymentCircuitBreaker;
        var threshold = Math.Clamp((int)Math.Ceiling(0.5 * service.DesiredCount), 3, 200);
        if (deployment.Status == "PRIMARY" && deployment.RolloutState == "IN_PROGRESS" && breaker?.Enable == true && deployment.FailedTasks >= threshold)
        {
            var startFailure = task.StopCode == "TaskFailedToStart";
            deployment.RolloutState = "FAILED";
            deployment.RolloutStateReason = $"ECS deployment circuit breaker: {(startFailure ? "tasks failed to start" : "tasks failed health checks")}.";
            AddEvent(service, $"(service {service.Name}) (deployment {deployment.Id}) deployment failed: {(startFailure ? "tasks failed to start" : "tasks failed health checks")}.");
            if (breaker.Rollback && service.LastCompleted is { } good)
            {
                RollBack(service, deployment, good);
            }
        }
        Reconcile(service);
    }

    private void RollBack(SimService service, SimDeployment failed, (string Id, string TaskDefinition) good)
    {
        failed.Status = "ACTIVE";
        var target = service.Deployments.FirstOrDefault(d => d.Id == good.Id);
        if (target is null)
        {
            // The good deployment has drained away: a new one with its id and task definition (ECS reuses the id).
            target = new SimDeployment(good.Id, good.TaskDefinition, Now) { DesiredCount = service.DesiredCount };
            service.Deployments.Add(target);
        }
        service.Deployments.Remove(target);
        service.Deployments.Insert(0, target);
        target.Status = "PRIMARY";
        target.RolloutState = "IN_PROGRESS";
        target.RolloutStateReason = $"ECS deployment circuit breaker: rolling back to deploymentId {good.Id}.";
        target.DesiredCount = service.DesiredCount;
        target.UpdatedAt = Now;
        AddEvent(service, $"(service {service.Name}) rolling back to deployment {good.Id}.");
    }

    /// <summary>The service scheduler: start, drain and stop tasks toward the PRIMARY deployment's desired count.</summary>
    private void Reconcile(SimService service)
    {
        var primary = service.Deployments[0];
        var desired = service.DesiredCount;
        var maxTotal = (int)Math.Floor(desired * (service.Configuration.MaximumPercent ?? 200) / 100.0);
        var minHealthy = (int)Math.Ceiling(desired * (service.Configuration.MinimumHealthyPercent ?? 100) / 100.0);

        // A FAILED primary (circuit breaker without rollback) keeps relaunching, as ECS does.
        var live = _tasks.Where(t => t.ServiceName == service.Name && t.Cluster == service.Cluster && t.DesiredStatus == "RUNNING").ToList();
        var primaryLive = live.Where(t => t.StartedBy == primary.Id).ToList();
        var canStart = Math.Min(desired - primaryLive.Count, maxTotal - live.Count);
        if (!(primary.RolloutState == "FAILED" && service.Configuration.DeploymentCircuitBreaker?.Enable == true))
        {
            var definition = FindTaskDefinition(primary.TaskDefinition, "UpdateService").Definition;
            for (var i = 0; i < canStart; i++)
            {
                var behaviour = Behaviour(new TaskLaunch(definition, service.Name, null));
                var task = NewTask(service.Cluster, primary.TaskDefinition, $"service:{service.Name}", primary.Id, behaviour, service.Name, null);
                AddEvent(service, $"(service {service.Name}) has started 1 tasks: (task {task.Id}).");
                StartLifecycle(task, service);
            }
        }

        // Drain old tasks while the healthy count stays at or above the minimum.
        var healthy = live.Count(t => t.Healthy);
        foreach (var old in live.Where(t => t.StartedBy != primary.Id).OrderBy(t => t.Healthy).ToList())
        {
            var primaryHealthy = primaryLive.Count(t => t.Healthy);
            if (old.Healthy && (healthy - 1 < minHealthy || primaryHealthy == 0))
            {
                continue;
            }
            if (old.Healthy)
            {
                healthy--;
            }
            AddEvent(service, $"(service {service.Name}) has begun draining connections on 1 tasks.");
            old.DesiredStatus = "STOPPED";
            old.LastStatus = "DEACTIVATING";
            var stopping = old;
            var deploymentId = old.StartedBy;
            At(ToStopped, () =>
            {
                Stop(stopping, "ServiceSchedulerInitiated", $"Scaling activity initiated by (deployment {primary.Id})");
                AddEvent(service, $"(service {service.Name}) has stopped 1 running tasks: (task {stopping.Id}).");
                Reconcile(service);
            });
        }

        // Deployments whose tasks are all gone drop out of the list.
        foreach (var deployment in service.Deployments.Skip(1).ToList())
        {
            if (!_tasks.Any(t => t.StartedBy == deployment.Id && t.ServiceName == service.Name && t.LastStatus != "STOPPED"))
            {
                service.Deployments.Remove(deployment);
            }
        }

        // Completed: the primary runs its desired count, all healthy, and no other deployment is left.
        var running = _tasks.Count(t => t.StartedBy == primary.Id && t.ServiceName == service.Name && t.LastStatus == "RUNNING" && t.Healthy);
        if (primary.RolloutState == "IN_PROGRESS" && running >= desired && service.Deployments.Count == 1)
        {
            primary.RolloutState = "COMPLETED";
            primary.RolloutStateReason = $"ECS deployment {primary.Id} completed.";
            primary.UpdatedAt = Now;
            service.LastCompleted = (primary.Id, primary.TaskDefinition);
            AddEvent(service, $"(service {service.Name}) (deployment {primary.Id}) deployment completed.");
            AddEvent(service, $"(service {service.Name}) has reached a steady state.");
        }
    }

    private void AddEvent(SimService service, string message)
    {
        service.Events.Insert(0, new ServiceEvent(Guid.CreateVersion7(Now).ToString(), Now, message));
        if (service.Events.Count > 100)
        {
            service.Events.RemoveAt(service.Events.Count - 1);
        }
    }

    private EcsService Snapshot(SimService service)
    {
        var tasks = _tasks.Where(t => t.ServiceName == service.Name && t.Cluster == service.Cluster).ToList();
        int Count(string deploymentId, params string[] states) => tasks.Count(t => t.StartedBy == deploymentId && states.Contains(t.LastStatus));
        var deployments = service.Deployments.Select(d => new Deployment
        {
            Id = d.Id,
            Status = d.Status,
            TaskDefinition = d.TaskDefinition,
            DesiredCount = d.Status == "PRIMARY" ? service.DesiredCount : d.DesiredCount,
            RunningCount = Count(d.Id, "RUNNING"),
            PendingCount = Count(d.Id, "PROVISIONING", "PENDING", "ACTIVATING"),
            FailedTasks = d.FailedTasks,
            CreatedAt = d.CreatedAt,
            UpdatedAt = d.UpdatedAt,
            RolloutState = d.RolloutState,
            RolloutStateReason = d.RolloutStateReason,
        }).ToList();
        return new EcsService
        {
            ServiceArn = service.Arn,
            ServiceName = service.Name,
            ClusterArn = _clusters[service.Cluster],
            Status = "ACTIVE",
            DesiredCount = service.DesiredCount,
            RunningCount = tasks.Count(t => t.LastStatus == "RUNNING"),
            PendingCount = tasks.Count(t => t.LastStatus is "PROVISIONING" or "PENDING" or "ACTIVATING"),
            LaunchType = "FARGATE",
            TaskDefinition = service.Deployments[0].TaskDefinition,
            DeploymentConfiguration = service.Configuration,
            Deployments = deployments,
            Events = [.. service.Events],
            LoadBalancers = service.LoadBalancers,
            NetworkConfiguration = service.NetworkConfiguration,
        };
    }

    private sealed class SimService(string name, string arn, string cluster, int desiredCount, string taskDefinition)
    {
        public string Name { get; } = name;
        public string Arn { get; } = arn;
        public string Cluster { get; } = cluster;
        public int DesiredCount { get; } = desiredCount;
        public string InitialTaskDefinition { get; } = taskDefinition;
        public DeploymentConfiguration Configuration { get; set; } = new() { MaximumPercent = 200, MinimumHealthyPercent = 100, DeploymentCircuitBreaker = new DeploymentCircuitBreaker(false, false) };
        public List<SimDeployment> Deployments { get; } = [];
        public List<ServiceEvent> Events { get; } = [];
        public IReadOnlyList<ServiceLoadBalancer> LoadBalancers { get; init; } = [];
        public NetworkConfiguration? NetworkConfiguration { get; init; }
        public (string Id, string TaskDefinition)? LastCompleted { get; set; }
    }

    private sealed class SimDeployment(string id, string taskDefinition, DateTimeOffset createdAt)
    {
        public string Id { get; } = id;
        public string TaskDefinition { get; } = taskDefinition;
        public string Status { get; set; } = "PRIMARY";
        public int DesiredCount { get; set; }
        public int FailedTasks { get; set; }
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public DateTimeOffset UpdatedAt { get; set; } = createdAt;
        public string RolloutState { get; set; } = "IN_PROGRESS";
        public string? RolloutStateReason { get; set; } = $"ECS deployment {id} in progress.";
    }

    private sealed class SimContainer(string name, string? image)
    {
        public string Name { get; } = name;
        public string? Image { get; } = image;
        public string LastStatus { get; set; } = "PENDING";
        public int? ExitCode { get; set; }
    }

    private sealed class SimTask(string arn, string id, string cluster, string taskDefinitionArn, string group, string? startedBy, TaskBehaviour behaviour, string? serviceName, DateTimeOffset createdAt)
    {
        public string Arn { get; } = arn;
        public string Id { get; } = id;
        public string Cluster { get; } = cluster;
        public string TaskDefinitionArn { get; } = taskDefinitionArn;
        public string Group { get; } = group;
        public string? StartedBy { get; } = startedBy;
        public TaskBehaviour Behaviour { get; } = behaviour;
        public string? ServiceName { get; } = serviceName;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public string LastStatus { get; set; } = "PROVISIONING";
        public string DesiredStatus { get; set; } = "RUNNING";
        public bool Healthy { get; set; }
        public string? StopCode { get; set; }
        public string? StoppedReason { get; set; }
        public DateTimeOffset? StartedAt { get; set; }
        public DateTimeOffset? StoppedAt { get; set; }
        public TaskOverride? Overrides { get; init; }
        public List<SimContainer> Containers { get; init; } = [];

        public EcsTask Snapshot() => new()
        {
            TaskArn = Arn,
            TaskDefinitionArn = TaskDefinitionArn,
            LastStatus = LastStatus,
            DesiredStatus = DesiredStatus,
            HealthStatus = Healthy ? "HEALTHY" : "UNKNOWN",
            StartedBy = StartedBy,
            Group = Group,
            StopCode = StopCode,
            StoppedReason = StoppedReason,
            CreatedAt = CreatedAt,
            StartedAt = StartedAt,
            StoppedAt = StoppedAt,
            Overrides = Overrides,
            Containers = [.. Containers.Select(c => new TaskContainer
            {
                Name = c.Name,
                Image = c.Image,
                LastStatus = c.LastStatus,
                ExitCode = c.ExitCode,
                Reason = StopCode == "TaskFailedToStart" ? StoppedReason : c.ExitCode == 137 ? "Task failed health checks" : null,
            })],
        };
    }
}
