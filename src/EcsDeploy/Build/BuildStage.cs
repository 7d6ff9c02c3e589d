using EcsDeploy.Build;
using EcsDeploy.Images;
using EcsDeploy.Processes;
using EcsDeploy.Reporting;

namespace EcsDeploy
{
    /// <summary>Options of the Build stage: commands to run, and the image to build.</summary>
    public sealed class BuildOptions
    {
        internal List<CommandSpec> Commands { get; } = [];
        internal List<string> Problems { get; } = [];
        internal string? WorkingDirectoryPath { get; private set; }
        internal string? DockerfilePath { get; private set; }

        /// <summary>The folder the commands run in and the image is built from (default: the current folder).</summary>
        public BuildOptions WorkingDirectory(string path)
        {
            WorkingDirectoryPath = path;
            return this;
        }

        /// <summary>Runs a command of plain words, such as <c>"npm run build"</c>. No shell is involved.</summary>
        public BuildOptions Run(string commandLine)
        {
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
            Commands.Add(new CommandSpec(program, arguments));
            return this;
        }

        /// <summary>Builds an image from this Dockerfile, relative to the working directory.</summary>
        public BuildOptions Image(string dockerfile = "Dockerfile")
        {
            DockerfilePath = dockerfile;
            return this;
        }
    }

    /// <summary>Adds the Build stage.</summary>
    public static class BuildExtensions
    {
        /// <summary>Runs build commands (compile, lint, test) and builds the image.</summary>
        [PipelineStage("Build", RunsBefore = ["Push", "Migrate", "Deploy", "Verify"])]
        public static PipelineBuilder Build(this PipelineBuilder pipeline, Action<BuildOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            ArgumentNullException.ThrowIfNull(configure);
            var options = new BuildOptions();
            configure(options);
            return pipeline.AddStage(new BuildStage(options));
        }
    }
}

namespace EcsDeploy.Build
{
    internal sealed class BuildStage(BuildOptions options) : IPipelineStage
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(BuildExtensions), nameof(BuildExtensions.Build));
        private readonly ProcessRunner _runner = new();

        public StageDescriptor Descriptor => Stage;

        public BuildOptions Options => options;

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
        }

        private string WorkingDirectory(PipelineContext context) => Path.GetFullPath(options.WorkingDirectoryPath ?? ".", context.Options.WorkingDirectory);

        public Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var workingDirectory = WorkingDirectory(context);
            if (context.Options.ImageTag is not null)
            {
                return Task.FromResult(new StagePlan(Stage.Name, $"skipped: deploying the existing image tag '{context.Options.ImageTag}'") { Skipped = true });
            }
            if (!Directory.Exists(workingDirectory))
            {
                throw new PipelineStageException($"Build: working directory '{workingDirectory}' does not exist: fix b.WorkingDirectory(...).", ExitCodes.Invalid);
            }
            var details = options.Commands.Select(c => new KeyValuePair<string, string>("run", c.Display)).ToList();
            if (options.DockerfilePath is not null)
            {
                var dockerfile = Path.Combine(workingDirectory, options.DockerfilePath);
                if (!File.Exists(dockerfile))
                {
                    throw new PipelineStageException($"Build: Dockerfile '{dockerfile}' does not exist: fix b.Image(...).", ExitCodes.Invalid);
                }
                details.Add(new("image", $"daemonless build of {Path.GetRelativePath(context.Options.WorkingDirectory, workingDirectory)} with {options.DockerfilePath}"));
            }
            return Task.FromResult(new StagePlan(Stage.Name, $"{options.Commands.Count} command(s){(options.DockerfilePath is null ? "" : " and an image")} in {workingDirectory}") { Details = details });
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
                var output = Path.Combine(Path.GetTempPath(), "ecsdeploy", Guid.NewGuid().ToString("n"));
                var image = await ContextImageBuilder.BuildAsync(workingDirectory, Path.Combine(workingDirectory, options.DockerfilePath), output, cancellationToken).ConfigureAwait(false);
                context.Set(StageOutputs.BuiltImage, image);
                context.Info($"built image {image.ManifestDigest} ({image.Layers.Sum(l => l.Size)} bytes in {image.Layers.Count} layer(s))");
            }
        }
    }
}
