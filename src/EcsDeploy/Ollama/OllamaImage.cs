using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Build;
using EcsDeploy.Images.Builders;
using EcsDeploy.Processes;
using EcsDeploy.Reporting;

namespace EcsDeploy.Ollama;

/// <summary>
/// --deploy-ollama with <c>o.Image(folder)</c>: builds the Ollama image with the builder the Build stage would pick and
/// pushes it to the Ollama repository, tagged with the git SHA and <c>latest</c>. A builder that runs RUN steps (docker,
/// buildah) builds <c>Dockerfile</c>, which pulls the model at build time (<c>--build-arg OLLAMA_MODEL</c>); the
/// daemonless builder, which runs none, builds <c>Dockerfile.pull</c>, whose entrypoint pulls the model at start, and the
/// revision's container health check waits for it.
/// </summary>
internal static class OllamaImage
{
    private static readonly OutputKey<OllamaImagePlan> PlanKey = new("ollama image plan");

    /// <summary>The image this run plans to build, when it builds one.</summary>
    public static OllamaImagePlan? Planned(PipelineContext context) => context.Get(PlanKey);

    /// <summary>The build argument the baking Dockerfile reads.</summary>
    public const string ModelArgument = "OLLAMA_MODEL";

    /// <summary>The container health check of an Ollama revision: healthy once <c>ollama show</c> finds the model.</summary>
    public static HealthCheck HealthCheck(bool pullAtStart) => new()
    {
        Command = ["CMD-SHELL", "ollama show \"$OLLAMA_MODEL\" > /dev/null 2>&1 || exit 1"],
        Interval = 15,
        Timeout = 10,
        Retries = pullAtStart ? 20 : 3,
        // ECS's largest start period: a pull of a small model fits in it; the retries give a larger one the rest.
        StartPeriod = pullAtStart ? 300 : 30,
    };

    /// <summary>Picks the builder and the Dockerfile, for the plan; null when the stage builds no Ollama image.</summary>
    public static async Task<OllamaImagePlan?> PlanAsync(PipelineContext context, OllamaOptions options, string repository, CancellationToken cancellationToken)
    {
        if (options.ImageDirectory is null || !context.Options.DeployOllama || context.Options.ImageTag is not null)
        {
            return null;
        }
        var directory = Path.GetFullPath(options.ImageDirectory, context.Options.WorkingDirectory);
        var requested = context.Definition.Stage<BuildStage>()?.Options.BuilderKind ?? ImageBuilderKind.Auto;
        var choice = await ImageBuilderSelector.ChooseAsync(requested, context.Aws.IsLocal, ImageBuilderSelector.DefaultBuilders(new ProcessRunner()), cancellationToken).ConfigureAwait(false);
        var pullAtStart = choice.Builder.Kind == ImageBuilderKind.Daemonless;
        var dockerfile = Path.Combine(directory, pullAtStart ? options.PullDockerfile : options.BakeDockerfile);
        if (!File.Exists(dockerfile))
        {
            throw new PipelineStageException(
                $"Ollama image: '{dockerfile}' does not exist. The {choice.Builder.Kind.ToString().ToLowerInvariant()} builder "
                + (pullAtStart ? "runs no RUN step, so it builds the Dockerfile whose entrypoint pulls the model at start" : "runs RUN steps, so it builds the Dockerfile that pulls the model at build time")
                + ": add it, or fix o.Image(...).", FailureKind.Invalid);
        }
        if (pullAtStart)
        {
            // Unsupported instructions fail here, before any AWS call.
            await DaemonlessImageBuilder.ParseAsync(dockerfile, cancellationToken).ConfigureAwait(false);
        }
        var plan = new OllamaImagePlan(choice, dockerfile, repository, pullAtStart);
        context.Set(PlanKey, plan);
        return plan;
    }

