using EcsDeploy.Build;
using EcsDeploy.Images;
using EcsDeploy.Images.Builders;
using EcsDeploy.Images.Registry;
using EcsDeploy.Processes;
using EcsDeploy.Reporting;

namespace EcsDeploy
{
    /// <summary>Which program builds the image.</summary>
    public enum ImageBuilderKind
    {
        /// <summary>
        /// Docker when its daemon answers, else buildah when installed, else the daemonless builder. On the local target
        /// (the simulated AWS, which runs no container) the daemonless builder is picked: the others would pull the base
        /// image from the network.
        /// </summary>
        Auto,
        /// <summary><c>docker buildx build</c> (or <c>docker build</c> + <c>docker save</c>): needs a reachable Docker daemon.</summary>
        Docker,
        /// <summary><c>buildah bud</c> with the vfs storage driver and chroot isolation: no daemon, runs RUN steps.</summary>
        Buildah,
        /// <summary>In-process: a Dockerfile subset (no RUN) on top of the base image's layers fetched from its registry.</summary>
        Daemonless,
    }

    /// <summary>What to do when the base image (FROM) cannot be fetched by the daemonless builder.</summary>
    public enum BaseImagePolicy
    {
        /// <summary>
        /// Default: <see cref="Required"/> when deploying to AWS; on the local target (the simulated AWS, which runs no
        /// container and reaches nothing beyond 127.0.0.1) a base on a loopback registry is fetched and any other is
        /// not, and the image then holds the application layer only (said in the plan and as a warning).
        /// </summary>
        Default,
        /// <summary>The base image must be fetched; the build fails otherwise.</summary>
        Required,
        /// <summary>Fetch the base image; when it cannot be fetched, build the application layer only and warn.</summary>
        IfReachable,
        /// <summary>Never fetch the base image: the image holds the application layer only (the FROM is recorded as a label).</summary>
        Skip,
    }

    /// <summary>Options of the Build stage: commands to run, and the image to build.</summary>
    public sealed class BuildOptions : IFreezable
    {
        private readonly FreezeGuard _freeze = new("Build");

        void IFreezable.Freeze() => _freeze.Freeze();

        internal List<CommandSpec> Commands { get; } = [];
        internal List<string> Problems { get; } = [];
        internal string? WorkingDirectoryPath { get; private set; }
        internal string? DockerfilePath { get; private set; }

        /// <summary>The folder the commands run in and the image is built from (default: the current folder).</summary>
        public BuildOptions WorkingDirectory(string path)
        {
            _freeze.EnsureMutable();
            WorkingDirectoryPath = path;
            return this;
        }

        /// <summary>Runs a command of plain words, such as <c>"npm run build"</c>. No shell is involved.</summary>
        public BuildOptions Run(string commandLine)
        {
            _freeze.EnsureMutable();
            var command = CommandSpec.ParseWords(commandLine, null, out var problem);
            if (command is null)
            {
                Problems.Add("Build: " + problem);
            }
            else
            {
                Commands.Add(command);
            }
            return this;
        }

        /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>, passed as a list.</summary>
        public BuildOptions Run(string program, params string[] arguments)
        {
            _freeze.EnsureMutable();
            Commands.Add(new CommandSpec(program, arguments));
            return this;
        }

        internal ImageBuilderKind BuilderKind { get; private set; }
        internal BaseImageSettings BaseImageSettings { get; private set; } = new();
        internal string? CacheReference { get; private set; }

        /// <summary>Builds an image from this Dockerfile, relative to the working directory.</summary>
        public BuildOptions Image(string dockerfile = "Dockerfile")
        {
            _freeze.EnsureMutable();
            DockerfilePath = dockerfile;
            return this;
        }

