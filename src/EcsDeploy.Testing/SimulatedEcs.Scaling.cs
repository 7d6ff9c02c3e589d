using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

// The desired count of a service: UpdateService's desiredCount, and Application Auto Scaling's scaling activities.
public sealed partial class SimulatedEcs
{
    /// <summary>The desired count of a service.</summary>
    public int DesiredCount(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            return _world.Find(cluster, serviceName, "DescribeServices").DesiredCount;
        }
    }

    /// <summary>Whether the cluster has the service (Application Auto Scaling checks it on RegisterScalableTarget).</summary>
    internal bool HasService(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            return _world.Services.ContainsKey((cluster, serviceName));
        }
    }

    /// <summary>Sets the service's desired count, as Application Auto Scaling does through UpdateService, and lets the scheduler act.</summary>
    internal void ScaleTo(string cluster, string serviceName, int desiredCount)
    {
        lock (_aws.Gate)
        {
            var service = _world.Find(cluster, serviceName, "UpdateService");
            SetDesiredCount(service, desiredCount);
            _world.Scheduler.Reconcile(service);
        }
    }

    /// <summary>Runs <paramref name="action"/> (under the gate) when the virtual clock reaches now + <paramref name="after"/>.</summary>
    internal void At(TimeSpan after, Action action)
    {
        lock (_aws.Gate)
        {
            _world.At(after, action);
        }
    }

    private void SetDesiredCount(SimService service, int? desiredCount)
    {
        if (desiredCount is not { } count)
        {
            return;
        }
        if (count < 0)
        {
            throw new AwsServiceException("ECS", "UpdateService", "InvalidParameterException", $"Invalid desiredCount {count}: it must be 0 or more.", 400, _aws.NewRequestId());
        }
        service.SteadyStatePending |= service.DesiredCount != count;
        service.DesiredCount = count;
    }
}
