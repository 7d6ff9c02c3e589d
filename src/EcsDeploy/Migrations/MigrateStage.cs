using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Migrations;
using EcsDeploy.Processes;
using EcsDeploy.Reporting;
using EcsDeploy.Rules;

namespace EcsDeploy
{
    /// <summary>Options of the Migrate stage.</summary>
    public sealed class MigrationOptions : IFreezable
    {
        private readonly FreezeGuard _freeze = new("Migrate");

        void IFreezable.Freeze() => _freeze.Freeze();

        internal IReadOnlyList<string> CommandWords { get; private set; } = [];
        internal bool RunLocally { get; private set; }
        internal string? LocalWorkingDirectory { get; private set; }
        internal string? DatabaseUrlSecretId { get; private set; }
        internal TimeSpan Timeout { get; private set; } = TimeSpan.FromMinutes(15);

        /// <summary>Runs <c>npx prisma migrate deploy</c>: committed migrations only, never <c>migrate dev</c>.</summary>
        public MigrationOptions Prisma() => Command("npx", "prisma", "migrate", "deploy");

        /// <summary>Runs this command (program and arguments).</summary>
        public MigrationOptions Command(params string[] command)
        {
            _freeze.EnsureMutable();
            CommandWords = [.. command];
            return this;
        }

        /// <summary>Runs the migration as a one-off ECS task on the new image, with the service's network (the default).</summary>
        public MigrationOptions OnEcs()
        {
            _freeze.EnsureMutable();
            RunLocally = false;
            return this;
        }

        /// <summary>Runs the migration here, with DATABASE_URL read from Secrets Manager.</summary>
        public MigrationOptions Locally(string? workingDirectory = null)
        {
            _freeze.EnsureMutable();
            RunLocally = true;
            LocalWorkingDirectory = workingDirectory;
            return this;
        }

        /// <summary>The secret holding DATABASE_URL for a local run (default <c>{pipeline}/DATABASE_URL</c>).</summary>
        public MigrationOptions DatabaseUrlSecret(string secretId)
        {
            _freeze.EnsureMutable();
            DatabaseUrlSecretId = secretId;
            return this;
        }

        /// <summary>How long the migration may take (default 15 minutes).</summary>
        public MigrationOptions WaitTimeout(TimeSpan timeout)
        {
            _freeze.EnsureMutable();
            Timeout = timeout;
            return this;
        }
    }

    /// <summary>Adds the Migrate stage.</summary>
    public static class MigrationExtensions
    {
        /// <summary>Runs database migrations before the service is updated; a failure stops the pipeline with the service untouched.</summary>
        [PipelineStage("Migrate", Uses = [OutputNames.Image], Produces = [OutputNames.TaskDefinition], RunsBefore = ["Deploy"])]
        public static PipelineBuilder Migrate(this PipelineBuilder pipeline, Action<MigrationOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            ArgumentNullException.ThrowIfNull(configure);
            var options = new MigrationOptions();
            configure(options);
            return pipeline.AddStage(new MigrateStage(options), options);
        }
    }
}

