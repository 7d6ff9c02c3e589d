using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

public sealed partial class SimulatedEcs
{
    /// <summary>Sets (or, with null, removes) a service's network configuration: a service created without one has none.</summary>
    public void SetNetworkConfiguration(string cluster, string serviceName, NetworkConfiguration? configuration)
    {
        lock (_aws.Gate)
        {
            _world.Find(cluster, serviceName, "UpdateService").NetworkConfiguration = configuration;
        }
    }
}
