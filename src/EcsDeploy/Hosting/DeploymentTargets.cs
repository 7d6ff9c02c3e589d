using EcsDeploy.Aws;

namespace EcsDeploy.Hosting;

/// <summary>
/// Builds an <see cref="AwsEnvironment"/> for a target. EcsDeploy provides <c>aws</c>; EcsDeploy.Testing provides
/// <c>local</c> (the simulated AWS). Register targets on the host (<see cref="PipelineHost.Targets"/>).
/// </summary>
public interface IDeploymentTarget
{
    /// <summary>Creates the environment the run talks to.</summary>
    Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken);
}

/// <summary>
/// Declares, on an assembly, a deployment target the host finds by name when none is registered under that name:
/// the fallback that lets a script get <c>--target local</c> by referencing EcsDeploy.Testing.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class DeploymentTargetAttribute(string name, Type targetType) : Attribute
{
    /// <summary>The <c>--target</c> name.</summary>
    public string Name { get; } = name;
    /// <summary>A type implementing <see cref="IDeploymentTarget"/> with a public parameterless constructor.</summary>
    public Type TargetType { get; } = targetType;
}

/// <summary>
/// The deployment targets of one host, by name. Registered targets come first; a name nobody registered is looked
/// up once among the assemblies' <see cref="DeploymentTargetAttribute"/>s (the fallback).
/// </summary>
public sealed class DeploymentTargets
{
    private readonly Dictionary<string, IDeploymentTarget> _registered = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Registers <paramref name="target"/> under <paramref name="name"/>, replacing any earlier one; returns this registry.</summary>
    public DeploymentTargets Add(string name, IDeploymentTarget target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate) { _registered[name] = target; }
        return this;
    }

    /// <summary>The names of the registered targets.</summary>
    public IReadOnlyList<string> Registered
    {
        get { lock (_gate) { return [.. _registered.Keys]; } }
    }

    /// <summary>The names <c>--target</c> accepts: the built-in ones and every registered one.</summary>
    public IReadOnlyList<string> Names => [.. HostOptions.BuiltInTargets.Concat(Registered).Distinct(StringComparer.Ordinal)];

    /// <summary>The target registered under <paramref name="name"/>, else the one an assembly announces; null when there is none.</summary>
    public IDeploymentTarget? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (_registered.TryGetValue(name, out var target))
            {
                return target;
            }
        }
        var discovered = PluginDiscovery.FindTarget(name);
        if (discovered is not null)
        {
            lock (_gate) { _registered.TryAdd(name, discovered); }
        }
        return discovered;
    }
}
