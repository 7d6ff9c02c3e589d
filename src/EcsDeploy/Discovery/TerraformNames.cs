using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Images;
using EcsDeploy.Ollama;
using EcsDeploy.Rules;

namespace EcsDeploy.Discovery;

/// <summary>
/// <c>Pipeline.FromTerraform</c>: reads the names the seed's Terraform outputs give (cluster, services, repositories,
/// the Ollama load balancer) before any AWS call, lists every missing output at once, and gives the definition those
/// names. A name the pipeline gives itself (<c>.OnCluster</c>, <c>d.Service</c>, <c>p.Repository</c>, ...) wins.
/// </summary>
internal static class TerraformNames
{
    public const string Cluster = "ecs_cluster_name";
    public const string Service = "ecs_service_name";
    public const string Repository = "ecr_repository_url";
    public const string OllamaService = "ollama_service_name";
    public const string OllamaRepository = "ecr_ollama_repository_url";
    public const string OllamaDns = "ollama_alb_dns_name";
    public const string AlternateTargetGroup = "alternate_target_group_arn";
    public const string ProductionListenerRule = "production_listener_rule_arn";
    public const string TestListenerRule = "test_listener_rule_arn";
    public const string InfrastructureRole = "ecs_infrastructure_role_arn";

    private const string AlternateTargetGroupWhat = "alternate target group";
    private const string ProductionListenerRuleWhat = "production listener rule";
    private const string TestListenerRuleWhat = "test listener rule";
    private const string InfrastructureRoleWhat = "infrastructure role";

    /// <summary>The plan entry's name.</summary>
    public const string PlanName = "Names";

    /// <summary>The definition with its names read from Terraform; the definition itself when it takes none (or has them).</summary>
    public static async Task<PipelineDefinition> ResolveAsync(PipelineDefinition definition, ITerraformOutputs? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!definition.NamesFromTerraform || definition.Names.Count > 0)
        {
            return definition;
        }
        var wanted = Wanted(definition);
        var needed = wanted.Where(w => w.Given is null).ToList();
        IReadOnlyDictionary<string, TerraformOutput> outputs = new Dictionary<string, TerraformOutput>();
        if (needed.Count > 0)
        {
            var list = string.Join(", ", needed.Select(w => w.Output));
            if (source is null)
            {
                throw new PipelineStageException(
                    $"Pipeline.FromTerraform: the names come from the Terraform outputs {list}, but no Terraform source is set: "
                    + "give one, for example Pipeline.FromTerraform(name, t => t.StateFile(\"terraform/terraform.tfstate\")) or t.Project(\"terraform\").",
                    FailureKind.Invalid);
            }
            outputs = await source.ReadAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new PipelineStageException(
                    $"Pipeline.FromTerraform: the names come from the Terraform outputs {list}, but {source.Source} gives none "
                    + "(no state there, or no terraform program): run terraform apply, or point the pipeline at the state.", FailureKind.Invalid);
            var missing = needed.Where(w => Text(outputs, w.Output) is null).ToList();
            if (missing.Count > 0)
            {
                throw new PipelineStageException(
                    $"Pipeline.FromTerraform: {source.Source} lacks {(missing.Count == 1 ? "the output" : "the outputs")} "
                    + string.Join(", ", missing.Select(w => $"{w.Output} (the {w.What})"))
                    + $": add {(missing.Count == 1 ? "it" : "them")} to your Terraform configuration (output \"{missing[0].Output}\" {{ value = ... }}) and run terraform apply, "
                    + "or give the name in the pipeline.",
                    FailureKind.Invalid);
            }
        }