        /// <summary>
        /// Which program builds the image (default <see cref="ImageBuilderKind.Auto"/>: docker when its daemon answers,
        /// else buildah, else the daemonless builder; the plan says which was picked and why the others were not).
        /// </summary>
        public BuildOptions Builder(ImageBuilderKind kind)
        {
            _freeze.EnsureMutable();
            if (!Enum.IsDefined(kind))
            {
                Problems.Add($"Build: b.Builder({(int)kind}) is not a builder: use ImageBuilderKind.Auto, Docker, Buildah or Daemonless.");
            }
            BuilderKind = kind;
            return this;
        }

        /// <summary>
        /// A registry that serves the Docker Hub images a Dockerfile names without a registry (<c>FROM node:20</c>), for
        /// runners that cannot reach docker.io: <c>"mirror.example:5000"</c> or <c>"host/prefix"</c> (an ECR pull-through
        /// cache: <c>"123456789012.dkr.ecr.eu-central-1.amazonaws.com/docker-hub"</c>). Daemonless builder only.
        /// </summary>
        public BuildOptions BaseImageRegistry(string registry)
        {
            _freeze.EnsureMutable();
            if (string.IsNullOrWhiteSpace(registry) || registry.Contains(' ', StringComparison.Ordinal) || registry.Contains('@', StringComparison.Ordinal))
            {
                Problems.Add($"Build: b.BaseImageRegistry(\"{registry}\") is not a registry: give a host[:port][/prefix], for example \"mirror.example:5000\".");
            }
            BaseImageSettings = BaseImageSettings with { Mirror = registry };
            return this;
        }

        /// <summary>Credentials for the base image's registry (read them from the environment; they are masked in every output).</summary>
        public BuildOptions BaseImageCredentials(RegistryCredentials credentials)
        {
            _freeze.EnsureMutable();
            ArgumentNullException.ThrowIfNull(credentials);
            BaseImageSettings = BaseImageSettings with { Credentials = credentials };
            return this;
        }

        /// <summary>What to do when the daemonless builder cannot fetch the base image (default: see <see cref="BaseImagePolicy.Default"/>).</summary>
        public BuildOptions BaseImage(BaseImagePolicy policy)
        {
            _freeze.EnsureMutable();
            if (!Enum.IsDefined(policy))
            {
                Problems.Add($"Build: b.BaseImage({(int)policy}) is not a policy: use BaseImagePolicy.Default, Required, IfReachable or Skip.");
            }
            BaseImageSettings = BaseImageSettings with { Policy = policy };
            return this;
        }

        /// <summary>The image's platform, <c>os/arch[/variant]</c> (default <c>linux/amd64</c>; Fargate also runs <c>linux/arm64</c>).</summary>
        public BuildOptions Platform(string platform)
        {
            _freeze.EnsureMutable();
            var parsed = Images.Builders.DaemonlessImageBuilder.ParsePlatform(platform);
            if (parsed is null || parsed.Os.Length == 0 || parsed.Architecture.Length == 0)
            {
                Problems.Add($"Build: b.Platform(\"{platform}\") is not os/arch[/variant]: use for example \"linux/amd64\" or \"linux/arm64\".");
            }
            else
            {
                BaseImageSettings = BaseImageSettings with { Platform = parsed };
            }
            return this;
        }

        /// <summary>Docker builder only: a registry reference used as build cache (<c>--cache-from/--cache-to type=registry,ref=...</c>).</summary>
        public BuildOptions BuildCache(string registryReference)
        {
            _freeze.EnsureMutable();
            if (string.IsNullOrWhiteSpace(registryReference) || registryReference.Contains(',', StringComparison.Ordinal) || registryReference.Contains(' ', StringComparison.Ordinal))
            {
                Problems.Add($"Build: b.BuildCache(\"{registryReference}\") is not an image reference: give for example \"123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:buildcache\".");
            }
            CacheReference = registryReference;
            return this;
        }
    }

