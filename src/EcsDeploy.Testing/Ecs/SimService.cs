using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>A service of the simulated ECS: its configuration, deployments (PRIMARY first) and events (newest first).</summary>
internal sealed class SimService(string name, string arn, string cluster, int desiredCount, string taskDefinition)
{
    public string Name { get; } = name;
    public string Arn { get; } = arn;
    public string Cluster { get; } = cluster;
    public int DesiredCount { get; set; } = desiredCount;
    /// <summary>The desired count changed (UpdateService, a scaling activity): a steady-state event is due once it is reached.</summary>
    public bool SteadyStatePending { get; set; }
    public string InitialTaskDefinition { get; } = taskDefinition;
    public DeploymentConfiguration Configuration { get; set; } = new() { MaximumPercent = 200, MinimumHealthyPercent = 100, DeploymentCircuitBreaker = new DeploymentCircuitBreaker(false, false) };
    public List<SimDeployment> Deployments { get; } = [];
    public List<ServiceEvent> Events { get; } = [];
    public IReadOnlyList<ServiceLoadBalancer> LoadBalancers { get; set; } = [];
    public NetworkConfiguration? NetworkConfiguration { get; set; }
    /// <summary>Seconds after a task starts during which ECS ignores failing health checks (default 0).</summary>
    public int HealthCheckGracePeriodSeconds { get; set; }
    public (string Id, string TaskDefinition)? LastCompleted { get; set; }
    /// <summary>Its tags (TagResource, UntagResource).</summary>
    public List<EcsTag> Tags { get; } = [];
}
