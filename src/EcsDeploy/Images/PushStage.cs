using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Images;
using EcsDeploy.Processes;
using EcsDeploy.Rules;

namespace EcsDeploy
{
    /// <summary>Options of the Push stage.</summary>
    public sealed partial class PushOptions : IFreezable
    {
        private readonly FreezeGuard _freeze = new("Push");

        void IFreezable.Freeze()
        {
            _freeze.Freeze();
            (Scan as IFreezable)?.Freeze();
        }

        /// <summary>A tag placeholder replaced by the full git commit SHA at run time.</summary>
        public const string GitSha = "{git-sha}";

        internal string? RepositoryName { get; private set; }
        internal List<string> TagList { get; private set; } = [GitSha, "latest"];

        /// <summary>The ECR repository (default: the pipeline name).</summary>
        public PushOptions Repository(string name)
        {
            _freeze.EnsureMutable();
            RepositoryName = name;
            return this;
        }

        /// <summary>The tags to push (default: the git SHA and <c>latest</c>).</summary>
        public PushOptions Tags(params string[] tags)
        {
            _freeze.EnsureMutable();
            TagList = [.. tags];
            return this;
        }
    }

    /// <summary>Adds the Push stage.</summary>
    public static class PushExtensions
    {
        /// <summary>Pushes the built image to ECR, tagged with the git SHA and <c>latest</c> by default.</summary>
        [PipelineStage("Push", Uses = [OutputNames.BuiltImage], Produces = [OutputNames.Image, OutputNames.GitSha, OutputNames.ImageScan])]
        public static PipelineBuilder Push(this PipelineBuilder pipeline, Action<PushOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            var options = new PushOptions();
            configure?.Invoke(options);
            return pipeline.AddStage(new PushStage(options), options);
        }
    }
}

namespace EcsDeploy.Images
{
    internal sealed partial class PushStage(PushOptions options) : IPipelineStage, Iam.IDeclaresIamPermissions
    {
        /// <summary>ECR: the repository (describe, push layers and manifests, tag, find --image-tag), and the registry login.</summary>
        public IEnumerable<Iam.IamGrant> IamGrants(Iam.IamScope scope) =>
        [
            new("PushToRepository",
                ["ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
                [scope.Arn("ecr", "repository/" + Repository(scope.Definition))]),
            new("RegistryLogin", ["ecr:GetAuthorizationToken"], ["*"]),
            .. ScanAndLifecycleGrants(scope),
        ];

        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(PushExtensions), nameof(PushExtensions.Push));

        public StageDescriptor Descriptor => Stage;

        public PushOptions Options => options;

        /// <summary>p.Repository(...), else the one Terraform's <c>ecr_repository_url</c> names (Pipeline.FromTerraform), else the pipeline name.</summary>
        public string Repository(PipelineDefinition definition) => options.RepositoryName ?? definition.NameFrom(Discovery.TerraformNames.Repository) ?? definition.Name;

        public void Validate(PipelineDefinition definition, ICollection<string> problems)
        {
            NameCheck.Add(problems, AwsNameKind.EcrRepository, Repository(definition));
            if (options.TagList.Count == 0)
            {
                problems.Add("Push: no tags: keep the default (git SHA and latest) or give p.Tags(PushOptions.GitSha, \"latest\").");
            }
            foreach (var tag in options.TagList.Where(t => t != PushOptions.GitSha))
            {
                NameCheck.Add(problems, AwsNameKind.ImageTag, tag);
            }
            ValidateScanAndLifecycle(problems);
        }

        public async Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var repositoryName = Repository(context.Definition);
            var repositories = await context.Aws.Ecr.DescribeRepositoriesAsync([repositoryName], cancellationToken).ConfigureAwait(false);
            var repository = repositories[0];
            if (context.Options.ImageTag is { } existingTag)
            {
                var image = await ResolveExistingAsync(context, repository, existingTag, cancellationToken).ConfigureAwait(false);
                context.Set(StageOutputs.Image, image);
                await CheckExistingImageScanAsync(context, image, cancellationToken).ConfigureAwait(false);
                return new StagePlan(Stage.Name, $"skipped: deploying {repository.RepositoryUri}:{existingTag} ({image.Digest})") { Skipped = true };
            }
            var sha = await GitCommit.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            var tags = Tags(sha);
            if (repository.ImageTagMutability == "IMMUTABLE" && tags.Contains("latest"))
            {
                throw new PipelineStageException(
                    $"ECR repository '{repositoryName}' has immutable tags, so 'latest' cannot move to a new image: push only immutable tags (p.Tags(PushOptions.GitSha)) or make the repository's tags MUTABLE.",
                    FailureKind.Invalid);
            }
            var (scanDetails, scanSummary) = await PlanScanAndLifecycleAsync(context, repository, tags, cancellationToken).ConfigureAwait(false);
            return new StagePlan(Stage.Name, $"push to {repository.RepositoryUri} as {string.Join(", ", tags)}{scanSummary}")
            {
                Details = [new("repository", repository.RepositoryUri), new("tags", string.Join(", ", tags)), .. scanDetails],
            };
        }

        private List<string> Tags(string sha) => [.. options.TagList.Select(t => t == PushOptions.GitSha ? sha : t)];

