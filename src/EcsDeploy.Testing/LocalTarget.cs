using EcsDeploy.Aws;
using EcsDeploy.Hosting;

namespace EcsDeploy.Testing;

/// <summary>
/// The scripts' <c>--target local</c>: a simulated AWS seeded from the pipeline's own names, with the
/// <c>--fault</c> scenario armed. A host finds it through this assembly's <see cref="DeploymentTargetAttribute"/>; a
/// test registers its own instance (<c>host.Targets.Add("local", target)</c>) and reads <see cref="Created"/>.
/// </summary>
public sealed class LocalTarget : IDeploymentTarget
{
    private readonly Func<PipelineDefinition, SimulatedAws> _create;
    private SimulatedAws? _created;

    /// <summary>A target that creates a simulated AWS seeded with the pipeline's names (<see cref="SeedSpec.From"/>) for each run.</summary>
    public LocalTarget() : this(CreateSeeded)
    {
    }

    /// <summary>A target whose runs use the simulated AWS <paramref name="create"/> returns for the definition.</summary>
    public LocalTarget(Func<PipelineDefinition, SimulatedAws> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
    }

    /// <summary>The simulated AWS this target created last (null before its first run).</summary>
    public SimulatedAws? Created => Volatile.Read(ref _created);

    /// <inheritdoc />
    public Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        var aws = _create(definition);
        if (options.Fault is not null)
        {
            aws.Faults.Arm(options.Fault);
        }
        Volatile.Write(ref _created, aws);
        return Task.FromResult(aws.CreateEnvironment());
    }

    private static SimulatedAws CreateSeeded(PipelineDefinition definition)
    {
        var aws = new SimulatedAws(region: definition.Region);
        Seed.Apply(aws, SeedSpec.From(definition));
        return aws;
    }
}
