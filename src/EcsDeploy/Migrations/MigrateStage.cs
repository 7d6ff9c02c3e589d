using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Migrations;
using EcsDeploy.Processes;
using EcsDeploy.Reporting;
using EcsDeploy.Rules;

namespace EcsDeploy
{
    /// <summary>Options of the Migrate stage.</summary>
    public sealed class MigrationOptions
    {
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
            CommandWords = [.. command];
            return this;
        }

        /// <summary>Runs the migration as a one-off ECS task on the new image, with the service's network (the default).</summary>
        public MigrationOptions OnEcs()
        {
            RunLocally = false;
            return this;
        }

        /// <summary>Runs the migration here, with DATABASE_URL read from Secrets Manager.</summary>
        public MigrationOptions Locally(string? workingDirectory = null)
        {
            RunLocally = true;
            LocalWorkingDirectory = workingDirectory;
            return this;
        }

        /// <summary>The secret holding DATABASE_URL for a local run (default <c>{pipeline}/DATABASE_URL</c>).</summary>
        public MigrationOptions DatabaseUrlSecret(string secretId)
        {
            DatabaseUrlSecretId = secretId;
            return this;
        }

        /// <summary>How long the migration may take (default 15 minutes).</summary>
        public MigrationOptions WaitTimeout(TimeSpan timeout)
        {
            Timeout = timeout;
            return this;
        }
    }

    /// <summary>Adds the Migrate stage.</summary>
    public static class MigrationExtensions
    {
        /// <summary>Runs database migrations before the service is updated; a failure stops the pipeline with the service untouched.</summary>
        [PipelineStage("Migrate", RunsAfter = ["Build", "Push"], RunsBefore = ["Deploy", "Verify"])]
        public static PipelineBuilder Migrate(this PipelineBuilder pipeline, Action<MigrationOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            ArgumentNullException.ThrowIfNull(configure);
            var options = new MigrationOptions();
            configure(options);
            return pipeline.AddStage(new MigrateStage(options));
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
        private static readonly TimeSpan Poll = TimeSpan.FromSeconds(3);

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
            if (!options.RunLocally && definition.Stage<DeployStage>() is null)
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

        private async Task RunOnEcsAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var deploy = context.Definition.Stage<DeployStage>()!;
            var registered = await deploy.EnsureRegisteredAsync(context, cancellationToken).ConfigureAwait(false);
            var preparation = context.Require(DeployStage.Preparation, "the Deploy stage was not planned");
            var cluster = context.Definition.Cluster;

            // startedBy names this exact migration (revision and command), so a re-run after a crash finds a
            // migration still running and waits for it instead of starting a second one.
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(registered.Arn + "\n" + string.Join('\0', options.CommandWords))))[..16];
            var startedBy = $"ecsdeploy-migrate-{fingerprint}";
            var running = await context.Aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = cluster, StartedBy = startedBy, DesiredStatus = "RUNNING" }, cancellationToken).ConfigureAwait(false);
            string taskArn;
            if (running.TaskArns.Count > 0)
            {
                taskArn = running.TaskArns[0];
                context.NoteLeftByEarlierRun($"migration task {taskArn.Split('/')[^1]} from an earlier run was still running: waited for it instead of starting another");
            }
            else
            {
                var response = await context.Aws.Ecs.RunTaskAsync(new RunTaskRequest
                {
                    Cluster = cluster,
                    TaskDefinition = registered.Arn,
                    NetworkConfiguration = preparation.Service.NetworkConfiguration,
                    StartedBy = startedBy,
                    // One token per attempt of this stage: a retry of the same call starts no second task, while
                    // a later run (after the database was fixed, say) really runs the migration again.
                    ClientToken = Guid.NewGuid().ToString("n"),
                    Overrides = new TaskOverride([new ContainerOverride { Name = preparation.ContainerName, Command = options.CommandWords }]),
                }, cancellationToken).ConfigureAwait(false);
                if (response.Tasks.Count == 0)
                {
                    var failure = response.Failures.FirstOrDefault();
                    throw new PipelineStageException($"Migration task did not start: {failure?.Reason} {failure?.Detail}".TrimEnd(), FailureKind.Failed);
                }
                taskArn = response.Tasks[0].TaskArn;
                context.Info($"started migration task {taskArn.Split('/')[^1]} on {RolloutTracker.ShortTaskDefinition(registered.Arn)}: {string.Join(' ', options.CommandWords)}");
            }

            var task = await WaitStoppedAsync(context, cluster, taskArn, cancellationToken).ConfigureAwait(false);
            var essential = task.Containers.FirstOrDefault(c => c.Name == preparation.ContainerName) ?? task.Containers.FirstOrDefault();
            var logs = await TaskLogs.TailAsync(context, task, 20, cancellationToken).ConfigureAwait(false);
            if (essential?.ExitCode == 0)
            {
                foreach (var line in logs)
                {
                    context.Verbose($"  | {line}");
                }
                context.Info($"migration succeeded (exit code 0)");
                return;
            }
            foreach (var line in logs)
            {
                context.Warn($"  | {line}");
            }
            var exit = essential?.ExitCode is { } code ? $"exit code {code.ToString(CultureInfo.InvariantCulture)}" : $"the container never started ({task.StoppedReason})";
            throw new PipelineStageException(
                $"Migration '{string.Join(' ', options.CommandWords)}' failed: {exit}. The service was not touched. Read the log lines above, fix the migration, and run again.",
                FailureKind.Failed);
        }

        private async Task<EcsTask> WaitStoppedAsync(PipelineContext context, string cluster, string taskArn, CancellationToken cancellationToken)
        {
            var deadline = context.Time.GetUtcNow() + options.Timeout;
            string? lastStatus = null;
            while (true)
            {
                var described = await context.Aws.Ecs.DescribeTasksAsync(new DescribeTasksRequest(cluster, [taskArn]), cancellationToken).ConfigureAwait(false);
                var task = described.Tasks.FirstOrDefault()
                    ?? throw new PipelineStageException($"Migration task {taskArn} is MISSING: {described.Failures.FirstOrDefault()?.Reason}", FailureKind.NeedsAttention);
                if (task.LastStatus != lastStatus)
                {
                    lastStatus = task.LastStatus;
                    context.Verbose($"migration task {lastStatus}");
                }
                if (task.LastStatus == "STOPPED")
                {
                    return task;
                }
                if (context.Time.GetUtcNow() >= deadline)
                {
                    throw new PipelineStageException($"Migration task {taskArn.Split('/')[^1]} did not stop within {options.Timeout.TotalMinutes:0.#} min (it is {task.LastStatus}); the service was not touched. Stop it (aws ecs stop-task) or lengthen m.WaitTimeout(...).", FailureKind.NeedsAttention);
                }
                await Clock.DelayAsync(context.Time, Poll, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