        public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (context.Options.ImageTag is not null)
            {
                return;
            }
            var image = context.Require(StageOutputs.BuiltImage, "Push needs an image: add b.Image(\"Dockerfile\") to the Build stage, or deploy an existing image with --image-tag TAG.");
            var repositoryName = Repository(context.Definition);
            var repository = (await context.Aws.Ecr.DescribeRepositoriesAsync([repositoryName], cancellationToken).ConfigureAwait(false))[0];
            var tags = Tags(context.Require(StageOutputs.GitSha, "the git commit was not resolved"));
            var registry = await context.Aws.OpenRegistryAsync(cancellationToken).ConfigureAwait(false);
            await EnsureScanOnPushAsync(context, repository, cancellationToken).ConfigureAwait(false);

            long sent = 0;
            foreach (var blob in image.Blobs)
            {
                if (await registry.BlobExistsAsync(repositoryName, blob.Digest, cancellationToken).ConfigureAwait(false))
                {
                    context.Verbose($"blob {blob.Digest} already in {repositoryName}");
                    continue;
                }
                // Base layers left in their registry are mounted (same registry) or streamed registry to registry.
                var how = await Builders.BlobTransfer.SendAsync(registry, repositoryName, blob, cancellationToken).ConfigureAwait(false);
                sent += how == Builders.BlobTransferKind.Mounted ? 0 : blob.Size;
                context.Verbose($"blob {blob.Digest} {how.ToString().ToLowerInvariant()}");
            }
            var digest = await registry.PutManifestAsync(repositoryName, tags[0], image.MediaType, image.Manifest, cancellationToken).ConfigureAwait(false);
            if (digest != image.ManifestDigest)
            {
                throw new PipelineStageException($"Registry stored the manifest as {digest} but it hashes to {image.ManifestDigest}: the registry altered it.", FailureKind.NeedsAttention);
            }

            // Further tags through the ECR API: PutImage with the same manifest moves no blob.
            var manifest = Encoding.UTF8.GetString(image.Manifest);
            foreach (var tag in tags.Skip(1))
            {
                try
                {
                    await context.Aws.Ecr.PutImageAsync(new PutImageRequest(repositoryName, manifest, image.MediaType, tag, image.ManifestDigest), cancellationToken).ConfigureAwait(false);
                }
                catch (AwsServiceException ex) when (ex.ErrorCode == "ImageAlreadyExistsException")
                {
                    // Same manifest, same tag: already done (a re-run).
                }
                catch (AwsServiceException ex) when (ex.ErrorCode == "ImageTagAlreadyExistsException")
                {
                    throw new PipelineStageException(
                        $"Tag '{tag}' already names another image in the immutable repository '{repositoryName}': push a new tag or make the repository's tags MUTABLE.",
                        FailureKind.Failed, ex);
                }
            }
            var pushed = new PushedImage(repositoryName, repository.RepositoryUri, image.ManifestDigest, tags);
            context.Set(StageOutputs.Image, pushed);
            context.Info($"pushed {pushed.RepositoryUri}@{pushed.Digest} ({sent} blob bytes sent) tagged {string.Join(", ", tags)}");
            await AfterPushAsync(context, repository, pushed, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<PushedImage> ResolveExistingAsync(PipelineContext context, EcrRepository repository, string tag, CancellationToken cancellationToken)
        {
            try
            {
                var images = await context.Aws.Ecr.DescribeImagesAsync(repository.RepositoryName, [new ImageIdentifier(ImageTag: tag)], cancellationToken).ConfigureAwait(false);
                var image = images.Single();
                return new PushedImage(repository.RepositoryName, repository.RepositoryUri, image.ImageDigest, image.ImageTags);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ImageNotFoundException")
            {
                throw new PipelineStageException($"--image-tag {tag}: no image with that tag in ECR repository '{repository.RepositoryName}': push it first or pick an existing tag.", FailureKind.Invalid, ex);
            }
        }
    }

    /// <summary>Finds the git commit a run deploys: --git-sha, then GITHUB_SHA, then <c>git rev-parse HEAD</c>.</summary>
    internal static class GitCommit
    {
        public static async Task<string> ResolveAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (context.Get(StageOutputs.GitSha) is { } known)
            {
                return known;
            }
            var sha = context.Options.GitSha ?? Environment.GetEnvironmentVariable("GITHUB_SHA");
            if (string.IsNullOrEmpty(sha))
            {
                try
                {
                    var result = await new ProcessRunner().RunAsync(new CommandSpec("git", ["rev-parse", "HEAD"], context.Options.WorkingDirectory), null, cancellationToken).ConfigureAwait(false);
                    sha = result.StandardOutput.Trim();
                }
                catch (CommandExecutionException ex)
                {
                    throw new PipelineStageException("Could not determine the git commit to tag the image with: run inside a git repository, or set GITHUB_SHA.", FailureKind.Invalid, ex);
                }
            }
            if (!System.Text.RegularExpressions.Regex.IsMatch(sha, "^[0-9a-f]{7,64}$"))
            {
                throw new PipelineStageException($"'{sha}' is not a git commit SHA: set GITHUB_SHA to the full commit id.", FailureKind.Invalid);
            }
            context.Set(StageOutputs.GitSha, sha);
            return sha;
        }
    }
}
