using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

// What seeding and tests arrange in the simulated ECS (clusters, revisions, running services, their settings) and what
// they inspect directly, beside the API (SimulatedEcs.cs).
public sealed partial class SimulatedEcs
{
    /// <summary>Creates a cluster.</summary>
    public string CreateCluster(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_aws.Gate)
        {
            if (EcsWorld.NameProblem(name) is { } problem)
            {
                throw new ArgumentException($"Cluster {problem}", nameof(name));
            }
            return _world.Clusters[name] = _aws.Arn("ecs", $"cluster/{name}");
        }
    }

    /// <summary>Registers a task definition directly (seeding); returns its ARN.</summary>
    public string Register(TaskDefinition definition, IReadOnlyList<EcsTag>? tags = null)
    {
        lock (_aws.Gate)
        {
            return _world.Register(definition, tags ?? []).TaskDefinitionArn!;
        }
    }

    /// <summary>Creates a service that is already running <paramref name="desiredCount"/> healthy tasks of <paramref name="taskDefinitionArn"/>.</summary>
    public void CreateRunningService(string cluster, string serviceName, string taskDefinitionArn, int desiredCount, string? targetGroupArn = null, string? containerName = null, int? containerPort = null)
    {
        lock (_aws.Gate)
        {
            if (!_world.Clusters.ContainsKey(cluster))
            {
                throw new InvalidOperationException($"No cluster {cluster}: create it first.");
            }
            if (EcsWorld.NameProblem(serviceName) is { } problem)
            {
                throw new ArgumentException($"Service {problem}", nameof(serviceName));
            }
            var service = new SimService(serviceName, _aws.Arn("ecs", $"service/{cluster}/{serviceName}"), cluster, desiredCount, taskDefinitionArn)
            {
                LoadBalancers = targetGroupArn is null ? [] : [new ServiceLoadBalancer { TargetGroupArn = targetGroupArn, ContainerName = containerName, ContainerPort = containerPort }],
                NetworkConfiguration = new NetworkConfiguration(new AwsVpcConfiguration { Subnets = ["subnet-0a1b2c3d"], SecurityGroups = ["sg-0a1b2c3d"], AssignPublicIp = "DISABLED" }),
            };
            var deployment = _world.NewDeployment(service, taskDefinitionArn);
            deployment.RolloutState = RolloutStates.Completed;
            deployment.RolloutStateReason = $"ECS deployment {deployment.Id} completed.";
            service.Deployments.Add(deployment);
            service.LastCompleted = (deployment.Id, taskDefinitionArn);
            _world.Services[(cluster, serviceName)] = service;
            for (var i = 0; i < desiredCount; i++)
            {
                var task = _world.NewTask(cluster, taskDefinitionArn, $"service:{serviceName}", deployment.Id, TaskBehaviour.Healthy, serviceName, null);
                task.LastStatus = TaskStatuses.Running;
                task.Containers.ForEach(c => c.LastStatus = TaskStatuses.Running);
                task.Healthy = true;
                task.StartedAt = Now;
            }
            _world.ServiceDeployments.OnCreatedComplete(service, deployment);
            _world.AddEvent(service, $"(service {serviceName}) has reached a steady state.");
        }
    }

    /// <summary>Sets a service's deployment configuration (as Terraform's <c>deployment_circuit_breaker</c> block would).</summary>
    public void SetDeploymentConfiguration(string cluster, string serviceName, DeploymentConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        lock (_aws.Gate)
        {
            _world.Find(cluster, serviceName, "UpdateService").Configuration = configuration;
        }
    }

    /// <summary>Sets a service's health check grace period: seconds after a task starts during which ECS ignores failing health checks.</summary>
    public void SetHealthCheckGracePeriod(string cluster, string serviceName, int seconds)
    {
        lock (_aws.Gate)
        {
            _world.Find(cluster, serviceName, "UpdateService").HealthCheckGracePeriodSeconds = seconds;
        }
    }

    /// <summary>Whether a service has a RUNNING task that counts as healthy (what a load balancer in front of it routes to).</summary>
    internal bool IsServing(string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.Tasks.Any(t => t.ServiceName == serviceName && t.LastStatus == TaskStatuses.Running && t.Healthy);
        }
    }

    /// <summary>The revisions of a family, oldest first (for assertions).</summary>
    public IReadOnlyList<TaskDefinition> Revisions(string family)
    {
        lock (_aws.Gate)
        {
            return _world.Families.TryGetValue(family, out var list) ? [.. list.Select(r => r.Definition)] : [];
        }
    }

    internal HashSet<string> AllRevisionArns()
    {
        lock (_aws.Gate)
        {
            return [.. _world.Families.Values.SelectMany(r => r).Select(r => r.Definition.TaskDefinitionArn!)];
        }
    }

    /// <summary>A service as DescribeServices would show it now (for assertions).</summary>
    public EcsService Service(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.Snapshot(_world.Find(cluster, serviceName, "DescribeServices"));
        }
    }

    /// <summary>The task definition a service's PRIMARY deployment runs (for assertions).</summary>
    public TaskDefinition CurrentTaskDefinition(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.FindTaskDefinition(_world.Find(cluster, serviceName, "DescribeServices").Deployments[0].TaskDefinition, "DescribeTaskDefinition").Definition;
        }
    }

    /// <summary>All tasks, including stopped ones (for assertions).</summary>
    public IReadOnlyList<EcsTask> AllTasks()
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return [.. _world.Tasks.Select(t => t.Snapshot())];
        }
    }
}
