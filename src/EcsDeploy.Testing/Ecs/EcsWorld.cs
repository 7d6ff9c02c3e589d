using System.Globalization;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// The state of the simulated ECS: clusters, task definition families, services, tasks, and the schedule of
/// changes still to happen on the virtual clock. Every member is called under <see cref="SimulatedAws.Gate"/>.
/// </summary>
internal sealed class EcsWorld
{
    private readonly PriorityQueue<Action, (DateTimeOffset, long)> _schedule = new();
    private long _sequence;
    private bool _advancing;

    // While a scheduled change runs, "now" is the time it was scheduled for, so that its events and timestamps
    // say when it happened, not when someone next looked.
    private DateTimeOffset? _processingTime;

    public EcsWorld(SimulatedAws aws)
    {
        Aws = aws;
        Scheduler = new EcsScheduler(this);
        ServiceDeployments = new ServiceDeploymentLedger(this);
        Strategies = new StrategyEngine(this);
    }

    public SimulatedAws Aws { get; }
    public EcsScheduler Scheduler { get; }
    public ServiceDeploymentLedger ServiceDeployments { get; }
    public StrategyEngine Strategies { get; }
    public Dictionary<string, string> Clusters { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<(TaskDefinition Definition, List<EcsTag> Tags)>> Families { get; } = new(StringComparer.Ordinal);
    public Dictionary<(string Cluster, string Service), SimService> Services { get; } = [];
    public List<SimTask> Tasks { get; } = [];
    public Dictionary<string, string> RunTaskTokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Decides what each launched task does.</summary>
    public Func<TaskLaunch, TaskBehaviour> Behaviour { get; set; } = launch => launch.ServiceName is null
        ? TaskBehaviour.Exits(0, [$"simulated: {string.Join(' ', launch.CommandOverride ?? [])}".TrimEnd(), "done"])
        : TaskBehaviour.Healthy;

    public DateTimeOffset Now => _processingTime ?? Aws.Clock.GetUtcNow();

    /// <summary>Runs every scheduled change up to the clock's time.</summary>
    public void Advance()
    {
        if (_advancing)
        {
            return;
        }
        _advancing = true;
        try
        {
            var now = Aws.Clock.GetUtcNow();
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

    /// <summary>Schedules <paramref name="action"/> <paramref name="after"/> from now on the virtual clock.</summary>
    public void At(TimeSpan after, Action action) => _schedule.Enqueue(action, (Now + after, _sequence++));

    public TaskDefinition Register(TaskDefinition definition, IReadOnlyList<EcsTag> tags)
    {
        var family = definition.Family!;
        if (!Families.TryGetValue(family, out var revisions))
        {
            Families[family] = revisions = [];
        }
        var revision = revisions.Count + 1;
        var registered = definition with
        {
            TaskDefinitionArn = Aws.Arn("ecs", $"task-definition/{family}:{revision}"),
            Revision = revision,
            Status = ResourceStatuses.Active,
            RegisteredAt = Now,
            RegisteredBy = Aws.Arn("iam", "user/deployer").Replace($":{Aws.Region}", "", StringComparison.Ordinal),
            Compatibilities = ["EC2", "FARGATE"],
            ContainerDefinitions = [.. definition.ContainerDefinitions!.Select(c => c with
            {
                Essential = c.Essential ?? true,
                Cpu = c.Cpu ?? 0,
                Environment = c.Environment ?? [],
                PortMappings = c.PortMappings?.Select(p => p with { Protocol = p.Protocol ?? "tcp", HostPort = p.HostPort ?? p.ContainerPort }).ToList(),
                ExtensionData = WithEmptyLists(c.ExtensionData),
            })],
        };
        revisions.Add((registered, [.. tags]));
        return registered;
    }

    /// <summary>ECS fills mountPoints, volumesFrom and systemControls of every container with empty lists when not given.</summary>
    private static Dictionary<string, System.Text.Json.JsonElement> WithEmptyLists(Dictionary<string, System.Text.Json.JsonElement>? members)
    {
        var filled = members is null ? new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal) : new Dictionary<string, System.Text.Json.JsonElement>(members, StringComparer.Ordinal);
        foreach (var name in (string[])["mountPoints", "volumesFrom", "systemControls"])
        {
            filled.TryAdd(name, System.Text.Json.JsonSerializer.SerializeToElement(Array.Empty<object>()));
        }
        return filled;
    }

    /// <summary>
    /// Checks a cluster, service, family or container name as ECS does (1-255 letters, digits, hyphens and underscores);
    /// null when valid, otherwise ECS's message.
    /// </summary>
    public static string? NameProblem(string name)
        => name.Length is > 0 and <= 255 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null
            : $"'{name}' is not a valid name: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.";

    public (TaskDefinition Definition, List<EcsTag> Tags) FindTaskDefinition(string reference, string operation)
    {
        var name = reference.Contains(":task-definition/", StringComparison.Ordinal) ? reference[(reference.IndexOf(":task-definition/", StringComparison.Ordinal) + 17)..] : reference;
        var colon = name.LastIndexOf(':');
        var family = colon > 0 ? name[..colon] : name;
        if (Families.TryGetValue(family, out var revisions))
        {
            if (colon > 0 && int.TryParse(name[(colon + 1)..], CultureInfo.InvariantCulture, out var revision) && revision >= 1 && revision <= revisions.Count)
            {
                return revisions[revision - 1];
            }
            if (colon < 0 && revisions.LastOrDefault(r => r.Definition.Status == ResourceStatuses.Active) is { Definition: not null } latest)
            {
                return latest;
            }
        }
        throw Client(operation, "Unable to describe task definition.");
    }

    public SimService Find(string cluster, string serviceName, string operation)
        => Services.TryGetValue((cluster, serviceName), out var service) ? service
            : throw new AwsServiceException("ECS", operation, "ServiceNotFoundException", "Service not found.", 400, Aws.NewRequestId());

    public string ClusterName(string reference, string operation)
    {
        var name = ShortName(reference);
        return Clusters.ContainsKey(name) ? name
            : throw new AwsServiceException("ECS", operation, "ClusterNotFoundException", "Cluster not found.", 400, Aws.NewRequestId());
    }

    public static string ShortName(string nameOrArn) => nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? nameOrArn[(nameOrArn.LastIndexOf('/') + 1)..] : nameOrArn;

    public AwsServiceException Client(string operation, string message) => new("ECS", operation, "ClientException", message, 400, Aws.NewRequestId());

    public SimDeployment NewDeployment(SimService service, string taskDefinitionArn)
    {
        var digits = string.Concat(Enumerable.Range(0, 19).Select(_ => (char)('0' + Aws.Random.Next(10))));
        return new SimDeployment($"ecs-svc/{digits}", taskDefinitionArn, Now) { DesiredCount = service.DesiredCount };
    }

    public SimTask NewTask(string cluster, string taskDefinitionArn, string group, string? startedBy, TaskBehaviour behaviour, string? serviceName, TaskOverride? overrides)
    {
        var id = Convert.ToHexStringLower(BitConverter.GetBytes(Aws.Random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes(Aws.Random.NextInt64()));
        var definition = FindTaskDefinition(taskDefinitionArn, "RunTask").Definition;
        var task = new SimTask(Aws.Arn("ecs", $"task/{cluster}/{id}"), id, cluster, taskDefinitionArn, group, startedBy, behaviour, serviceName, Now)
        {
            Overrides = overrides,
            Containers = [.. (definition.ContainerDefinitions ?? []).Select(c => new SimContainer(c.Name!, c.Image))],
        };
        Tasks.Add(task);
        return task;
    }

    /// <summary>Posts a service event; a message repeating the newest one within 6 hours is suppressed, as ECS does.</summary>
    public void AddEvent(SimService service, string message)
    {
        // ECS batches what happens to several tasks at once: "has started 2 tasks: (task a) (task b)."
        if (service.Events.Count > 0 && service.Events[0].CreatedAt == Now && EventBatching.Merge(service.Events[0].Message, message) is { } merged)
        {
            service.Events[0] = service.Events[0] with { Message = merged };
            return;
        }
        if (service.Events.Count > 0 && service.Events[0].Message == message && Now - service.Events[0].CreatedAt < TimeSpan.FromHours(6))
        {
            return;
        }
        service.Events.Insert(0, new ServiceEvent(Guid.CreateVersion7(Now).ToString(), Now, message));
        if (service.Events.Count > 100)
        {
            service.Events.RemoveAt(service.Events.Count - 1);
        }
    }

    /// <summary>A service as DescribeServices shows it.</summary>
    public EcsService Snapshot(SimService service)
    {
        var tasks = Tasks.Where(t => t.ServiceName == service.Name && t.Cluster == service.Cluster).ToList();
        int Count(string deploymentId, params string[] states) => tasks.Count(t => t.StartedBy == deploymentId && states.Contains(t.LastStatus));
        var deployments = service.Deployments.Select(d => new Deployment
        {
            Id = d.Id,
            Status = d.Status,
            TaskDefinition = d.TaskDefinition,
            DesiredCount = d.Status == DeploymentStatuses.Primary ? service.DesiredCount : d.DesiredCount,
            RunningCount = Count(d.Id, TaskStatuses.Running),
            PendingCount = Count(d.Id, TaskStatuses.Provisioning, TaskStatuses.Pending, TaskStatuses.Activating),
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
            ClusterArn = Clusters[service.Cluster],
            Status = ResourceStatuses.Active,
            DesiredCount = service.DesiredCount,
            RunningCount = tasks.Count(t => t.LastStatus == TaskStatuses.Running),
            PendingCount = tasks.Count(t => t.LastStatus is TaskStatuses.Provisioning or TaskStatuses.Pending or TaskStatuses.Activating),
            LaunchType = "FARGATE",
            TaskDefinition = service.Deployments[0].TaskDefinition,
            DeploymentConfiguration = service.Configuration,
            Deployments = deployments,
            Events = [.. service.Events],
            LoadBalancers = service.LoadBalancers,
            HealthCheckGracePeriodSeconds = service.HealthCheckGracePeriodSeconds,
            NetworkConfiguration = service.NetworkConfiguration,
            CurrentServiceDeployment = ServiceDeployments.Current(service)?.Arn,
        };
    }
}
