using EcsDeploy.Hosting;
using EcsDeploy.Reporting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EcsDeploy.Extensions;

/// <summary>How a deploy project runs its pipelines: the script host's options, bound from configuration.</summary>
public sealed class EcsDeployOptions
{
    /// <summary>The configuration section read by default.</summary>
    public const string SectionName = "EcsDeploy";

    /// <summary><c>local</c> (the simulated AWS; needs EcsDeploy.Testing) or <c>aws</c>.</summary>
    public string Target { get; set; } = "aws";
    /// <summary>Plan only.</summary>
    public bool DryRun { get; set; }
    /// <summary>Update services without waiting.</summary>
    public bool NoWait { get; set; }
    /// <summary>Deploy the Ollama service too.</summary>
    public bool DeployOllama { get; set; }
    /// <summary>Deploy the services the deployed one depends on first.</summary>
    public bool DeployDependencies { get; set; }
    /// <summary>Deploy an existing image tag.</summary>
    public string? ImageTag { get; set; }
    /// <summary>The git commit (default: GITHUB_SHA, then git).</summary>
    public string? GitSha { get; set; }
    /// <summary>A fault scenario of the local target.</summary>
    public string? Fault { get; set; }
    /// <summary>The folder relative paths resolve against (default: the current folder).</summary>
    public string? WorkingDirectory { get; set; }
}

/// <summary>Runs pipeline definitions with the registered options and reporters.</summary>
public interface IPipelineExecutor
{
    /// <summary>Builds and runs <paramref name="pipeline"/>; never throws for a failed deployment: read the result's exit code.</summary>
    Task<PipelineResult> RunAsync(PipelineBuilder pipeline, CancellationToken cancellationToken = default);
}

internal sealed class PipelineExecutor(IOptions<EcsDeployOptions> options, IEnumerable<IPipelineReporter> reporters) : IPipelineExecutor
{
    public async Task<PipelineResult> RunAsync(PipelineBuilder pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var settings = options.Value;
        var definition = pipeline.Build();
        var hostOptions = new HostOptions
        {
            Target = settings.Target,
            DryRun = settings.DryRun,
            NoWait = settings.NoWait,
            DeployOllama = settings.DeployOllama,
            DeployDependencies = settings.DeployDependencies,
            ImageTag = settings.ImageTag,
            Fault = settings.Fault,
            GitSha = settings.GitSha,
        };
        var target = DeploymentTargets.Find(settings.Target)
            ?? throw new InvalidOperationException($"No deployment target '{settings.Target}': use 'aws', or 'local' with EcsDeploy.Testing referenced.");
        var aws = await target.CreateAsync(definition, hostOptions, cancellationToken).ConfigureAwait(false);
        return await PipelineRunner.RunAsync(definition, aws, hostOptions.ToRunOptions() with
        {
            WorkingDirectory = settings.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        }, new CompositeReporter([.. reporters]), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Registers EcsDeploy in a deploy project's service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IPipelineExecutor"/>, <see cref="EcsDeployOptions"/> bound from the <c>EcsDeploy</c> section of
    /// <paramref name="configuration"/> (when given) and then <paramref name="configure"/>, and the
    /// <see cref="LoggerReporter"/> that forwards the run's events to ILogger. Add more <see cref="IPipelineReporter"/>s as needed.
    /// </summary>
    public static IServiceCollection AddEcsDeploy(this IServiceCollection services, IConfiguration? configuration = null, Action<EcsDeployOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<EcsDeployOptions>();
        if (configuration is not null)
        {
            builder.Bind(configuration.GetSection(EcsDeployOptions.SectionName));
        }
        if (configure is not null)
        {
            builder.Configure(configure);
        }
        builder.Validate(o => o.Target is "local" or "aws", "EcsDeploy:Target must be 'local' or 'aws'.");
        if (!services.Any(d => d.ServiceType == typeof(IPipelineExecutor)))
        {
            // Logging is the host's to register; without it the reporter writes nowhere rather than failing.
            services.AddSingleton<IPipelineReporter>(sp => new LoggerReporter(sp.GetService<ILogger<LoggerReporter>>() ?? NullLogger<LoggerReporter>.Instance));
            services.AddSingleton<IPipelineExecutor, PipelineExecutor>();
        }
        return services;
    }
}
