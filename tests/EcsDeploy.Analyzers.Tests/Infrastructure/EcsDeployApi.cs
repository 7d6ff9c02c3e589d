namespace EcsDeploy.Analyzers.Tests.Infrastructure;

/// <summary>
/// A stub of EcsDeploy's public fluent API, compiled into an assembly named EcsDeploy that the test sources
/// reference as metadata (as a consumer references the package). Used while src/EcsDeploy does not compile;
/// <see cref="TestReferences"/> prefers the real EcsDeploy.dll when it is built and has the stage extensions.
/// </summary>
internal static class EcsDeployApi
{
    public const string Source = """
        #nullable enable
        using System;
        using System.Threading;
        using System.Threading.Tasks;

        namespace EcsDeploy.Discovery
        {
            public sealed class TerraformSettings { public TerraformSettings StateFile(string path) => this; }
        }

        namespace EcsDeploy
        {
            public interface IPipelineStage { }
            public sealed class PipelineDefinition { }
            public static class Pipeline { public static PipelineBuilder For(string name) => new PipelineBuilder(); }
            public sealed class PipelineBuilder
            {
                public string Name => "";
                public PipelineBuilder InRegion(string region) => this;
                public PipelineBuilder OnCluster(string cluster) => this;
                public PipelineBuilder WithTerraform(Action<EcsDeploy.Discovery.TerraformSettings> configure) => this;
                public PipelineBuilder AddStage(IPipelineStage stage) => this;
                public PipelineDefinition Build() => new PipelineDefinition();
                public Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) => Task.FromResult(0);
            }

            [AttributeUsage(AttributeTargets.Method)]
            public sealed class PipelineStageAttribute(string name) : Attribute
            {
                public string Name { get; } = name;
                public string[] RunsAfter { get; init; } = [];
                public string[] RunsBefore { get; init; } = [];
            }

            public sealed class BuildOptions
            {
                public BuildOptions WorkingDirectory(string path) => this;
                public BuildOptions Run(string commandLine) => this;
                public BuildOptions Run(string program, params string[] arguments) => this;
                public BuildOptions Image(string dockerfile = "Dockerfile") => this;
            }
            public sealed class PushOptions
            {
                public const string GitSha = "{git-sha}";
                public PushOptions Repository(string name) => this;
                public PushOptions Tags(params string[] tags) => this;
            }
            public sealed class MigrationOptions
            {
                public MigrationOptions Prisma() => this;
                public MigrationOptions Command(params string[] command) => this;
                public MigrationOptions OnEcs() => this;
                public MigrationOptions Locally(string? workingDirectory = null) => this;
                public MigrationOptions DatabaseUrlSecret(string secretId) => this;
            }
            public sealed class OllamaOptions
            {
                public OllamaOptions Model(string model) => this;
                public OllamaOptions Timeout(TimeSpan timeout) => this;
                public OllamaOptions Service(string service) => this;
                public OllamaOptions LoadBalancerNameContains(string text) => this;
                public OllamaOptions TerraformOutput(string name) => this;
            }
            public sealed class DeployOptions
            {
                public DeployOptions Service(string service) => this;
                public DeployOptions Container(string container) => this;
                public DeployOptions Family(string family) => this;
                public DeployOptions Environment(string name, string value) => this;
                public DeployOptions Secret(string name, string secretId) => this;
                public DeployOptions CircuitBreaker(bool enabled = true) => this;
                public DeployOptions RollbackOnFailure(bool enabled = true) => this;
                public DeployOptions WaitTimeout(TimeSpan timeout) => this;
                public DeployOptions Wait(bool enabled = true) => this;
            }
            public sealed class VerifyOptions
            {
                public VerifyOptions Http(string path) => this;
                public VerifyOptions Ollama() => this;
                public VerifyOptions Deadline(TimeSpan deadline) => this;
            }

            public static class BuildExtensions
            {
                [PipelineStage("Build", RunsBefore = ["Push", "Migrate", "Deploy", "Verify"])]
                public static PipelineBuilder Build(this PipelineBuilder pipeline, Action<BuildOptions> configure) => pipeline;
            }
            public static class PushExtensions
            {
                [PipelineStage("Push", RunsAfter = ["Build"], RunsBefore = ["Migrate", "Deploy", "Verify"])]
                public static PipelineBuilder Push(this PipelineBuilder pipeline, Action<PushOptions>? configure = null) => pipeline;
            }
            public static class MigrationExtensions
            {
                [PipelineStage("Migrate", RunsAfter = ["Build", "Push"], RunsBefore = ["Deploy", "Verify"])]
                public static PipelineBuilder Migrate(this PipelineBuilder pipeline, Action<MigrationOptions> configure) => pipeline;
            }
            public static class OllamaExtensions
            {
                [PipelineStage("WithOllama", RunsBefore = ["Deploy", "Verify"])]
                public static PipelineBuilder WithOllama(this PipelineBuilder pipeline, Action<OllamaOptions>? configure = null) => pipeline;
            }
            public static class DeployExtensions
            {
                [PipelineStage("Deploy", RunsAfter = ["Build", "Push", "Migrate", "WithOllama"], RunsBefore = ["Verify"])]
                public static PipelineBuilder Deploy(this PipelineBuilder pipeline, Action<DeployOptions> configure) => pipeline;
            }
            public static class VerifyExtensions
            {
                [PipelineStage("Verify", RunsAfter = ["Deploy"])]
                public static PipelineBuilder Verify(this PipelineBuilder pipeline, Action<VerifyOptions> configure) => pipeline;
            }
        }
        """;
}
