using EcsDeploy.Discovery;
using EcsDeploy.Hosting;
using EcsDeploy.Rules;

namespace EcsDeploy;

/// <summary>The entry point: <c>Pipeline.For("my-service")</c>.</summary>
public static class Pipeline
{
    /// <summary>Starts a pipeline definition. The name is the default task family, container and ECR repository.</summary>
    public static PipelineBuilder For(string name) => new(name);

    /// <summary>
    /// Starts a pipeline whose names come from Terraform outputs, as the seed's: the cluster (<c>ecs_cluster_name</c>),
    /// the deployed service (<c>ecs_service_name</c>), the ECR repository (<c>ecr_repository_url</c>) and, with
    /// WithOllama, the Ollama service (<c>ollama_service_name</c>), its repository (<c>ecr_ollama_repository_url</c>) and
    /// its load balancer (<c>ollama_alb_dns_name</c>). <paramref name="source"/> says where the outputs are read on
    /// <c>--target aws</c> (a state file, <c>s3://</c> state, or <c>terraform output -json</c> in a folder); on
    /// <c>--target local</c> the simulated AWS holds them. They are read before any AWS call; every missing one is
    /// listed at once (exit 2), and the plan shows each name and the output it came from. A name given in the pipeline
    /// (<c>.OnCluster</c>, <c>d.Service</c>, ...) wins over its output.
    /// </summary>
    public static PipelineBuilder FromTerraform(string name, Action<TerraformSettings>? source = null)
    {
        var builder = new PipelineBuilder(name) { NamesFromTerraform = true };
        return source is null ? builder : builder.WithTerraform(source);
    }
}

/// <summary>
/// A mutable pipeline definition. <see cref="Build"/> validates it whole and freezes it into a
/// <see cref="PipelineDefinition"/>; after that the builder refuses changes.
/// </summary>
public sealed class PipelineBuilder
{
    private readonly List<IPipelineStage> _stages = [];
    private readonly List<IFreezable> _frozenAtBuild = [];
    private readonly TerraformSettings _terraform = new();
    private string _region = "";
    private string? _cluster;
    private bool _preflight = true;
    private PipelineDefinition? _built;

    internal PipelineBuilder(string name) => Name = name;

    /// <summary>The pipeline name.</summary>
    public string Name { get; }

    /// <summary>Whether the names come from Terraform outputs (<see cref="Pipeline.FromTerraform"/>).</summary>
    internal bool NamesFromTerraform { get; init; }

    /// <summary>The AWS region (default: <c>AWS_REGION</c>, then <c>AWS_DEFAULT_REGION</c>).</summary>
    public PipelineBuilder InRegion(string region)
    {
        EnsureNotBuilt();
        _region = region;
        return this;
    }

    /// <summary>The ECS cluster the services run on.</summary>
    public PipelineBuilder OnCluster(string cluster)
    {
        EnsureNotBuilt();
        _cluster = cluster;
        return this;
    }

    /// <summary>
    /// Turns off the preflight every plan runs otherwise: the read-only checks of what AWS would refuse at launch (roles
    /// and their trust, image platform, secrets and JSON keys, log groups, load balancers, Fargate size). The
    /// <c>verify</c> command still runs them.
    /// </summary>
    public PipelineBuilder WithoutPreflight()
    {
        EnsureNotBuilt();
        _preflight = false;
        return this;
    }

    /// <summary>Where Terraform outputs come from (a state file, or the terraform binary in a folder).</summary>
    public PipelineBuilder WithTerraform(Action<TerraformSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        EnsureNotBuilt();
        configure(_terraform);
        return this;
    }

    /// <summary>
    /// Adds a stage. Stage extension methods call this; a third-party stage declares its ordering with
    /// <see cref="PipelineStageAttribute"/> on its extension method and passes the matching descriptor.
    /// </summary>
    public PipelineBuilder AddStage(IPipelineStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        EnsureNotBuilt();
        _stages.Add(stage);
        return this;
    }

    /// <summary>Adds a built-in stage whose options <see cref="Build"/> freezes.</summary>
    internal PipelineBuilder AddStage(IPipelineStage stage, IFreezable options)
    {
        AddStage(stage);
        _frozenAtBuild.Add(options);
        return this;
    }

    /// <summary>Validates the whole definition and freezes it. Throws <see cref="PipelineValidationException"/> listing every problem.</summary>
    public PipelineDefinition Build()
    {
        EnsureNotBuilt();
        var region = _region.Length > 0 ? _region
            : Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "";
        var cluster = _cluster ?? "";
        var definition = new PipelineDefinition(Name, region, cluster, [.. _stages], _terraform.Freeze(), NamesFromTerraform) { Preflight = _preflight };

        var problems = new List<string>();
        NameCheck.Add(problems, AwsNameKind.PipelineName, Name);
        // A pipeline of AWS-free stages only (PR checks) needs neither; one given anyway is still checked.
        var usesAws = _stages.Count == 0 || definition.UsesAws;
        if (region.Length == 0)
        {
            if (usesAws)
            {
                problems.Add("No region: call .InRegion(\"eu-central-1\") or set AWS_REGION.");
            }
        }
        else
        {
            NameCheck.Add(problems, AwsNameKind.Region, region);
        }
        if (_cluster is null)
        {
            if (usesAws && !NamesFromTerraform)
            {
                problems.Add("No cluster: call .OnCluster(\"my-cluster\").");
            }
        }
        else
        {
            NameCheck.Add(problems, AwsNameKind.Cluster, cluster);
        }
        if (_stages.Count == 0)
        {
            problems.Add("The pipeline has no stages: add at least .Deploy(d => d.Service(\"my-service\")).");
        }
        foreach (var problem in StageOrderingRules.Check([.. _stages.Select(s => s.Descriptor.ToOrder())]))
        {
            problems.Add(problem);
        }
        foreach (var stage in _stages)
        {
            stage.Validate(definition, problems);
        }
        definition.Terraform.Validate(problems);

        if (problems.Count > 0)
        {
            throw new PipelineValidationException(Name, problems.Distinct().ToList());
        }
        foreach (var options in _frozenAtBuild)
        {
            options.Freeze();
        }
        _built = definition;
        return definition;
    }

    /// <summary>
    /// Builds the pipeline and runs it on a default <see cref="PipelineHost"/> with the script's command line
    /// (<c>--help</c> lists every option). Returns the exit code: 0 deployed, 1 failed and rolled back, 2 invalid,
    /// 3 needs attention, 130 cancelled.
    /// </summary>
    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
        => new PipelineHost().RunAsync(this, args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, cancellationToken);

    /// <summary>As <see cref="RunAsync(string[], CancellationToken)"/>, on <paramref name="host"/> (its targets, reporters and commands).</summary>
    public Task<int> RunAsync(PipelineHost host, string[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.RunAsync(this, args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, cancellationToken);
    }

    private void EnsureNotBuilt()
    {
        if (_built is not null)
        {
            throw new InvalidOperationException($"Pipeline '{Name}' has already been built; a built definition is immutable. Start a new one with Pipeline.For(...).");
        }
    }
}