namespace EcsDeploy.Migrations
{
    internal sealed class MigrateStage(MigrationOptions options) : IPipelineStage, Iam.IDeclaresIamPermissions
    {
        /// <summary>Locally: the DATABASE_URL secret. On ECS: the one-off task on the rendered revision, and watching it.</summary>
        public IEnumerable<Iam.IamGrant> IamGrants(Iam.IamScope scope)
        {
            if (options.RunLocally)
            {
                var secretId = options.DatabaseUrlSecretId ?? $"{scope.Definition.Name}/DATABASE_URL";
                return [new Iam.IamGrant("ReadDatabaseUrl", ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], [scope.SecretArn(secretId)])];
            }
            return
            [
                new Iam.IamGrant("RunMigrationTask", ["ecs:RunTask"], scope.TaskDefinitionArns) { Conditions = [new("ArnEquals", "ecs:cluster", scope.ClusterArn)] },
                .. scope.RegisterTaskDefinitions(),
                .. scope.Tasks(),
            ];
        }

        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(MigrationExtensions), nameof(MigrationExtensions.Migrate));

        public StageDescriptor Descriptor => Stage;

        public MigrationOptions Options => options;

        public void Validate(PipelineDefinition definition, ICollection<string> problems)
        {
            if (options.CommandWords.Count == 0)
            {
                problems.Add("Migrate: no command: call m.Prisma() or m.Command(\"program\", \"args\"...).");
            }
            else if (MigrationRules.Check(options.CommandWords) is { } refused)
            {
                problems.Add(refused);
            }
            if (!options.RunLocally && definition.DeployedService is null)
            {
                problems.Add("Migrate on ECS runs on the task definition the Deploy stage renders, but there is no Deploy stage: add .Deploy(...) or run it here with m.Locally().");
            }
        }

        public async Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var command = string.Join(' ', options.CommandWords);
            if (options.RunLocally)
            {
                var secretId = SecretId(context);
                var secret = await context.Aws.SecretsManager.DescribeSecretAsync(secretId, cancellationToken).ConfigureAwait(false);
                return new StagePlan(Stage.Name, $"run '{command}' here with DATABASE_URL from {secret.Name}")
                {
                    Details = [new("command", command), new("DATABASE_URL", secret.ARN)],
                };
            }
            return new StagePlan(Stage.Name, $"run '{command}' as a one-off ECS task on the new revision, before the service is updated")
            {
                Details = [new("command", command), new("cluster", context.Definition.Cluster)],
            };
        }

        public Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
            => options.RunLocally ? RunLocallyAsync(context, cancellationToken) : RunOnEcsAsync(context, cancellationToken);

        private string SecretId(PipelineContext context) => options.DatabaseUrlSecretId ?? $"{context.Definition.Name}/DATABASE_URL";

        private async Task RunLocallyAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var secret = await context.Aws.SecretsManager.GetSecretValueAsync(SecretId(context), cancellationToken).ConfigureAwait(false);
            context.Masker.Add(secret.SecretString);
            var spec = new CommandSpec(options.CommandWords[0], options.CommandWords.Skip(1).ToList(), Path.GetFullPath(options.LocalWorkingDirectory ?? ".", context.Options.WorkingDirectory))
            {
                Environment = new Dictionary<string, string> { ["DATABASE_URL"] = secret.SecretString ?? "" },
            };
            context.Info($"$ {spec.Display}");
            await new ProcessRunner().RunAsync(spec, line => context.Report(new CommandOutput(context.Time.GetUtcNow(), Stage.Name, spec.Display, line)), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Runs the command as a one-off task on the very revision the service will run: the deployed service's revision,
        /// rendered and registered through the public services (Deploy later finds it registered and reuses it).
        /// </summary>
        private async Task RunOnEcsAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var target = context.Definition.DeployedService!.Target;
            var basis = await context.TaskDefinitions.PrepareAsync(target, cancellationToken).ConfigureAwait(false);
            var rendered = context.TaskDefinitions.Render(basis, context.Get(StageOutputs.Image)?.Reference);
            var registered = await context.TaskDefinitions.RegisterAsync(rendered, basis.Running.Tags, cancellationToken).ConfigureAwait(false);
            context.Set(StageOutputs.TaskDefinition, registered);

            // startedBy names this exact migration (revision and command), so a re-run after a crash finds a
            // migration still running and waits for it instead of starting a second one.
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(registered.Arn + "\n" + string.Join('\0', options.CommandWords))))[..16];
            var result = await context.Tasks.RunAsync(new Tasks.OneOffTaskRequest(registered.Arn)
            {
                Purpose = "migration task",
                Container = basis.ContainerName,
                Command = options.CommandWords,
                NetworkConfiguration = basis.Running.Service.NetworkConfiguration,
                StartedBy = $"ecsdeploy-migrate-{fingerprint}",
                Timeout = options.Timeout,
            }, cancellationToken).ConfigureAwait(false);

            if (result.Succeeded)
            {
                foreach (var line in result.LogTail)
                {
                    context.Verbose($"  | {line}");
                }
                context.Info("migration succeeded (exit code 0)");
                return;
            }
            foreach (var line in result.LogTail)
            {
                context.Warn($"  | {line}");
            }
            throw new PipelineStageException(
                $"Migration '{string.Join(' ', options.CommandWords)}' failed: {result.Describe()}. The service was not touched. Read the log lines above, fix the migration, and run again.",
                FailureKind.Failed);
        }
    }
}
