using EcsDeploy.Aws;
using EcsDeploy.Images;

namespace EcsDeploy;

/// <summary>An image in a registry: the exact digest, the tags it carries, and the reference a task definition uses.</summary>
public sealed record PushedImage(string RepositoryName, string RepositoryUri, string Digest, IReadOnlyList<string> Tags)
{
    /// <summary><c>REPOSITORY_URI@sha256:...</c>: pinned to the digest, so every task runs the same bytes.</summary>
    public string Reference => $"{RepositoryUri}@{Digest}";
}

/// <summary>The Ollama URL and where it came from.</summary>
public sealed record OllamaEndpoint(string Url, string Source)
{
    /// <summary>The model the service must serve (WithOllama's o.Model), for checks.</summary>
    public string? Model { get; init; }
}

/// <summary>A registered task definition and whether this run created it or reused an equal one.</summary>
public sealed record RegisteredTaskDefinition(string Arn, int Revision, bool Reused, TaskDefinition Definition);

/// <summary>How a deployment ended.</summary>
public sealed record DeploymentOutcome
{
    /// <summary>The service.</summary>
    public required string Service { get; init; }
    /// <summary>Our deployment's id.</summary>
    public required string DeploymentId { get; init; }
    /// <summary>Its last rolloutState.</summary>
    public string? RolloutState { get; init; }
    /// <summary>Its last rolloutStateReason.</summary>
    public string? RolloutStateReason { get; init; }
    /// <summary>Whether the service was rolled back (by the circuit breaker or by us).</summary>
    public bool RolledBack { get; init; }
    /// <summary>The task definition the service runs at the end.</summary>
    public string? FinalTaskDefinition { get; init; }
    /// <summary>Whether the result was waited for (false with --no-wait).</summary>
    public bool Confirmed { get; init; }
}

/// <summary>The names of the built-in outputs, as constants for <see cref="PipelineStageAttribute"/>.</summary>
public static class OutputNames
{
    /// <summary>The image the Build stage produced (<see cref="StageOutputs.BuiltImage"/>).</summary>
    public const string BuiltImage = "built image";
    /// <summary>The image in ECR the services will run (<see cref="StageOutputs.Image"/>).</summary>
    public const string Image = "image";
    /// <summary>The ECR scan gate's outcome (<see cref="StageOutputs.ImageScan"/>).</summary>
    public const string ImageScan = "image scan";
    /// <summary>The git commit the run deploys (<see cref="StageOutputs.GitSha"/>).</summary>
    public const string GitSha = "git commit";
    /// <summary>The Ollama endpoint (<see cref="StageOutputs.OllamaUrl"/>).</summary>
    public const string OllamaUrl = "OLLAMA_URL";
    /// <summary>Variables other stages add to the deployed container (<see cref="StageOutputs.ExtraEnvironment"/>).</summary>
    public const string ExtraEnvironment = "extra environment";
    /// <summary>The task definition the service will run (<see cref="StageOutputs.TaskDefinition"/>).</summary>
    public const string TaskDefinition = "task definition";
    /// <summary>The task definition the service ran before this run (<see cref="StageOutputs.PreviousTaskDefinition"/>).</summary>
    public const string PreviousTaskDefinition = "previous task definition";
    /// <summary>Services already rolled out by this run (<see cref="StageOutputs.DeployedServices"/>).</summary>
    public const string DeployedServices = "deployed services";
    /// <summary>How the deployment ended (<see cref="StageOutputs.Deployment"/>).</summary>
    public const string Deployment = "deployment";
}

/// <summary>The typed outputs the built-in stages share.</summary>
public static class StageOutputs
{
    /// <summary>The image the Build stage produced (local, not yet pushed).</summary>
    public static readonly OutputKey<OciImage> BuiltImage = new(OutputNames.BuiltImage);
    /// <summary>The image in ECR the services will run (from Push, or --image-tag).</summary>
    public static readonly OutputKey<PushedImage> Image = new(OutputNames.Image);
    /// <summary>The ECR scan gate's outcome (Push with p.ScanGate()).</summary>
    public static readonly OutputKey<ImageScanReport> ImageScan = new(OutputNames.ImageScan);
    /// <summary>The git commit the run deploys.</summary>
    public static readonly OutputKey<string> GitSha = new(OutputNames.GitSha);
    /// <summary>The Ollama endpoint (WithOllama).</summary>
    public static readonly OutputKey<OllamaEndpoint> OllamaUrl = new(OutputNames.OllamaUrl);
    /// <summary>Variables other stages add to the deployed container (WithOllama adds OLLAMA_*).</summary>
    public static readonly OutputKey<IReadOnlyList<EcsKeyValuePair>> ExtraEnvironment = new(OutputNames.ExtraEnvironment);
    /// <summary>The task definition the service will run.</summary>
    public static readonly OutputKey<RegisteredTaskDefinition> TaskDefinition = new(OutputNames.TaskDefinition);
    /// <summary>The task definition the service ran before this run (the rollback target).</summary>
    public static readonly OutputKey<string> PreviousTaskDefinition = new(OutputNames.PreviousTaskDefinition);
    /// <summary>Services this run has already rolled out (dependencies, the Ollama service), so none is deployed twice.</summary>
    public static readonly OutputKey<IReadOnlyList<string>> DeployedServices = new(OutputNames.DeployedServices);
    /// <summary>What earlier, interrupted runs left behind and this run picked up (a revision, a migration task, a deployment).</summary>
    public static readonly OutputKey<IReadOnlyList<string>> LeftByEarlierRuns = new("left by earlier runs");
    /// <summary>How the deployment ended.</summary>
    public static readonly OutputKey<DeploymentOutcome> Deployment = new(OutputNames.Deployment);
}
