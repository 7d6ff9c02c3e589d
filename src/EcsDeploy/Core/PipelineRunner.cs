using System.Diagnostics;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy;

/// <summary>The outcome of one stage in a run.</summary>
public sealed record StageResult(string Name, StageStatus Status, TimeSpan Duration, string? Message);

/// <summary>The outcome of a run: what a person or a CI system needs to know, with no secret in it.</summary>
public sealed record PipelineResult
{
    /// <summary>The pipeline name.</summary>
    public required string Pipeline { get; init; }
    /// <summary>Where it ran (simulated AWS, or the account and region).</summary>
    public required string Target { get; init; }
    /// <summary>How the run ended (in JSON: deployed, planned, not-confirmed, rolled-back, failed, needs-attention, invalid,
    /// cancelled; for a pipeline of PR checks: checks-passed, checks-failed or checks-incomplete).</summary>
    public required RunOutcome Outcome { get; init; }
    /// <summary>The script host's exit code for <see cref="Outcome"/> (<see cref="ExitCodes.For(RunOutcome)"/>).</summary>
    public int ExitCode => ExitCodes.For(Outcome);
    /// <summary>Why it failed, when it did.</summary>
    public string? Error { get; init; }
    /// <summary>The cluster.</summary>
    public string? Cluster { get; init; }
    /// <summary>The service.</summary>
    public string? Service { get; init; }
    /// <summary>The task definition the run registered or reused.</summary>
    public string? TaskDefinitionArn { get; init; }
    /// <summary>Whether that task definition was an existing equal revision.</summary>
    public bool? TaskDefinitionReused { get; init; }
    /// <summary>The image.</summary>
    public PushedImage? Image { get; init; }
    /// <summary>The ECR scan gate's outcome: status and findings by severity (Push with p.ScanGate()).</summary>
    public ImageScanReport? ImageScan { get; init; }
    /// <summary>OLLAMA_URL and its source.</summary>
    public OllamaEndpoint? Ollama { get; init; }
    /// <summary>The deployment.</summary>
    public DeploymentOutcome? Deployment { get; init; }
    /// <summary>With --deploy-ollama: the Ollama service's image, new revision and rollout (rolled out before the backend).</summary>
    public OllamaServiceOutcome? OllamaService { get; init; }
    /// <summary>Whether a service the run deployed was rolled back (the backend, or with --deploy-ollama the Ollama service).</summary>
    public bool RolledBack { get; init; }
    /// <summary>The task definition the service was rolled back to.</summary>
    public string? RolledBackTo { get; init; }
    /// <summary>Each stage, in order.</summary>
    public IReadOnlyList<StageResult> Stages { get; init; } = [];
    /// <summary>The plan, stage by stage.</summary>
    public IReadOnlyList<StagePlan> Plan { get; init; } = [];
    /// <summary>What earlier, interrupted runs left behind and this run picked up.</summary>
    public IReadOnlyList<string> LeftByEarlierRuns { get; init; } = [];
    /// <summary>Calls retried under the retry policy.</summary>
    public int AwsRetries { get; init; }
    /// <summary>The preflight's checks, one tree per service (null when the pipeline turned it off or deploys no service).</summary>
    public Preflight.PreflightReport? Preflight { get; init; }
    /// <summary>The PR checks' results (TypeCheck, Lint, ...), in order; empty when the pipeline has none.</summary>
    public IReadOnlyList<Checks.CheckResult> Checks { get; init; } = [];
}

