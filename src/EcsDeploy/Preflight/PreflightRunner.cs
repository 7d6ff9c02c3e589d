using EcsDeploy.Aws;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy.Preflight;

/// <summary>
/// One service the preflight checks: its name, what the pipeline changes in its task definition (null: checked as it
/// runs), the tag of the image the revision will run (<c>--image-tag</c>; null keeps the running image, unless
/// <paramref name="ImageSkipReason"/> says the image is not known yet).
/// </summary>
internal sealed record PreflightService(string Service, ServiceRevisionSpec? Spec, string? ImageTag, string? ImageSkipReason);

/// <summary>
/// Checks with read-only calls what AWS would refuse when the pipeline's revision launches: the cluster, the network
/// configuration and ports, the Fargate size and platform, the load balancers, the roles and their trust, the image and
/// its platform, the secrets and their JSON keys, the log groups, the service settings, and the alarms the deployment rolls back on. Run by every plan (unless
/// the pipeline turns it off) and by the <c>verify</c> command.
/// </summary>
internal static class PreflightRunner
{
    /// <summary>
    /// The services a run deploys, each checked in its own subtree: the Deploy stage's (with its changes and image),
    /// Ollama's with <c>--deploy-ollama</c>, and with <c>--deploy-dependencies</c> every service of the dependency graph
    /// (<c>d.DependsOn(...)</c>, <c>d.Dependency(...)</c>, the Ollama service of <c>.WithOllama(...)</c>) in the order they
    /// are deployed. A dependency is rolled out on the revision it runs, so that revision is what is checked.
    /// </summary>
    public static IReadOnlyList<PreflightService> ServicesOf(PipelineDefinition definition, RunOptions options, bool imageBuiltByRun)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        var services = new List<PreflightService>();
        void Add(string service)
        {
            if (!services.Any(s => s.Service == service))
            {
                services.Add(new PreflightService(service, null, null, null));
            }
        }
        if (definition.DeployedService?.Target is { } spec)
        {
            services.Add(new PreflightService(spec.Service, spec, options.ImageTag,
                options.ImageTag is null && imageBuiltByRun ? "the run builds and pushes the image, so it is not in ECR yet" : null));
        }
        if (options.DeployOllama && definition.Stage<Ollama.OllamaStage>() is { } ollama)
        {
            Add(ollama.ServiceName(definition));
        }
        if (options.DeployDependencies && definition.DeployedService is Deployments.DeployStage deploy)
        {
            foreach (var dependency in deploy.Graph(definition).DeploymentOrder())
            {
                Add(dependency);
            }
        }
        return services;
    }

    /// <summary>The preflight's report, once it ran.</summary>
    public static readonly OutputKey<PreflightReport> Report = new("preflight report");

    /// <summary>
    /// The preflight of a plan: null when the pipeline turned it off or deploys no service; else the report, also set as
    /// <see cref="Report"/> and reported (a summary line, each failure with its resource and fix, the tree with --verbose).
    /// </summary>
    public static async Task<PreflightReport?> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var definition = context.Definition;
        if (!definition.Preflight || !definition.UsesAws || definition.DeployedService is null)
        {
            return null;
        }
        var builtByRun = definition.ProducerOf(OutputNames.Image) is not null;
        var previousStage = context.CurrentStage;
        context.CurrentStage = Name;
        try
        {
            var report = await RunAsync(context, ServicesOf(definition, context.Options, builtByRun), cancellationToken).ConfigureAwait(false);
            context.Set(Report, report);
            foreach (var line in report.Lines())
            {
                context.Verbose(line);
            }
            var all = report.Services.SelectMany(Leaves).ToList();
            var summary = $"{all.Count(c => c.Status == PreflightStatus.Ok)} ok, {all.Count(c => c.Status == PreflightStatus.Failed)} failed, {all.Count(c => c.Status == PreflightStatus.Skipped)} skipped";
            if (!report.Failed)
            {
                context.Info($"preflight: {summary}");
                return report;
            }
            foreach (var failure in report.Failures)
            {
                context.Report(new Reporting.StageMessage(context.Time.GetUtcNow(), Name,
                    $"{failure.Name}: {failure.Detail}" + (failure.Resource is null ? "" : $" [{failure.Resource}]") + (failure.Fix is null ? "" : $"; fix: {failure.Fix}"), Reporting.MessageLevel.Error));
            }
            context.Info($"preflight: {summary}; nothing was changed (turn the preflight off with .WithoutPreflight(), or run the 'verify' command to see every check)");
            return report;
        }
        finally
        {
            context.CurrentStage = previousStage;
        }
    }

    /// <summary>The name the preflight reports under.</summary>
    public const string Name = "Preflight";

    private static IEnumerable<PreflightCheck> Leaves(PreflightCheck check) => check.Checks.Count == 0 ? [check] : check.Checks.SelectMany(Leaves);

    /// <summary>Runs every check for <paramref name="services"/>.</summary>
    public static async Task<PreflightReport> RunAsync(PipelineContext context, IReadOnlyList<PreflightService> services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var nodes = new List<PreflightCheck>();
        foreach (var service in services)
        {
            nodes.Add(await new ServicePreflight(context, service).RunAsync(cancellationToken).ConfigureAwait(false));
        }
        return new PreflightReport(nodes);
    }
}