    /// <summary>Builds and pushes the image planned by <see cref="PlanAsync"/>, or returns null when none was planned.</summary>
    public static async Task<PushedImage?> BuildAndPushAsync(PipelineContext context, string model, CancellationToken cancellationToken)
    {
        if (context.Get(PlanKey) is not { } plan)
        {
            return null;
        }
        var output = Path.Combine(Path.GetTempPath(), "ecsdeploy", Guid.NewGuid().ToString("n"));
        var request = new ImageBuildRequest(Path.GetDirectoryName(plan.Dockerfile)!, plan.Dockerfile, output)
        {
            OfflineTarget = context.Aws.IsLocal,
            BaseImage = context.Definition.Stage<BuildStage>()?.Options.BaseImageSettings ?? new BaseImageSettings(),
            BuildArguments = new Dictionary<string, string>(StringComparer.Ordinal) { [ModelArgument] = model },
            OnOutput = line => context.Report(new CommandOutput(context.Time.GetUtcNow(), context.CurrentStage, "ollama image build", line)),
        };
        try
        {
            var built = await plan.Choice.Builder.BuildAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var warning in built.Warnings)
            {
                context.Warn("Ollama image: " + warning);
            }
            var sha = await Images.GitCommit.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            var pushed = await PushAsync(context, built.Image, plan.Repository, [sha, "latest"], cancellationToken).ConfigureAwait(false);
            context.Info($"Ollama image: {built.Builder} build of {Path.GetFileName(plan.Dockerfile)} pushed as {pushed.Reference} (tags: {string.Join(", ", pushed.Tags)}); "
                + (plan.PullAtStart ? $"the entrypoint pulls {model} at start" : $"{model} baked in"));
            return pushed;
        }
        finally
        {
            try
            {
                Directory.Delete(output, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // The builder wrote nothing.
            }
        }
    }

    /// <summary>Blobs the repository lacks, the manifest under the first tag, the other tags through ECR's PutImage.</summary>
    private static async Task<PushedImage> PushAsync(PipelineContext context, Images.OciImage image, string repositoryName, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var repository = (await context.Aws.Ecr.DescribeRepositoriesAsync([repositoryName], cancellationToken).ConfigureAwait(false))[0];
        var registry = await context.Aws.OpenRegistryAsync(cancellationToken).ConfigureAwait(false);
        foreach (var blob in image.Blobs)
        {
            if (!await registry.BlobExistsAsync(repositoryName, blob.Digest, cancellationToken).ConfigureAwait(false))
            {
                await BlobTransfer.SendAsync(registry, repositoryName, blob, cancellationToken).ConfigureAwait(false);
            }
        }
        var digest = await registry.PutManifestAsync(repositoryName, tags[0], image.MediaType, image.Manifest, cancellationToken).ConfigureAwait(false);
        if (digest != image.ManifestDigest)
        {
            throw new PipelineStageException($"Registry stored the Ollama manifest as {digest} but it hashes to {image.ManifestDigest}: the registry altered it.", FailureKind.NeedsAttention);
        }
        var manifest = Encoding.UTF8.GetString(image.Manifest);
        foreach (var tag in tags.Skip(1))
        {
            try
            {
                await context.Aws.Ecr.PutImageAsync(new PutImageRequest(repositoryName, manifest, image.MediaType, tag, image.ManifestDigest), cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ImageAlreadyExistsException")
            {
                // Same manifest, same tag: a re-run.
            }
        }
        return new PushedImage(repositoryName, repository.RepositoryUri, image.ManifestDigest, tags);
    }
}

/// <summary>The Ollama image a run builds: the builder, the Dockerfile, the repository and where the model comes from.</summary>
internal sealed record OllamaImagePlan(BuilderChoice Choice, string Dockerfile, string Repository, bool PullAtStart)
{
    public string Describe(string model)
    {
        var kind = Choice.Builder.Kind.ToString().ToLowerInvariant();
        return PullAtStart
            ? $"{kind} build of {Path.GetFileName(Dockerfile)} ({kind} runs no RUN step): the entrypoint pulls {model} at start and the container health check (ollama show) waits for it"
            : $"{kind} build of {Path.GetFileName(Dockerfile)}: {model} baked in at build time (RUN ollama pull, --build-arg {OllamaImage.ModelArgument}={model})";
    }
}
