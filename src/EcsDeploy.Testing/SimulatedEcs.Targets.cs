using System.Security.Cryptography;
using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

// What the simulated load balancer reads from ECS to answer DescribeTargetHealth and DescribeRules: which service tasks
// are targets of a target group and in which state, and the share of traffic a native deployment gives its new revision.
public sealed partial class SimulatedEcs
{
    /// <summary>
    /// The targets of the services behind <paramref name="targetGroupArn"/> (their first load balancer's target group):
    /// with <paramref name="alternate"/>, those in its alternate target group instead (the new revision's tasks while a
    /// blue/green, linear or canary deployment runs, or while they drain after its rollback).
    /// </summary>
    internal List<SimTarget> Targets(string targetGroupArn, bool alternate, TargetGroupHealth health)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            var targets = new List<SimTarget>();
            foreach (var service in _world.Services.Values.Where(s => s.LoadBalancers.FirstOrDefault()?.TargetGroupArn == targetGroupArn))
            {
                var run = _world.Strategies.Runs.LastOrDefault(r => ReferenceEquals(r.Service, service));
                var onAlternate = run is not null && (!run.Ended || run.Record.Status is ServiceDeploymentStatuses.RollbackInProgress
                    or ServiceDeploymentStatuses.RollbackSuccessful or ServiceDeploymentStatuses.RollbackFailed) ? run.Target.Id : null;
                var port = service.LoadBalancers[0].ContainerPort ?? 80;
                foreach (var task in _world.Tasks.Where(t => t.ServiceName == service.Name && t.Cluster == service.Cluster && (t.StartedBy == onAlternate) == alternate))
                {
                    if (TargetState(task, health) is { } state)
                    {
                        targets.Add(new SimTarget(PrivateIp(task.Id), port, AvailabilityZone(task.Id), state.State, state.Reason, state.Description));
                    }
                }
            }
            return targets;
        }
    }

    /// <summary>The new revision's production and test traffic shares (percent) of a native deployment under way; zero without one.</summary>
    internal (double Production, double Test) NewRevisionShare(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.Services.TryGetValue((cluster, serviceName), out var service) && _world.Strategies.Active(service) is { } run
                ? (run.ProductionPercent, run.TestPercent)
                : (0, 0);
        }
    }

    /// <summary>
    /// A task's target as the load balancer reports it: initial while it registers (ACTIVATING) and until its health checks
    /// pass, healthy after, unhealthy once it failed them (while ECS stops it), draining for the deregistration delay; tasks
    /// not registered (not yet ACTIVATING, or STOPPING for another reason, or STOPPED) are no target.
    /// </summary>
    private (string State, string? Reason, string? Description)? TargetState(SimTask task, TargetGroupHealth health)
    {
        var failedChecks = task.StoppedReason?.StartsWith("Task failed ELB health checks", StringComparison.Ordinal) == true;
        return task.LastStatus switch
        {
            TaskStatuses.Activating => ("initial", "Elb.RegistrationInProgress", "Target registration is in progress"),
            TaskStatuses.Deactivating => ("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"),
            TaskStatuses.Running when task.DesiredStatus == TaskStatuses.Stopped => ("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"),
            TaskStatuses.Running when task.Behaviour is UnhealthyTask || !task.Healthy && (task.StartedAt is not { } started || Now < started + health.TimeToHealthy)
                => ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress"),
            TaskStatuses.Running => ("healthy", null, null),
            TaskStatuses.Stopping when failedChecks => ("unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [500]"),
            _ => null,
        };
    }

    /// <summary>The private address of a task's network interface (awsvpc): derived from its id, the same on every read.</summary>
    internal static string PrivateIp(string taskId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(taskId));
        return $"10.0.{hash[0] % 3 * 64 + hash[1] % 64}.{1 + hash[2] % 254}";
    }

    private string AvailabilityZone(string taskId) => _aws.Region + "abc"[SHA256.HashData(Encoding.UTF8.GetBytes(taskId))[0] % 3];
}

/// <summary>A target of a target group: a task's address and container port, and its health as the load balancer reports it.</summary>
internal sealed record SimTarget(string Id, int Port, string AvailabilityZone, string State, string? Reason, string? Description);
