using EcsDeploy.Discovery;
using EcsDeploy.Rules;

namespace EcsDeploy;

/// <summary>
/// An immutable, validated pipeline: what <see cref="PipelineBuilder.Build"/> produces. It can be inspected,
/// planned and run any number of times.
/// </summary>
public sealed class PipelineDefinition
{
    internal PipelineDefinition(string name, string region, string cluster, IReadOnlyList<IPipelineStage> stages, TerraformSettings terraform, bool namesFromTerraform = false)
    {
        Name = name;
        Region = region;
        Cluster = cluster;
        Stages = stages;
        Terraform = terraform;
        NamesFromTerraform = namesFromTerraform;
    }

    /// <summary>
    /// Whether the cluster, services, repositories and the Ollama DNS name come from Terraform outputs
    /// (<see cref="Pipeline.FromTerraform"/>); they are read at run time, before any AWS call (see <see cref="Names"/>).
    /// </summary>
    public bool NamesFromTerraform { get; }

    /// <summary>The names read from Terraform, each with the output it came from; empty until a run has read them.</summary>
    public IReadOnlyList<ResolvedName> Names { get; private init; } = [];

    /// <summary>The value of the Terraform output <paramref name="output"/> this definition took a name from, or null.</summary>
    internal string? NameFrom(string output) => Names.FirstOrDefault(n => n.Output == output)?.Value;

    /// <summary>A copy with the names read from Terraform: the cluster, and the stages that take a name from them.</summary>
    internal PipelineDefinition WithNames(string cluster, IReadOnlyList<IPipelineStage> stages, IReadOnlyList<ResolvedName> names)
        => new(Name, Region, cluster, stages, Terraform, NamesFromTerraform) { Names = names };

    /// <summary>The pipeline name (<c>Pipeline.For(name)</c>); the default family, container and repository.</summary>
    public string Name { get; }
    /// <summary>The AWS region.</summary>
    public string Region { get; }
    /// <summary>The ECS cluster.</summary>
    public string Cluster { get; }
    /// <summary>The stages, in the order they run.</summary>
    public IReadOnlyList<IPipelineStage> Stages { get; }
    /// <summary>Where Terraform outputs are read from.</summary>
    public TerraformSettings Terraform { get; }

    /// <summary>
    /// Whether every plan runs the preflight (the checks of the <c>verify</c> command) before any change; on unless the
    /// pipeline calls <see cref="PipelineBuilder.WithoutPreflight"/>.
    /// </summary>
    public bool Preflight { get; internal init; } = true;

    /// <summary>Whether any stage talks to AWS (false when every stage is an <see cref="IAwsFreeStage"/>).</summary>
    public bool UsesAws => Stages.Any(s => s is not IAwsFreeStage);

    /// <summary>The first stage of the given type, or null.</summary>
    public TStage? Stage<TStage>() where TStage : class => Stages.OfType<TStage>().FirstOrDefault();

    /// <summary>The stage that deploys the pipeline's service (<c>.Deploy(...)</c>), or null.</summary>
    public TaskDefinitions.IDeploysService? DeployedService => Stages.OfType<TaskDefinitions.IDeploysService>().FirstOrDefault();

    /// <summary>The stage that declares it produces <paramref name="output"/>, or null.</summary>
    public IPipelineStage? ProducerOf(string output) => Stages.FirstOrDefault(s => s.Descriptor.DeclaresProduces(output));
}

/// <summary>A name a pipeline took from Terraform: what it names, its value and the output it came from.</summary>
/// <param name="What">What it names (cluster, service, repository, Ollama service, ...).</param>
/// <param name="Value">The name (a repository URL's repository part for repositories).</param>
/// <param name="Output">The Terraform output it came from, or null when the pipeline gives it.</param>
public sealed record ResolvedName(string What, string Value, string? Output);

/// <summary>An invalid pipeline definition: every problem, each with its fix. Nothing was changed.</summary>
public sealed class PipelineValidationException : Exception
{
    /// <summary>Creates the exception from the list of problems.</summary>
    public PipelineValidationException(string pipeline, IReadOnlyList<string> problems)
        : base($"Pipeline '{pipeline}' is invalid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):" + Environment.NewLine
               + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Pipeline = pipeline;
        Problems = problems;
    }

    /// <summary>The pipeline name.</summary>
    public string Pipeline { get; }
    /// <summary>Each problem, naming what is wrong and how to fix it.</summary>
    public IReadOnlyList<string> Problems { get; }
}

/// <summary>Validation helpers shared by the builder and the stages.</summary>
internal static class NameCheck
{
    public static void Add(ICollection<string> problems, AwsNameKind kind, string? value)
    {
        var problem = AwsNamingRules.Check(kind, value);
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }
}