        var names = wanted.Select(w => w.Given is { } given
            ? new ResolvedName(w.What, given, null)
            : new ResolvedName(w.What, w.IsRepository ? RepositoryName(Text(outputs, w.Output)!) : Text(outputs, w.Output)!, w.Output)).ToList();
        var problems = new List<string>();
        foreach (var (name, want) in names.Zip(wanted))
        {
            if (want.Kind is { } kind && AwsNamingRules.Check(kind, name.Value) is { } problem)
            {
                problems.Add(name.Output is null ? problem : $"{problem} (from Terraform output {name.Output})");
            }
        }
        if (problems.Count > 0)
        {
            throw new PipelineStageException("Pipeline.FromTerraform: " + string.Join(" ", problems), FailureKind.Invalid);
        }
        var cluster = names.First(n => n.What == "cluster").Value;
        var service = names.FirstOrDefault(n => n.What == "service")?.Value;
        string? Named(string what) => names.FirstOrDefault(n => n.What == what)?.Value;
        IReadOnlyList<IPipelineStage> stages = [.. definition.Stages.Select(s => s is DeployStage deploy && (deploy.Options.ServiceName is null && service is not null || deploy.Options.Traffic is { FromTerraformOutputs: true })
            ? new DeployStage(deploy.Options)
            {
                ServiceFromTerraform = deploy.Options.ServiceName is null ? service : null,
                RoutingFromTerraform = deploy.Options.Traffic is { FromTerraformOutputs: true }
                    ? new AdvancedConfiguration
                    {
                        AlternateTargetGroupArn = Named(AlternateTargetGroupWhat),
                        ProductionListenerRule = Named(ProductionListenerRuleWhat),
                        TestListenerRule = Named(TestListenerRuleWhat),
                        RoleArn = Named(InfrastructureRoleWhat),
                    }
                    : null,
            }
            : s)];
        return definition.WithNames(cluster, stages, names);
    }

    /// <summary>The definition with '*' for each name Terraform would give (for an IAM policy printed without the outputs).</summary>
    public static PipelineDefinition Wildcards(PipelineDefinition definition)
    {
        if (!definition.NamesFromTerraform || definition.Names.Count > 0)
        {
            return definition;
        }
        var names = Wanted(definition).Select(w => new ResolvedName(w.What, w.Given ?? "*", w.Given is null ? w.Output : null)).ToList();
        IReadOnlyList<IPipelineStage> stages = [.. definition.Stages.Select(s => s is DeployStage deploy && (deploy.Options.ServiceName is null || deploy.Options.Traffic is { FromTerraformOutputs: true })
            ? new DeployStage(deploy.Options)
            {
                ServiceFromTerraform = deploy.Options.ServiceName is null ? "*" : null,
                RoutingFromTerraform = deploy.Options.Traffic is { FromTerraformOutputs: true } traffic
                    ? new AdvancedConfiguration { AlternateTargetGroupArn = "*", ProductionListenerRule = "*", TestListenerRule = "*", RoleArn = traffic.RoleArn ?? "*" }
                    : null,
            }
            : s)];
        return definition.WithNames(names[0].Value, stages, names);
    }

    /// <summary>The plan's entry for the names: each name and where it came from.</summary>
    public static StagePlan? Plan(PipelineDefinition definition, string? source)
    {
        if (definition.Names.Count == 0)
        {
            return null;
        }
        static string From(ResolvedName n) => n.Output is null ? "given in the pipeline" : $"Terraform output {n.Output}";
        return new StagePlan(PlanName, $"from {source ?? "Terraform"}: " + string.Join(", ", definition.Names.Select(n => $"{n.What} {n.Value}")))
        {
            Details = [.. definition.Names.Select(n => new KeyValuePair<string, string>(n.What, $"{n.Value} ({From(n)})"))],
        };
    }

    private static List<WantedName> Wanted(PipelineDefinition definition)
    {
        var wanted = new List<WantedName> { new("cluster", Cluster, definition.Cluster.Length > 0 ? definition.Cluster : null, AwsNameKind.Cluster) };
        if (definition.Stage<DeployStage>() is { } deploy)
        {
            wanted.Add(new("service", Service, deploy.Options.ServiceName, AwsNameKind.Service));
            if (deploy.Options.Traffic is { FromTerraformOutputs: true } traffic)
            {
                // lb.FromTerraform(): the blue/green, linear and canary resources; an ARN given in the pipeline wins.
                wanted.Add(new(AlternateTargetGroupWhat, AlternateTargetGroup, traffic.AlternateTargetGroupArn, null));
                wanted.Add(new(ProductionListenerRuleWhat, ProductionListenerRule, traffic.ProductionListenerRuleArn, null));
                if (deploy.Options.TestTrafficChecks is not null || traffic.TestListenerRuleArn is not null)
                {
                    wanted.Add(new(TestListenerRuleWhat, TestListenerRule, traffic.TestListenerRuleArn, null));
                }
                wanted.Add(new(InfrastructureRoleWhat, InfrastructureRole, traffic.RoleArn, null));
            }
        }
        if (definition.Stage<PushStage>() is { } push)
        {
            wanted.Add(new("repository", Repository, push.Options.RepositoryName, AwsNameKind.EcrRepository) { IsRepository = true });
        }
        if (definition.Stage<OllamaStage>() is { } ollama)
        {
            wanted.Add(new("Ollama service", OllamaService, ollama.Options.ServiceName, AwsNameKind.Service));
            wanted.Add(new("Ollama repository", OllamaRepository, ollama.Options.RepositoryName, AwsNameKind.EcrRepository) { IsRepository = true });
            wanted.Add(new("Ollama load balancer", ollama.Options.TerraformOutputName, null, null));
        }
        return wanted;
    }

    private static string? Text(IReadOnlyDictionary<string, TerraformOutput> outputs, string name)
        => outputs.TryGetValue(name, out var output) && output.Value.ValueKind == JsonValueKind.String && output.Value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary><c>123456789012.dkr.ecr.eu-central-1.amazonaws.com/name</c> → <c>name</c>; a plain name stays as it is.</summary>
    internal static string RepositoryName(string url)
    {
        var slash = url.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && url[..slash].Contains('.', StringComparison.Ordinal) ? url[(slash + 1)..] : url;
    }
}

/// <summary>A name the pipeline takes from a Terraform output, unless it gives it.</summary>
internal sealed record WantedName(string What, string Output, string? Given, AwsNameKind? Kind)
{
    public bool IsRepository { get; init; }
}
