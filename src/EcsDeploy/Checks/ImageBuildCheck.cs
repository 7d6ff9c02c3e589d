using EcsDeploy.Build;
using EcsDeploy.Images.Builders;
using EcsDeploy.Processes;

namespace EcsDeploy.Checks
{
    /// <summary>Options of the ImageBuild check: the Build stage's own options (commands, then <c>.Image("Dockerfile")</c>).</summary>
    public sealed class ImageBuildOptions : CheckOptions<ImageBuildOptions>
    {
        internal BuildOptions Build { get; } = new();
        internal bool Configured { get; private set; }

        /// <summary>Configures the build as the Build stage does: <c>b =&gt; b.Run("npm", "run", "build").Image("Dockerfile")</c>.
        /// The working directory of the check is used unless the build sets its own.</summary>
        public ImageBuildOptions With(Action<BuildOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(configure);
            configure(Build);
            Configured = true;
            return this;
        }
    }

    /// <summary>
    /// Builds the image exactly as the Build stage does, and never pushes it: the check says whether the image builds
    /// and what its digest is.
    /// </summary>
    internal sealed class ImageBuildStage : CheckStage<ImageBuildOptions>
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(PullRequestChecks), nameof(PullRequestChecks.ImageBuild));

        public ImageBuildStage(ImageBuildOptions options) : base(Stage, options)
        {
            if (!options.Configured)
            {
                options.Build.Image("Dockerfile");
            }
            // The build runs in the check's folder unless it names its own (both resolve like the Build stage's).
            if (options.Build.WorkingDirectoryPath is null && options.WorkingDirectoryPath is { } folder)
            {
                options.Build.WorkingDirectory(folder);
            }
        }

        protected override void ValidateCheck(ICollection<string> problems)
        {
            if (Options.Build.DockerfilePath is null)
            {
                problems.Add("ImageBuild: no image to build: add .Image(\"Dockerfile\") to the build, for example .ImageBuild(i => i.With(b => b.Image(\"Dockerfile\"))).");
            }
            var build = new BuildStage(Options.Build);
            var own = new List<string>();
            build.Validate(null!, own);
            foreach (var problem in own)
            {
                problems.Add("ImageBuild: " + problem);
            }
        }

        protected override string Describe(string projectDirectory) =>
            $"{(Options.Build.Commands.Count == 0 ? "" : string.Join(", ", Options.Build.Commands.Select(c => c.Display)) + ", then ")}build the image from {Options.Build.DockerfilePath} (not pushed)";

        protected override async Task<CheckOutcome> CheckAsync(PipelineContext context, string projectDirectory, CancellationToken cancellationToken)
        {
            var buildDirectory = Path.GetFullPath(Options.Build.WorkingDirectoryPath ?? ".", context.Options.WorkingDirectory);
            var dockerfile = Path.Combine(buildDirectory, Options.Build.DockerfilePath ?? "Dockerfile");
            if (!File.Exists(dockerfile))
            {
                return CheckOutcome.Fail($"the Dockerfile '{dockerfile}' does not exist: add it or fix .Image(...)");
            }
            var build = new BuildStage(Options.Build);
            try
            {
                await build.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch (CommandExecutionException ex) when (ex.CommandExitCode >= 0)
            {
                return CheckOutcome.Fail($"'{ex.Command.Display}' exited with code {ex.CommandExitCode}", Tail(ex.LastLines, 12));
            }
            catch (BaseImageUnavailableException ex)
            {
                return CheckOutcome.CouldNotRun(ex.Message + " The image build was NOT checked.");
            }
            catch (PipelineStageException ex)
            {
                return CheckOutcome.Fail(ex.Message);
            }
            catch (IOException ex)
            {
                return CheckOutcome.CouldNotRun($"the image could not be built: {ex.Message}");
            }
            if (context.Get(StageOutputs.BuiltImage) is not { } image)
            {
                return CheckOutcome.CouldNotRun("the build produced no image");
            }
            var bytes = image.Layers.Sum(l => l.Size);
            return CheckOutcome.Pass($"image {image.ManifestDigest} ({bytes} bytes in {image.Layers.Count} layer(s)), not pushed");
        }
    }
}
