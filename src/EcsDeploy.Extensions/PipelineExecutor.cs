using EcsDeploy.Hosting;
using EcsDeploy.Reporting;
using Microsoft.Extensions.Options;

namespace EcsDeploy.Extensions;

/// <summary>Runs pipeline definitions with the registered <see cref="HostOptions"/>, host and reporters.</summary>
public interface IPipelineExecutor
{
    /// <summary>
    /// Builds and runs <paramref name="pipeline"/> on the registered <see cref="PipelineHost"/>, as a script's
    /// <c>RunAsync(args)</c> would with the same options. Never throws for a failed or invalid run: an invalid
    /// definition, invalid options or a missing credential give <see cref="RunOutcome.Invalid"/> (exit code 2) with
    /// the problems in <see cref="PipelineResult.Error"/>.
    /// </summary>
    Task<PipelineResult> RunAsync(PipelineBuilder pipeline, CancellationToken cancellationToken = default);
}

internal sealed class PipelineExecutor(PipelineHost host, IOptions<HostOptions> options, IEnumerable<IPipelineReporter> reporters) : IPipelineExecutor
{
    public Task<PipelineResult> RunAsync(PipelineBuilder pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return host.RunPipelineAsync(pipeline, options.Value, new CompositeReporter([.. reporters]), cancellationToken);
    }
}
