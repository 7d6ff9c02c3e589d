using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy;

/// <summary>How one invocation runs (the script host's options that change behaviour, not the definition).</summary>
public sealed record RunOptions
{
    /// <summary>Plan only: read-only calls, nothing changes.</summary>
    public bool DryRun { get; init; }
    /// <summary>Update services but neither wait nor verify.</summary>
    public bool NoWait { get; init; }
    /// <summary>Deploy the Ollama service too (the seed: manual trigger only).</summary>
    public bool DeployOllama { get; init; }
    /// <summary>Deploy the services the deployed service depends on first (its dependency graph).</summary>
    public bool DeployDependencies { get; init; }
    /// <summary>Deploy an image already in the registry under this tag instead of building one.</summary>
    public string? ImageTag { get; init; }
    /// <summary>The git commit the image is tagged with; read from the environment or git when null.</summary>
    public string? GitSha { get; init; }
    /// <summary>
    /// The lifecycle stage (<c>BAKE_TIME</c>, ...) at which the run stops following a blue/green, linear or canary deployment
    /// and leaves it to ECS (<c>--wait-until</c>); null follows it to the end.
    /// </summary>
    public string? WaitUntilStage { get; init; }
    /// <summary>The masker the run registers secret values in (default: a new one); pass one to learn each value as it
    /// is added (<see cref="SecretMasker.Added"/>), as the GitHub Actions reporter does.</summary>
    public SecretMasker? Masker { get; init; }
    /// <summary>The folder relative paths in the definition resolve against.</summary>
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();
}

/// <summary>What stages share during one run: the definition, the AWS environment, outputs and events.</summary>
public sealed class PipelineContext
{
    private readonly Dictionary<string, object> _outputs = new(StringComparer.Ordinal);

    /// <summary>Creates a context.</summary>
    public PipelineContext(PipelineDefinition definition, AwsEnvironment aws, RunOptions options, IPipelineReporter reporter, SecretMasker masker)
    {
        Definition = definition;
        Aws = aws;
        Options = options;
        Masker = masker;
        Reporter = reporter;
        TaskDefinitions = new TaskDefinitions.TaskDefinitionService(this);
        Rollouts = new Deployments.RolloutService(this);
        Tasks = new Tasks.OneOffTaskService(this);
        Secrets = new Secrets.SecretReferenceService(this);
    }

    /// <summary>Reads what services run and registers rendered task definitions idempotently.</summary>
    public TaskDefinitions.TaskDefinitionService TaskDefinitions { get; }
    /// <summary>Rolls services out and follows their deployments.</summary>
    public Deployments.RolloutService Rollouts { get; }
    /// <summary>Runs one-off tasks to completion.</summary>
    public Tasks.OneOffTaskService Tasks { get; }
    /// <summary>Resolves secret references to ARNs.</summary>
    public Secrets.SecretReferenceService Secrets { get; }

    /// <summary>The definition being run.</summary>
    public PipelineDefinition Definition { get; }
    /// <summary>AWS, the registry, Terraform outputs and the clock.</summary>
    public AwsEnvironment Aws { get; }
    /// <summary>The invocation's options.</summary>
    public RunOptions Options { get; }
    /// <summary>The clock.</summary>
    public TimeProvider Time => Aws.TimeProvider;
    /// <summary>Masks every secret value the run ever holds, in every event.</summary>
    public SecretMasker Masker { get; }
    /// <summary>Receives the run's events (already masked).</summary>
    public IPipelineReporter Reporter { get; }

    /// <summary>The stage currently running, for events.</summary>
    public string CurrentStage { get; internal set; } = "";

    /// <summary>Sets an output.</summary>
    public void Set<T>(OutputKey<T> key, T value) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_outputs) { _outputs[key.Name] = value; }
    }

    /// <summary>Reads an output, or default when no stage has set it.</summary>
    public T? Get<T>(OutputKey<T> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_outputs) { return _outputs.TryGetValue(key.Name, out var value) ? (T)value : default; }
    }

    /// <summary>Reads an output a stage must have set, with a clear error when none did.</summary>
    public T Require<T>(OutputKey<T> key, string remedy) where T : notnull
        => Get(key) ?? throw new PipelineStageException($"No stage produced {key.Name}: {remedy}", FailureKind.Invalid);

    /// <summary>Reports an event through the masker.</summary>
    public void Report(PipelineEvent pipelineEvent) => Reporter.Report(Masker.Mask(pipelineEvent));

    /// <summary>Records something an earlier, interrupted run left behind that this run picked up, for the result.</summary>
    public void NoteLeftByEarlierRun(string what)
    {
        lock (_outputs)
        {
            var list = Get(StageOutputs.LeftByEarlierRuns) ?? [];
            Set(StageOutputs.LeftByEarlierRuns, [.. list, what]);
        }
        Info(what);
    }

    /// <summary>Reports an informational line of the current stage.</summary>
    public void Info(string message) => Report(new StageMessage(Time.GetUtcNow(), CurrentStage, message, MessageLevel.Info));

    /// <summary>Reports a detail shown with --verbose.</summary>
    public void Verbose(string message) => Report(new StageMessage(Time.GetUtcNow(), CurrentStage, message, MessageLevel.Verbose));

    /// <summary>Reports a warning.</summary>
    public void Warn(string message) => Report(new StageMessage(Time.GetUtcNow(), CurrentStage, message, MessageLevel.Warning));
}
