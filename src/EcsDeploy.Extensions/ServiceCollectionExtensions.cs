using EcsDeploy.Hosting;
using EcsDeploy.Reporting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcsDeploy.Extensions;

/// <summary>Registers EcsDeploy in a deploy project's service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IPipelineExecutor"/>; <see cref="HostOptions"/> (the options of a script's command line, with the
    /// same defaults: <c>Target</c> is <c>local</c> unless set) bound from the <c>EcsDeploy</c> section of
    /// <paramref name="configuration"/> (when given) and then <paramref name="configure"/>; a <see cref="PipelineHost"/>
    /// (register your own to give it targets, for example a <c>LocalTarget</c> instance); and the
    /// <see cref="LoggerReporter"/> that forwards the run's events to ILogger. Add more <see cref="IPipelineReporter"/>s as needed.
    /// The options are checked when a pipeline runs, by the same rules as a script's command line: a problem gives a
    /// result with <see cref="RunOutcome.Invalid"/> (exit code 2) that names the setting (<c>EcsDeploy:Target</c>).
    /// </summary>
    public static IServiceCollection AddEcsDeploy(this IServiceCollection services, IConfiguration? configuration = null, Action<HostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<HostOptions>();
        if (configuration is not null)
        {
            builder.Bind(configuration.GetSection(HostOptions.SectionName));
        }
        if (configure is not null)
        {
            builder.Configure(configure);
        }
        services.TryAddSingleton<PipelineHost>(_ => new PipelineHost());
        if (!services.Any(d => d.ServiceType == typeof(IPipelineExecutor)))
        {
            // Logging is the host's to register; without it the reporter writes nowhere rather than failing.
            services.AddSingleton<IPipelineReporter>(sp => new LoggerReporter(sp.GetService<ILogger<LoggerReporter>>() ?? NullLogger<LoggerReporter>.Instance));
            services.AddSingleton<IPipelineExecutor, PipelineExecutor>();
        }
        return services;
    }
}
