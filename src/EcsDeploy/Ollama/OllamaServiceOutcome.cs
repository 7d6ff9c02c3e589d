namespace EcsDeploy;

/// <summary>What --deploy-ollama did to the Ollama service: the image, the revision rolled out, and how it ended.</summary>
public sealed record OllamaServiceOutcome
{
    /// <summary>The Ollama ECS service.</summary>
    public required string Service { get; init; }
    /// <summary>The image the new revision runs (pinned to its digest when this run pushed it).</summary>
    public required string ImageReference { get; init; }
    /// <summary>The Ollama image this run built and pushed (null when the revision runs the repository's <c>latest</c>).</summary>
    public PushedImage? Image { get; init; }
    /// <summary>The revision registered (or reused) and rolled out.</summary>
    public required string TaskDefinitionArn { get; init; }
    /// <summary>The rollout: deployment id, rollout state, whether the service was rolled back and the revision it ends on.</summary>
    public DeploymentOutcome? Deployment { get; init; }
}
