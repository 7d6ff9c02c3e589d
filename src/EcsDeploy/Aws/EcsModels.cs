using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcsDeploy.Aws;

// Shapes of the Amazon ECS API (JSON 1.1, camelCase on the wire), limited to the members EcsDeploy reads or
// writes. Names follow the API reference so that a reader can look each one up. Unknown members of a task
// definition are kept in ExtensionData so that rendering round-trips fields this library does not know.

/// <summary>A name/value pair, as ECS uses for environment variables (<c>KeyValuePair</c> in the API).</summary>
public sealed record EcsKeyValuePair(string Name, string Value);

/// <summary>A secret injected into a container from Secrets Manager or SSM (<c>Secret</c> in the API).</summary>
public sealed record EcsSecret(string Name, string ValueFrom);

/// <summary>A resource tag (<c>Tag</c> in the API).</summary>
public sealed record EcsTag(string Key, string Value);

/// <summary>A port mapping of a container.</summary>
public sealed record PortMapping
{
    /// <summary>The container port.</summary>
    public int? ContainerPort { get; init; }
    /// <summary>The host port; on awsvpc it equals the container port.</summary>
    public int? HostPort { get; init; }
    /// <summary><c>tcp</c> (the default) or <c>udp</c>.</summary>
    public string? Protocol { get; init; }
    /// <summary>The name used by Service Connect.</summary>
    public string? Name { get; init; }
    /// <summary>Members of the API this library does not model, kept as they were read.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>The log configuration of a container.</summary>
public sealed record LogConfiguration
{
    /// <summary>The log driver, for example <c>awslogs</c>.</summary>
    public string? LogDriver { get; init; }
    /// <summary>Driver options such as <c>awslogs-group</c> and <c>awslogs-stream-prefix</c>.</summary>
    public Dictionary<string, string>? Options { get; init; }
    /// <summary>Members of the API this library does not model, kept as they were read.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>A container health check.</summary>
public sealed record HealthCheck
{
    /// <summary>The command, for example <c>["CMD-SHELL", "curl -f http://localhost/ || exit 1"]</c>.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Seconds between checks (default 30).</summary>
    public int? Interval { get; init; }
    /// <summary>Seconds before a check counts as failed (default 5).</summary>
    public int? Timeout { get; init; }
    /// <summary>Consecutive failures before the container is unhealthy (default 3).</summary>
    public int? Retries { get; init; }
    /// <summary>Grace period in seconds before failures count.</summary>
    public int? StartPeriod { get; init; }
}

/// <summary>A container of a task definition (<c>ContainerDefinition</c> in the API).</summary>
public sealed record ContainerDefinition
{
    /// <summary>The container name.</summary>
    public string? Name { get; init; }
    /// <summary>The image reference.</summary>
    public string? Image { get; init; }
    /// <summary>CPU units reserved for the container.</summary>
    public int? Cpu { get; init; }
    /// <summary>Hard memory limit in MiB.</summary>
    public int? Memory { get; init; }
    /// <summary>Soft memory limit in MiB.</summary>
    public int? MemoryReservation { get; init; }
    /// <summary>Whether the task stops when this container stops (default true).</summary>
    public bool? Essential { get; init; }
    /// <summary>The entry point.</summary>
    public IReadOnlyList<string>? EntryPoint { get; init; }
    /// <summary>The command.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Plain environment variables.</summary>
    public IReadOnlyList<EcsKeyValuePair>? Environment { get; init; }
    /// <summary>Secrets, by reference.</summary>
    public IReadOnlyList<EcsSecret>? Secrets { get; init; }
    /// <summary>Port mappings.</summary>
    public IReadOnlyList<PortMapping>? PortMappings { get; init; }
    /// <summary>The log configuration.</summary>
    public LogConfiguration? LogConfiguration { get; init; }
    /// <summary>The container health check.</summary>
    public HealthCheck? HealthCheck { get; init; }
    /// <summary>Members of the API this library does not model, kept as they were read.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>A task definition as DescribeTaskDefinition returns it and RegisterTaskDefinition takes it.</summary>
public sealed record TaskDefinition
{
    /// <summary>The full ARN (read-only).</summary>
    public string? TaskDefinitionArn { get; init; }
    /// <summary>The family.</summary>
    public string? Family { get; init; }
    /// <summary>The revision (read-only).</summary>
    public int? Revision { get; init; }
    /// <summary>ACTIVE, INACTIVE or DELETE_IN_PROGRESS (read-only).</summary>
    public string? Status { get; init; }
    /// <summary>The containers.</summary>
    public IReadOnlyList<ContainerDefinition>? ContainerDefinitions { get; init; }
    /// <summary>The role the tasks' containers assume.</summary>
    public string? TaskRoleArn { get; init; }
    /// <summary>The role ECS uses to pull images and read secrets.</summary>
    public string? ExecutionRoleArn { get; init; }
    /// <summary><c>awsvpc</c> on Fargate.</summary>
    public string? NetworkMode { get; init; }
    /// <summary>Task CPU units, as a string (for example <c>"256"</c>).</summary>
    public string? Cpu { get; init; }
    /// <summary>Task memory in MiB, as a string.</summary>
    public string? Memory { get; init; }
    /// <summary>Launch types the definition was registered for, for example FARGATE.</summary>
    public IReadOnlyList<string>? RequiresCompatibilities { get; init; }
    /// <summary>Launch types it is compatible with (read-only).</summary>
    public IReadOnlyList<string>? Compatibilities { get; init; }
    /// <summary>Attributes a container instance needs (read-only).</summary>
    public JsonElement? RequiresAttributes { get; init; }
    /// <summary>When the revision was registered (read-only).</summary>
    public DateTimeOffset? RegisteredAt { get; init; }
    /// <summary>Who registered it (read-only).</summary>
    public string? RegisteredBy { get; init; }
    /// <summary>When it was deregistered (read-only).</summary>
    public DateTimeOffset? DeregisteredAt { get; init; }
    /// <summary>Members of the API this library does not model, kept as they were read.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>The deployment circuit breaker of a service.</summary>
public sealed record DeploymentCircuitBreaker(bool Enable, bool Rollback);

/// <summary>How a service replaces tasks during a rolling deployment.</summary>
public sealed record DeploymentConfiguration
{
    /// <summary>The circuit breaker.</summary>
    public DeploymentCircuitBreaker? DeploymentCircuitBreaker { get; init; }
    /// <summary>Upper limit, in percent of desired, of running plus pending tasks (default 200).</summary>
    public int? MaximumPercent { get; init; }
    /// <summary>Lower limit, in percent of desired, of healthy running tasks (default 100).</summary>
    public int? MinimumHealthyPercent { get; init; }
    /// <summary>ROLLING (the default), BLUE_GREEN, LINEAR or CANARY (<see cref="DeploymentStrategies"/>).</summary>
    public string? Strategy { get; init; }
    /// <summary>Minutes both revisions run after production traffic moved (0 to 1440; BLUE_GREEN, LINEAR, CANARY).</summary>
    public int? BakeTimeInMinutes { get; init; }
    /// <summary>The steps of a LINEAR deployment.</summary>
    public LinearConfiguration? LinearConfiguration { get; init; }
    /// <summary>The canary phase of a CANARY deployment.</summary>
    public CanaryConfiguration? CanaryConfiguration { get; init; }
    /// <summary>Lifecycle hooks (AWS_LAMBDA or PAUSE).</summary>
    public IReadOnlyList<DeploymentLifecycleHook>? LifecycleHooks { get; init; }
    /// <summary>CloudWatch alarms that fail (and roll back) a deployment.</summary>
    public DeploymentAlarms? Alarms { get; init; }
}

/// <summary>A deployment of a service (<c>Deployment</c> in the API).</summary>
public sealed record Deployment
{
    /// <summary><c>ecs-svc/</c> followed by 19 digits.</summary>
    public required string Id { get; init; }
    /// <summary>PRIMARY, ACTIVE or INACTIVE.</summary>
    public required string Status { get; init; }
    /// <summary>The task definition ARN the deployment runs.</summary>
    public required string TaskDefinition { get; init; }
    /// <summary>Tasks the deployment wants.</summary>
    public int DesiredCount { get; init; }
    /// <summary>Tasks of the deployment that are PENDING.</summary>
    public int PendingCount { get; init; }
    /// <summary>Tasks of the deployment that are RUNNING.</summary>
    public int RunningCount { get; init; }
    /// <summary>Consecutive tasks that failed to start or failed health checks.</summary>
    public int FailedTasks { get; init; }
    /// <summary>When the deployment was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>IN_PROGRESS, COMPLETED or FAILED (absent behind a Classic Load Balancer).</summary>
    public string? RolloutState { get; init; }
    /// <summary>Why the rollout is in its state.</summary>
    public string? RolloutStateReason { get; init; }
}

/// <summary>A service event (<c>ServiceEvent</c> in the API).</summary>
public sealed record ServiceEvent(string Id, DateTimeOffset CreatedAt, string Message);

/// <summary>A load balancer a service registers its tasks with.</summary>
public sealed record ServiceLoadBalancer
{
    /// <summary>The target group ARN.</summary>
    public string? TargetGroupArn { get; init; }
    /// <summary>The container that receives traffic.</summary>
    public string? ContainerName { get; init; }
    /// <summary>Its port.</summary>
    public int? ContainerPort { get; init; }
    /// <summary>The alternate target group and listener rules of BLUE_GREEN, LINEAR and CANARY deployments.</summary>
    public AdvancedConfiguration? AdvancedConfiguration { get; init; }
}

/// <summary>The awsvpc network settings of a service or task.</summary>
public sealed record AwsVpcConfiguration
{
    /// <summary>Subnet IDs.</summary>
    public IReadOnlyList<string>? Subnets { get; init; }
    /// <summary>Security group IDs.</summary>
    public IReadOnlyList<string>? SecurityGroups { get; init; }
    /// <summary>ENABLED or DISABLED.</summary>
    public string? AssignPublicIp { get; init; }
}

/// <summary>The network configuration of a service or task.</summary>
public sealed record NetworkConfiguration(AwsVpcConfiguration? AwsvpcConfiguration);

/// <summary>An ECS service (<c>Service</c> in the API).</summary>
public sealed record EcsService
{
    /// <summary>The service ARN.</summary>
    public string? ServiceArn { get; init; }
    /// <summary>The service name.</summary>
    public required string ServiceName { get; init; }
    /// <summary>The cluster ARN.</summary>
    public string? ClusterArn { get; init; }
    /// <summary>ACTIVE, DRAINING or INACTIVE.</summary>
    public string? Status { get; init; }
    /// <summary>Desired tasks.</summary>
    public int DesiredCount { get; init; }
    /// <summary>Running tasks.</summary>
    public int RunningCount { get; init; }
    /// <summary>Pending tasks.</summary>
    public int PendingCount { get; init; }
    /// <summary>FARGATE, EC2 or EXTERNAL.</summary>
    public string? LaunchType { get; init; }
    /// <summary>The task definition of the PRIMARY deployment.</summary>
    public string? TaskDefinition { get; init; }
    /// <summary>Deployment settings.</summary>
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }
    /// <summary>Deployments, PRIMARY first.</summary>
    public IReadOnlyList<Deployment> Deployments { get; init; } = [];
    /// <summary>Events, newest first, at most 100.</summary>
    public IReadOnlyList<ServiceEvent> Events { get; init; } = [];
    /// <summary>Load balancers.</summary>
    public IReadOnlyList<ServiceLoadBalancer> LoadBalancers { get; init; } = [];
    /// <summary>Network configuration.</summary>
    public NetworkConfiguration? NetworkConfiguration { get; init; }
    /// <summary>Seconds during which health checks of new tasks are ignored.</summary>
    public int? HealthCheckGracePeriodSeconds { get; init; }
    /// <summary>The ARN of the service's newest service deployment (DescribeServiceDeployments).</summary>
    public string? CurrentServiceDeployment { get; init; }
    /// <summary>The service's tags, when DescribeServices was asked for them (<see cref="DescribeServicesRequest.Include"/>).</summary>
    public IReadOnlyList<EcsTag>? Tags { get; init; }
}

/// <summary>A per-item failure of a batch call (<c>Failure</c> in the API).</summary>
public sealed record EcsFailure(string? Arn, string? Reason, string? Detail);

/// <summary>Answer of DescribeServices.</summary>
public sealed record DescribeServicesResponse(IReadOnlyList<EcsService> Services, IReadOnlyList<EcsFailure> Failures);

/// <summary>Request of DescribeTaskDefinition: a family, <c>family:revision</c> or full ARN.</summary>
public sealed record DescribeTaskDefinitionRequest(string TaskDefinition, bool IncludeTags = true);
/// <summary>Answer of DescribeTaskDefinition.</summary>
public sealed record DescribeTaskDefinitionResponse(TaskDefinition TaskDefinition, IReadOnlyList<EcsTag> Tags);

/// <summary>Request of RegisterTaskDefinition: the definition without its read-only fields, and tags.</summary>
public sealed record RegisterTaskDefinitionRequest(TaskDefinition TaskDefinition, IReadOnlyList<EcsTag> Tags);
/// <summary>Answer of RegisterTaskDefinition.</summary>
public sealed record RegisterTaskDefinitionResponse(TaskDefinition TaskDefinition, IReadOnlyList<EcsTag> Tags);

/// <summary>Request of ListTaskDefinitions.</summary>
public sealed record ListTaskDefinitionsRequest(string FamilyPrefix, string Status = "ACTIVE", string Sort = "DESC", string? NextToken = null);
/// <summary>Answer of ListTaskDefinitions.</summary>
public sealed record ListTaskDefinitionsResponse(IReadOnlyList<string> TaskDefinitionArns, string? NextToken);

/// <summary>Request of UpdateService.</summary>
public sealed record UpdateServiceRequest
{
    /// <summary>The cluster.</summary>
    public required string Cluster { get; init; }
    /// <summary>The service.</summary>
    public required string Service { get; init; }
    /// <summary>The task definition to deploy.</summary>
    public string? TaskDefinition { get; init; }
    /// <summary>Deployment settings to apply.</summary>
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }
    /// <summary>Start a new deployment even if nothing changed.</summary>
    public bool ForceNewDeployment { get; init; }
    /// <summary>The load balancers (with their advancedConfiguration); null leaves them as they are.</summary>
    public IReadOnlyList<ServiceLoadBalancer>? LoadBalancers { get; init; }
    /// <summary>The number of tasks to run (scaling alone starts no new deployment); null leaves it as it is.</summary>
    public int? DesiredCount { get; init; }
}
/// <summary>Answer of UpdateService.</summary>
public sealed record UpdateServiceResponse(EcsService Service);

/// <summary>Request of RunTask.</summary>
public sealed record RunTaskRequest
{
    /// <summary>The cluster.</summary>
    public required string Cluster { get; init; }
    /// <summary>The task definition.</summary>
    public required string TaskDefinition { get; init; }
    /// <summary>FARGATE.</summary>
    public string? LaunchType { get; init; } = "FARGATE";
    /// <summary>Network configuration (the service's, for a migration).</summary>
    public NetworkConfiguration? NetworkConfiguration { get; init; }
    /// <summary>Container overrides.</summary>
    public TaskOverride? Overrides { get; init; }
    /// <summary>Free text up to 128 characters, to find the task again.</summary>
    public string? StartedBy { get; init; }
    /// <summary>How many tasks.</summary>
    public int Count { get; init; } = 1;
    /// <summary>An idempotency token: a retry with the same token starts no second task.</summary>
    public string? ClientToken { get; init; }
}
/// <summary>Answer of RunTask.</summary>
public sealed record RunTaskResponse(IReadOnlyList<EcsTask> Tasks, IReadOnlyList<EcsFailure> Failures);

/// <summary>Request of DescribeTasks (at most 100).</summary>
public sealed record DescribeTasksRequest(string Cluster, IReadOnlyList<string> Tasks);
/// <summary>Answer of DescribeTasks.</summary>
public sealed record DescribeTasksResponse(IReadOnlyList<EcsTask> Tasks, IReadOnlyList<EcsFailure> Failures);

/// <summary>Request of ListTasks.</summary>
public sealed record ListTasksRequest
{
    /// <summary>The cluster.</summary>
    public required string Cluster { get; init; }
    /// <summary>Only tasks of this service.</summary>
    public string? ServiceName { get; init; }
    /// <summary>Only tasks started by this value.</summary>
    public string? StartedBy { get; init; }
    /// <summary>RUNNING (default), PENDING or STOPPED.</summary>
    public string? DesiredStatus { get; init; }
    /// <summary>The page to read.</summary>
    public string? NextToken { get; init; }
}
/// <summary>Answer of ListTasks.</summary>
public sealed record ListTasksResponse(IReadOnlyList<string> TaskArns, string? NextToken);
