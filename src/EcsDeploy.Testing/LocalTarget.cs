using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>The scripts' <c>--target local</c>: a simulated AWS seeded from the pipeline's own names.</summary>
public sealed class LocalTarget : global::EcsDeploy.Hosting.IDeploymentTarget
{
    /// <summary>The simulated AWS of the last run (for tests of the script host).</summary>
    public static SimulatedAws? LastCreated { get; private set; }

    /// <inheritdoc />
    public Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, global::EcsDeploy.Hosting.HostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        var aws = new SimulatedAws(region: definition.Region);
        Seed.Apply(aws, SeedSpec.From(definition));
        if (options.Fault is not null)
        {
            aws.Faults.Arm(options.Fault);
        }
        LastCreated = aws;
        return Task.FromResult(aws.CreateEnvironment());
    }
}