    /// <summary>Adds the Build stage.</summary>
    public static class BuildExtensions
    {
        /// <summary>Runs build commands (compile, lint, test) and builds the image.</summary>
        [PipelineStage("Build", Produces = [OutputNames.BuiltImage])]
        public static PipelineBuilder Build(this PipelineBuilder pipeline, Action<BuildOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            ArgumentNullException.ThrowIfNull(configure);
            var options = new BuildOptions();
            configure(options);
            return pipeline.AddStage(new BuildStage(options), options);
        }
    }
}

namespace EcsDeploy.Build
{
    internal sealed class BuildStage(BuildOptions options) : IPipelineStage
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(BuildExtensions), nameof(BuildExtensions.Build));
        private static readonly OutputKey<BuilderChoice> Choice = new("image builder");
        private readonly ProcessRunner _runner = new();

        public StageDescriptor Descriptor => Stage;

        public BuildOptions Options => options;

        /// <summary>The builders auto-pick considers (tests replace them).</summary>
        internal IReadOnlyList<IImageBuilder>? Builders { get; init; }

        public void Validate(PipelineDefinition definition, ICollection<string> problems)
        {
            foreach (var problem in options.Problems)
            {
                problems.Add(problem);
            }
            if (options.Commands.Count == 0 && options.DockerfilePath is null)
            {
                problems.Add("Build: nothing to do: add .Run(...) commands or .Image(\"Dockerfile\").");
            }
            var imageOptions = options.BuilderKind != ImageBuilderKind.Auto || options.CacheReference is not null || options.BaseImageSettings != new BaseImageSettings();
            if (options.DockerfilePath is null && imageOptions)
            {
                problems.Add("Build: image options (Builder, BaseImage..., Platform, BuildCache) without an image: add .Image(\"Dockerfile\").");
            }
            if (options.CacheReference is not null && options.BuilderKind is ImageBuilderKind.Buildah or ImageBuilderKind.Daemonless)
            {
                problems.Add($"Build: b.BuildCache(...) is a docker build cache, but b.Builder(ImageBuilderKind.{options.BuilderKind}) was asked for: remove BuildCache or use ImageBuilderKind.Docker (or Auto).");
            }
        }

        private string WorkingDirectory(PipelineContext context) => Path.GetFullPath(options.WorkingDirectoryPath ?? ".", context.Options.WorkingDirectory);

        private ImageBuildRequest Request(PipelineContext context, string workingDirectory, string output) =>
            new(workingDirectory, Path.Combine(workingDirectory, options.DockerfilePath!), output)
            {
                BaseImage = options.BaseImageSettings,
                OfflineTarget = context.Aws.IsLocal,
                CacheReference = options.CacheReference,
                OnOutput = line => context.Report(new CommandOutput(context.Time.GetUtcNow(), Stage.Name, "image build", line)),
            };

        private async Task<BuilderChoice> ChooseAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (context.Get(Choice) is { } known)
            {
                return known;
            }
            var choice = await ImageBuilderSelector.ChooseAsync(options.BuilderKind, context.Aws.IsLocal, Builders ?? ImageBuilderSelector.DefaultBuilders(_runner), cancellationToken).ConfigureAwait(false);
            context.Set(Choice, choice);
            return choice;
        }

        public async Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var workingDirectory = WorkingDirectory(context);
            if (context.Options.ImageTag is not null)
            {
                return new StagePlan(Stage.Name, $"skipped: deploying the existing image tag '{context.Options.ImageTag}'") { Skipped = true };
            }
            if (!Directory.Exists(workingDirectory))
            {
                throw new PipelineStageException($"Build: working directory '{workingDirectory}' does not exist: fix b.WorkingDirectory(...).", FailureKind.Invalid);
            }
            var details = options.Commands.Select(c => new KeyValuePair<string, string>("run", c.Display)).ToList();
            var image = "";
            if (options.DockerfilePath is not null)
            {
                var dockerfile = Path.Combine(workingDirectory, options.DockerfilePath);
                if (!File.Exists(dockerfile))
                {
                    throw new PipelineStageException($"Build: Dockerfile '{dockerfile}' does not exist: fix b.Image(...).", FailureKind.Invalid);
                }
                if (options.BaseImageSettings.Credentials is { } credentials)
                {
                    context.Masker.Add(credentials.Password);
                }
                var choice = await ChooseAsync(context, cancellationToken).ConfigureAwait(false);
                var kind = choice.Builder.Kind.ToString().ToLowerInvariant();
                details.Add(new("image", $"{kind} build of {Path.GetRelativePath(context.Options.WorkingDirectory, workingDirectory)} with {options.DockerfilePath}"));
                details.Add(new("builder", $"{kind}: {choice.Why}"));
                details.AddRange(choice.NotPicked.Select(reason => new KeyValuePair<string, string>("builder not picked", reason)));
                // The choice and its reasons are shown without --verbose too (plan details are verbose-only in text output).
                context.Info($"image builder: {kind} ({choice.Why})");
                foreach (var reason in choice.NotPicked)
                {
                    context.Info($"not picked: {reason}");
                }
                image = $" and an image built by {kind}";
                if (choice.Builder.Kind == ImageBuilderKind.Daemonless)
                {
                    // Unsupported instructions fail here, before any AWS call.
                    var parsed = await DaemonlessImageBuilder.ParseAsync(dockerfile, cancellationToken).ConfigureAwait(false);
                    var (fetch, skipReason) = DaemonlessImageBuilder.BaseDecision(parsed, Request(context, workingDirectory, ""), out var reference);
                    string baseDetail;
                    if (reference is null)
                    {
                        baseDetail = "none (FROM scratch)";
                    }
                    else if (fetch)
                    {
                        baseDetail = $"{reference.Original}: layers from {reference.Resolved} ({(options.BaseImageSettings.Policy == BaseImagePolicy.IfReachable ? "application layer only if it cannot be fetched" : "required")})";
                        image += $" on {reference.Original}";
                    }
                    else
                    {
                        baseDetail = $"{reference.Original} not fetched: {skipReason}; the image holds the application layer only";
                        image += $" (application layer only: base {reference.Original} not fetched)";
                        context.Warn("base image " + baseDetail);
                    }
                    details.Add(new("base image", baseDetail));
                }
                else
                {
                    details.Add(new("base image", $"pulled by {kind} as its FROM names it"));
                }
            }
            return new StagePlan(Stage.Name, $"{options.Commands.Count} command(s){image} in {workingDirectory}") { Details = details };
        }

        public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var workingDirectory = WorkingDirectory(context);
            foreach (var command in options.Commands)
            {
                var spec = command with { WorkingDirectory = workingDirectory };
                context.Info($"$ {spec.Display}");
                await _runner.RunAsync(spec, line => context.Report(new CommandOutput(context.Time.GetUtcNow(), Stage.Name, spec.Display, line)), cancellationToken).ConfigureAwait(false);
            }
            if (options.DockerfilePath is not null)
            {
                var choice = await ChooseAsync(context, cancellationToken).ConfigureAwait(false);
                var output = Path.Combine(Path.GetTempPath(), "ecsdeploy", Guid.NewGuid().ToString("n"));
                var result = await choice.Builder.BuildAsync(Request(context, workingDirectory, output), cancellationToken).ConfigureAwait(false);
                foreach (var warning in result.Warnings)
                {
                    context.Warn(warning);
                }
                var image = result.Image;
                context.Set(StageOutputs.BuiltImage, image);
                context.Info($"built image {image.ManifestDigest} with {result.Builder} ({image.Layers.Count} layer(s), {image.Layers.Where(l => l.Source is null).Sum(l => l.Size)} bytes local"
                    + (result.BaseImage is null ? ", no base image" : $", base {result.BaseImage}") + ")");
            }
        }
    }
}