/// <summary>Runs a definition: plan every stage (read-only), then execute them in order.</summary>
public static class PipelineRunner
{
    /// <summary>Plans and (unless <see cref="RunOptions.DryRun"/>) executes <paramref name="definition"/> against <paramref name="aws"/>.</summary>
    public static async Task<PipelineResult> RunAsync(PipelineDefinition definition, AwsEnvironment aws, RunOptions options, IPipelineReporter reporter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(aws);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        var masker = options.Masker ?? new SecretMasker();
        // Pipeline.FromTerraform: the names are read before anything else; a missing output ends the run below, unchanged.
        string? namesProblem = null;
        try
        {
            definition = await Discovery.TerraformNames.ResolveAsync(definition, aws.Terraform, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineStageException ex) when (ex.Kind == FailureKind.Invalid)
        {
            namesProblem = ex.Message;
        }
        var context = new PipelineContext(definition, aws, options, reporter, masker);
        var stages = new List<StageResult>();
        var plans = new List<StagePlan>();
        var previousOnRetry = aws.RetryPolicy.OnRetry;
        aws.RetryPolicy.OnRetry = retry => context.Verbose($"AWS {retry.Operation}: {retry.Reason}; retry {retry.Attempt} in {retry.Delay.TotalMilliseconds:0} ms");
        var retriesBefore = aws.RetryPolicy.RetriesMade;

        PipelineResult Finish(RunOutcome outcome, string? error) => BuildResult(context, stages, plans, outcome, error is null ? null : masker.Apply(error), aws.RetryPolicy.RetriesMade - retriesBefore);

        try
        {
            // 1. Plan: read-only calls only. Any problem here ends the run with nothing changed.
            if (namesProblem is not null)
            {
                context.Report(new StageMessage(context.Time.GetUtcNow(), Discovery.TerraformNames.PlanName, namesProblem, MessageLevel.Error));
                return Finish(RunOutcome.Invalid, namesProblem + " Nothing was changed.");
            }
            if (Discovery.TerraformNames.Plan(definition, aws.Terraform?.Source) is { } namesPlan)
            {
                plans.Add(namesPlan);
                context.Report(new StagePlanned(context.Time.GetUtcNow(), namesPlan));
            }
            var stagePlans = plans.Count;
            try
            {
                await Discovery.TerraformOutputCheck.CheckAsync(definition.Terraform, aws.Terraform, cancellationToken).ConfigureAwait(false);
            }
            catch (PipelineStageException ex)
            {
                context.Report(new StageMessage(context.Time.GetUtcNow(), "Terraform", ex.Message, MessageLevel.Error));
                return Finish(RunOutcome.Invalid, ex.Message + " Nothing was changed.");
            }
            // The preflight: what AWS would refuse at launch, checked before any stage plans (Preflight/).
            try
            {
                if (await global::EcsDeploy.Preflight.PreflightRunner.PlanAsync(context, cancellationToken).ConfigureAwait(false) is { Failed: true } failedPreflight)
                {
                    return Finish(RunOutcome.Invalid, $"Preflight: {failedPreflight.Summary()}. Nothing was changed.");
                }
            }
            catch (Exception ex) when (ex is PipelineStageException or AwsServiceException or HttpRequestException)
            {
                var message = $"Preflight: {Describe(ex)}";
                context.Report(new StageMessage(context.Time.GetUtcNow(), global::EcsDeploy.Preflight.PreflightRunner.Name, message, MessageLevel.Error));
                return Finish(ex is PipelineStageException { Kind: FailureKind.Cancelled } ? RunOutcome.Cancelled : RunOutcome.Invalid, message + " Nothing was changed.");
            }
            foreach (var stage in definition.Stages)
            {
                context.CurrentStage = stage.Descriptor.Name;
                try
                {
                    var plan = await stage.PlanAsync(context, cancellationToken).ConfigureAwait(false);
                    plans.Add(plan);
                    context.Report(new StagePlanned(context.Time.GetUtcNow(), plan));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var message = $"{stage.Descriptor.Name} (plan): {Describe(ex)}";
                    context.Report(new StageMessage(context.Time.GetUtcNow(), stage.Descriptor.Name, message, MessageLevel.Error));
                    // Nothing has changed yet: a known problem is the definition's or the environment's (2); an
                    // unexpected error is a plain failure with the service untouched (1).
                    var outcome = ex switch
                    {
                        PipelineStageException { Kind: FailureKind.NeedsAttention } => RunOutcome.NeedsAttention,
                        PipelineStageException { Kind: FailureKind.Cancelled } => RunOutcome.Cancelled,
                        PipelineStageException or AwsServiceException or HttpRequestException => RunOutcome.Invalid,
                        _ => RunOutcome.Failed,
                    };
                    stages.Add(new StageResult(stage.Descriptor.Name, StageStatus.Failed, TimeSpan.Zero, masker.Apply(message)));
                    return Finish(outcome, message + " Nothing was changed.");
                }
            }
            if (options.DryRun)
            {
                stages.AddRange(plans.Skip(stagePlans).Select(p => new StageResult(p.Stage, p.Skipped ? StageStatus.Skipped : StageStatus.Planned, TimeSpan.Zero, p.Summary)));
                return Finish(RunOutcome.Planned, null);
            }

            context.TaskDefinitions.EndPlan();
            // 2. Execute in order; after a failure, the rest are skipped (unless the failure says it does not stop
            // the pipeline, as a failed PR check does: the run then fails once every stage has run).
            PipelineStageException? deferred = null;
            string? deferredStage = null;
            for (var i = 0; i < definition.Stages.Count; i++)
            {
                var stage = definition.Stages[i];
                var name = stage.Descriptor.Name;
                context.CurrentStage = name;
                var plan = plans[stagePlans + i];
                if (plan.Skipped)
                {
                    stages.Add(new StageResult(name, StageStatus.Skipped, TimeSpan.Zero, plan.Summary));
                    context.Report(new StageFinished(context.Time.GetUtcNow(), name, StageStatus.Skipped, TimeSpan.Zero, plan.Summary));
                    continue;
                }
                cancellationToken.ThrowIfCancellationRequested();
                context.Report(new StageStarted(context.Time.GetUtcNow(), name));
                var started = context.Time.GetTimestamp();
                var wall = Stopwatch.StartNew();
                try
                {
                    await stage.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    var elapsed = Elapsed(context, started, wall);
                    stages.Add(new StageResult(name, StageStatus.Succeeded, elapsed, null));
                    context.Report(new StageFinished(context.Time.GetUtcNow(), name, StageStatus.Succeeded, elapsed, null));
                }
                catch (PipelineStageException ex) when (!ex.StopsPipeline)
                {
                    var elapsed = Elapsed(context, started, wall);
                    stages.Add(new StageResult(name, StageStatus.Failed, elapsed, masker.Apply(ex.Message)));
                    context.Report(new StageFinished(context.Time.GetUtcNow(), name, StageStatus.Failed, elapsed, ex.Message));
                    deferred ??= ex;
                    deferredStage ??= name;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var elapsed = Elapsed(context, started, wall);
                    var message = Describe(ex);
                    stages.Add(new StageResult(name, StageStatus.Failed, elapsed, masker.Apply(message)));
                    context.Report(new StageFinished(context.Time.GetUtcNow(), name, StageStatus.Failed, elapsed, message));
                    foreach (var rest in definition.Stages.Skip(i + 1))
                    {
                        stages.Add(new StageResult(rest.Descriptor.Name, StageStatus.Skipped, TimeSpan.Zero, $"not run: {name} failed"));
                    }
                    var kind = ex switch
                    {
                        PipelineStageException stageError => stageError.Kind,
                        // Something this library did not expect, after changes may have started.
                        not (AwsServiceException or HttpRequestException or IOException) => FailureKind.NeedsAttention,
                        // An AWS error after changes may have started: a person should look.
                        _ => context.Get(StageOutputs.TaskDefinition) is null ? FailureKind.Failed : FailureKind.NeedsAttention,
                    };
                    var rolledBack = context.Get(StageOutputs.Deployment)?.RolledBack == true || context.Get(Ollama.OllamaOutputs.Service)?.Deployment?.RolledBack == true;
                    return Finish(OutcomeOf(kind, rolledBack), $"{name}: {message}");
                }
            }
            var checks = context.Get(global::EcsDeploy.Checks.CheckOutputs.Results) ?? [];
            if (deferred is not null)
            {
                var failedChecks = checks.Count(c => c.Status == global::EcsDeploy.Checks.CheckStatus.Failed);
                var outcome = checks.Count == 0 ? OutcomeOf(deferred.Kind, rolledBack: false)
                    : failedChecks > 0 ? RunOutcome.ChecksFailed : RunOutcome.ChecksIncomplete;
                return Finish(outcome, $"{deferredStage}: {deferred.Message}");
            }
            if (checks.Count > 0 && !definition.UsesAws)
            {
                return global::EcsDeploy.Checks.CheckVerdict.NothingChecked(checks) is { } nothing ? Finish(RunOutcome.ChecksIncomplete, nothing) : Finish(RunOutcome.ChecksPassed, null);
            }
            var confirmed = context.Get(StageOutputs.Deployment)?.Confirmed ?? true;
            return Finish(confirmed ? RunOutcome.Deployed : RunOutcome.NotConfirmed, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Finish(RunOutcome.Cancelled, $"Cancelled during {context.CurrentStage}; the service may be mid-deployment: run again to converge.");
        }
        finally
        {
            aws.RetryPolicy.OnRetry = previousOnRetry;
        }
    }

    private static RunOutcome OutcomeOf(FailureKind kind, bool rolledBack) => kind switch
    {
        FailureKind.Invalid => RunOutcome.Invalid,
        FailureKind.NeedsAttention => RunOutcome.NeedsAttention,
        FailureKind.Cancelled => RunOutcome.Cancelled,
        _ => rolledBack ? RunOutcome.RolledBack : RunOutcome.Failed,
    };

    private static TimeSpan Elapsed(PipelineContext context, long started, Stopwatch wall)
    {
        // On a virtual clock the virtual time is what a reader wants (a 4 minute rollout); the wall time is
        // only the simulation's cost. Report whichever is larger.
        var virtualElapsed = context.Time.GetElapsedTime(started);
        return virtualElapsed > wall.Elapsed ? virtualElapsed : wall.Elapsed;
    }

    private static string Describe(Exception ex) => ex switch
    {
        PipelineStageException or AwsServiceException => ex.Message,
        HttpRequestException http => $"network error: {http.Message}",
        IOException io => $"I/O error: {io.Message}",
        _ => $"unexpected {ex.GetType().Name}: {ex.Message} (please report this with --verbose output)",
    };

    private static PipelineResult BuildResult(PipelineContext context, List<StageResult> stages, List<StagePlan> plans, RunOutcome outcome, string? error, int retries)
    {
        var deployment = context.Get(StageOutputs.Deployment);

        var taskDefinition = context.Get(StageOutputs.TaskDefinition);
        var ollamaService = context.Get(Ollama.OllamaOutputs.Service);
        // The backend's rollback, else the Ollama service's (--deploy-ollama: a failed Ollama rollout stops the run before the backend).
        var rolledBack = deployment?.RolledBack == true ? deployment : ollamaService?.Deployment is { RolledBack: true } ollamaDeployment ? ollamaDeployment : null;
        return new PipelineResult
        {
            Pipeline = context.Definition.Name,
            Target = context.Aws.Description,
            Outcome = outcome,
            Error = error,
            Cluster = context.Definition.Cluster,
            Service = deployment?.Service ?? context.Definition.DeployedService?.Target.Service,
            TaskDefinitionArn = taskDefinition?.Arn,
            TaskDefinitionReused = taskDefinition?.Reused,
            Image = context.Get(StageOutputs.Image),
            ImageScan = context.Get(StageOutputs.ImageScan),
            Ollama = context.Get(StageOutputs.OllamaUrl),
            Deployment = deployment,
            OllamaService = ollamaService,
            RolledBack = rolledBack is not null,
            RolledBackTo = rolledBack?.FinalTaskDefinition,
            Stages = stages,
            Plan = [.. plans.Select(p => ((StagePlanned)context.Masker.Mask(new StagePlanned(context.Time.GetUtcNow(), p))).Plan)],
            AwsRetries = retries,
            LeftByEarlierRuns = context.Get(StageOutputs.LeftByEarlierRuns) ?? [],
            Checks = context.Get(global::EcsDeploy.Checks.CheckOutputs.Results) ?? [],
            Preflight = context.Get(global::EcsDeploy.Preflight.PreflightRunner.Report),
        };
    }
}
