using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Rules;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy
{
    /// <summary>What to do when the service already has a deployment in progress that is not ours.</summary>
    public enum AnotherDeployment
    {
        /// <summary>Wait for it to finish, then deploy (the default).</summary>
        Wait,
        /// <summary>Refuse to deploy, changing nothing.</summary>
        Refuse,
    }

    /// <summary>Options of the Deploy stage.</summary>
    public sealed class DeployOptions
    {
        internal string? ServiceName { get; private set; }
        internal string? ContainerName { get; private set; }
        internal string? FamilyName { get; private set; }
        internal List<EcsKeyValuePair> EnvironmentVariables { get; } = [];
        internal List<KeyValuePair<string, string>> SecretReferences { get; } = [];
        internal bool CircuitBreakerEnabled { get; private set; } = true;
        internal bool RollbackEnabled { get; private set; } = true;
        internal TimeSpan Timeout { get; private set; } = TimeSpan.FromMinutes(10);
        internal bool WaitEnabled { get; private set; } = true;
        internal AnotherDeployment AnotherDeploymentPolicy { get; private set; } = AnotherDeployment.Wait;
        internal List<(string From, string To)> DependencyEdges { get; } = [];
        internal int? LogRetentionDays { get; private set; }

        /// <summary>
        /// Keeps the container's CloudWatch log groups (awslogs) for this many days (the seed: 7), set idempotently
        /// before the service is updated. CloudWatch accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
        /// 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.
        /// </summary>
        public DeployOptions LogRetention(int days)
        {
            LogRetentionDays = days;
            return this;
        }

        /// <summary>The ECS service to update.</summary>
        public DeployOptions Service(string service)
        {
            ServiceName = service;
            return this;
        }

        /// <summary>The container whose image and environment the pipeline sets (default: the only container, else the pipeline name).</summary>
        public DeployOptions Container(string container)
        {
            ContainerName = container;
            return this;
        }

        /// <summary>The task-definition family to register (default: the family the service runs now).</summary>
        public DeployOptions Family(string family)
        {
            FamilyName = family;
            return this;
        }

        /// <summary>A plain environment variable. Secrets belong in <see cref="Secret"/>.</summary>
        public DeployOptions Environment(string name, string value)
        {
            EnvironmentVariables.Add(new EcsKeyValuePair(name, value));
            return this;
        }

        /// <summary>A variable ECS injects from Secrets Manager: the secret's name or ARN, never its value.</summary>
        public DeployOptions Secret(string name, string secretId)
        {
            SecretReferences.Add(new(name, secretId));
            return this;
        }

        /// <summary>The ECS deployment circuit breaker (default on).</summary>
        public DeployOptions CircuitBreaker(bool enabled = true)
        {
            CircuitBreakerEnabled = enabled;
            return this;
        }

        /// <summary>Roll back to the last good revision on failure (default on).</summary>
        public DeployOptions RollbackOnFailure(bool enabled = true)
        {
            RollbackEnabled = enabled;
            return this;
        }

        /// <summary>How long to wait for the deployment to complete before rolling back (default 10 minutes).</summary>
        public DeployOptions WaitTimeout(TimeSpan timeout)
        {
            Timeout = timeout;
            return this;
        }

        /// <summary>Wait for the deployment to complete (default on).</summary>
        public DeployOptions Wait(bool enabled = true)
        {
            WaitEnabled = enabled;
            return this;
        }

        /// <summary>
        /// This service depends on <paramref name="service"/>: with <c>--deploy-dependencies</c> that service is
        /// deployed (a new deployment of the revision it runs) and confirmed before this one is touched.
        /// </summary>
        public DeployOptions DependsOn(string service)
        {
            DependencyEdges.Add(("", service));
            return this;
        }

        /// <summary>A dependency's own dependencies, so that they deploy before it: the services form a graph.</summary>
        public DeployOptions Dependency(string service, params string[] dependsOn)
        {
            foreach (var target in dependsOn)
            {
                DependencyEdges.Add((service, target));
            }
            return this;
        }

        /// <summary>What to do when the service has a deployment in progress that this run did not start.</summary>
        public DeployOptions WhenAnotherDeploymentInProgress(AnotherDeployment policy)
        {
            AnotherDeploymentPolicy = policy;
            return this;
        }
    }

    /// <summary>Adds the Deploy stage.</summary>
    public static class DeployExtensions
    {
        /// <summary>Registers the rendered task definition, updates the service, and waits for this deployment to complete.</summary>
        [PipelineStage("Deploy", RunsAfter = ["Build", "Push", "Migrate", "WithOllama"], RunsBefore = ["Verify"])]
        public static PipelineBuilder Deploy(this PipelineBuilder pipeline, Action<DeployOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            ArgumentNullException.ThrowIfNull(configure);
            var options = new DeployOptions();
            configure(options);
            return pipeline.AddStage(new DeployStage(options));
        }
    }
}

namespace EcsDeploy.Deployments
{
    /// <summary>What the plan found: the service, what it runs, and the secrets resolved to ARNs.</summary>
    internal sealed record DeployPreparation(EcsService Service, TaskDefinition Current, IReadOnlyList<EcsTag> Tags, string ContainerName, string Family, IReadOnlyList<EcsSecret> Secrets);

    internal sealed class DeployStage(DeployOptions options) : IPipelineStage, Iam.IDeclaresIamPermissions
    {
        /// <summary>The service's rollout, registering its task definition (passing its roles), and resolving its secrets' ARNs.</summary>
        public IEnumerable<Iam.IamGrant> IamGrants(Iam.IamScope scope)
        {
            var grants = new List<Iam.IamGrant>(scope.Rollout("DeployService", options.ServiceName!));
            var ollamaService = scope.Definition.Stage<Ollama.OllamaStage>()?.ServiceName(scope.Definition);
            foreach (var (dependency, index) in Graph(scope.Definition).DeploymentOrder().Where(d => d != ollamaService).Select((d, i) => (d, i)))
            {
                // --deploy-dependencies rolls these out too (the Ollama service's grant comes with WithOllama).
                grants.AddRange(scope.Rollout($"DeployDependency{index + 1}", dependency));
            }
            grants.AddRange(scope.RegisterTaskDefinitions());
            if (options.LogRetentionDays is not null)
            {
                grants.Add(new("FindLogGroups", ["logs:DescribeLogGroups"], [scope.Arn("logs", "log-group:*")]));
                grants.Add(new("SetLogRetention", ["logs:PutRetentionPolicy"], scope.LogGroups.Count == 0
                    ? [scope.Arn("logs", "log-group:/ecs/*")]
                    : [.. scope.LogGroups.SelectMany(g => new[] { scope.Arn("logs", $"log-group:{g}"), scope.Arn("logs", $"log-group:{g}:*") })]));
            }
            if (options.SecretReferences.Count > 0)
            {
                grants.Add(new("ResolveSecretArns", ["secretsmanager:DescribeSecret"], [.. options.SecretReferences.Select(s => scope.SecretArn(s.Value)).Distinct(StringComparer.Ordinal)]));
            }
            return grants;
        }

        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(DeployExtensions), nameof(DeployExtensions.Deploy));
        internal static readonly OutputKey<DeployPreparation> Preparation = new("deploy preparation");

        public StageDescriptor Descriptor => Stage;

        public DeployOptions Options => options;

        /// <summary>The services this one depends on, with the Ollama service when the pipeline has WithOllama.</summary>
        public ServiceGraph Graph(PipelineDefinition definition)
        {
            var root = options.ServiceName ?? "";
            var graph = new ServiceGraph(root);
            foreach (var (from, to) in options.DependencyEdges)
            {
                graph.AddEdge(from.Length == 0 ? root : from, to);
            }
            if (definition.Stage<Ollama.OllamaStage>() is { } ollama)
            {
                graph.AddEdge(root, ollama.ServiceName(definition));
            }
            return graph;
        }

        public void Validate(PipelineDefinition definition, ICollection<string> problems)
        {
            if (options.ServiceName is null)
            {
                problems.Add("Deploy: no service: call d.Service(\"my-service\").");
            }
            else
            {
                NameCheck.Add(problems, AwsNameKind.Service, options.ServiceName);
            }
            if (options.ContainerName is not null)
            {
                NameCheck.Add(problems, AwsNameKind.Container, options.ContainerName);
            }
            if (options.FamilyName is not null)
            {
                NameCheck.Add(problems, AwsNameKind.TaskFamily, options.FamilyName);
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in options.EnvironmentVariables.Select(e => e.Name).Concat(options.SecretReferences.Select(s => s.Key)))
            {
                NameCheck.Add(problems, AwsNameKind.EnvironmentVariable, name);
                if (!names.Add(name))
                {
                    problems.Add(EnvironmentRules.DuplicateVariable(name));
                }
            }
            foreach (var variable in options.EnvironmentVariables.Where(e => SecretRules.IsSecretName(e.Name)))
            {
                problems.Add(SecretRules.LiteralSecret(variable.Name));
            }
            foreach (var secret in options.SecretReferences.Where(s => string.IsNullOrWhiteSpace(s.Value)))
            {
                problems.Add($"Deploy: secret '{secret.Key}' has no secret id: give the Secrets Manager name or ARN.");
            }
            if (options.LogRetentionDays is { } days && !LogRetentionPeriods.Allowed.Contains(days))
            {
                problems.Add($"Deploy: log retention of {days} days is not a period CloudWatch Logs accepts: use one of {string.Join(", ", LogRetentionPeriods.Allowed)} (for example d.LogRetention(7)).");
            }
            foreach (var problem in Graph(definition).Problems())
            {
                problems.Add(problem);
            }
            if (options.Timeout <= TimeSpan.Zero)
            {
                problems.Add($"Deploy: wait timeout {options.Timeout} is not positive: give d.WaitTimeout(TimeSpan.FromMinutes(10)).");
            }
            if (definition.Stage<Ollama.OllamaStage>() is { } ollama && ollama.Options.RequestTimeout > TimeSpan.Zero
                && OllamaRules.CheckTimeout(ollama.Options.RequestTimeout, options.Timeout) is { } ollamaProblem)
            {
                problems.Add(ollamaProblem);
            }
        }

        public async Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var preparation = await PrepareAsync(context, cancellationToken).ConfigureAwait(false);
            context.Set(Preparation, preparation);
            context.Set(StageOutputs.PreviousTaskDefinition, preparation.Service.TaskDefinition!);

            var image = context.Get(StageOutputs.Image);
            var imageForPlan = image?.Reference
                ?? (context.Get(StageOutputs.GitSha) is { } sha && context.Definition.Stage<Images.PushStage>() is { } push
                    ? $"(image built by this run, {push.Repository(context.Definition)}:{sha})"
                    : null);
            var rendered = Render(context, preparation, imageForPlan);
            var diff = TaskDefinitionRenderer.Diff(preparation.Current, rendered);
            var details = new List<KeyValuePair<string, string>>
            {
                new("service", $"{options.ServiceName} in {context.Definition.Cluster}"),
                new("running now", preparation.Current.TaskDefinitionArn ?? "?"),
                new("container", preparation.ContainerName),
            };
            details.AddRange(preparation.Secrets.Select(s => new KeyValuePair<string, string>("secret " + s.Name, s.ValueFrom)));
            var order = Graph(context.Definition).DeploymentOrder();
            if (order.Count > 0)
            {
                details.Add(new("depends on", context.Options.DeployDependencies
                    ? $"{string.Join(" -> ", order)} (deployed first, in this order)"
                    : $"{string.Join(", ", order)} (left as they are; --deploy-dependencies deploys them first)"));
            }
            if (options.LogRetentionDays is { } days)
            {
                details.Add(new("log retention", $"{days} days for {string.Join(", ", LogGroups(preparation.Current).DefaultIfEmpty("(no awslogs log group)"))}"));
            }
            var summary = context.Options.NoWait || !options.WaitEnabled
                ? $"update {options.ServiceName} without waiting"
                : $"update {options.ServiceName} and wait up to {options.Timeout.TotalMinutes:0.#} min (circuit breaker {(options.CircuitBreakerEnabled ? "on" : "off")}, rollback {(options.RollbackEnabled ? "on" : "off")})";
            return new StagePlan(Stage.Name, summary) { Details = details, Diff = diff.Count == 0 ? ["(no change to the task definition)"] : diff };
        }

        public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            await ApplyLogRetentionAsync(context, cancellationToken).ConfigureAwait(false);
            var registered = await EnsureRegisteredAsync(context, cancellationToken).ConfigureAwait(false);
            await DeployDependenciesAsync(context, cancellationToken).ConfigureAwait(false);
            var serviceName = options.ServiceName!;
            var tracker = new RolloutTracker(context, new RolloutSettings(options.Timeout, options.AnotherDeploymentPolicy, options.CircuitBreakerEnabled, options.RollbackEnabled));

            if (context.Options.NoWait || !options.WaitEnabled)
            {
                var id = await tracker.StartWithoutWaitingAsync(serviceName, registered.Arn, cancellationToken).ConfigureAwait(false);
                context.Set(StageOutputs.Deployment, new DeploymentOutcome { Service = serviceName, DeploymentId = id, RolloutState = "IN_PROGRESS", FinalTaskDefinition = registered.Arn, Confirmed = false });
                context.Warn($"{serviceName}: deployment {id} started; not waiting, so it is not confirmed");
                return;
            }

            var result = await tracker.DeployAsync(serviceName, registered.Arn, cancellationToken).ConfigureAwait(false);
            context.Set(StageOutputs.Deployment, new DeploymentOutcome
            {
                Service = serviceName,
                DeploymentId = result.DeploymentId,
                RolloutState = result.RolloutState,
                RolloutStateReason = result.RolloutStateReason,
                RolledBack = result.RolledBack,
                FinalTaskDefinition = result.FinalTaskDefinition,
                Confirmed = true,
            });
            if (!result.Succeeded)
            {
                throw new PipelineStageException($"Deployment of '{serviceName}' failed: {result.Summary}", result.Failure ?? FailureKind.NeedsAttention);
            }
            context.Info(result.Summary);
        }

        /// <summary>With --deploy-dependencies, rolls out every dependency (deepest first) before this service.</summary>
        private async Task DeployDependenciesAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (!context.Options.DeployDependencies)
            {
                return;
            }
            var done = context.Get(StageOutputs.DeployedServices) ?? [];
            foreach (var dependency in Graph(context.Definition).DeploymentOrder().Where(d => !done.Contains(d)))
            {
                var tracker = new RolloutTracker(context, new RolloutSettings(options.Timeout, options.AnotherDeploymentPolicy, options.CircuitBreakerEnabled, options.RollbackEnabled));
                var result = await tracker.DeployAsync(dependency, taskDefinitionArn: null, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    throw new PipelineStageException(
                        $"Dependency '{dependency}' of '{options.ServiceName}' did not deploy ({result.Summary}); '{options.ServiceName}' was not touched.",
                        result.RolledBack ? FailureKind.Failed : result.Failure ?? FailureKind.NeedsAttention);
                }
                done = [.. done, dependency];
                context.Set(StageOutputs.DeployedServices, done);
            }
        }

        /// <summary>
        /// Renders the task definition for the image this run deploys and registers it, or reuses the latest
        /// revision of the family when it is equivalent (a re-run registers no duplicate). Shared with Migrate,
        /// so the migration runs the very revision the service will.
        /// </summary>
        public async Task<RegisteredTaskDefinition> EnsureRegisteredAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (context.Get(StageOutputs.TaskDefinition) is { } done)
            {
                return done;
            }
            var preparation = context.Require(Preparation, "the Deploy stage was not planned");
            var rendered = Render(context, preparation, context.Get(StageOutputs.Image)?.Reference);

            var registered = await FindEquivalentAsync(context, preparation.Family, rendered, cancellationToken).ConfigureAwait(false);
            if (registered is null)
            {
                try
                {
                    var response = await context.Aws.Ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest(rendered, preparation.Tags), cancellationToken).ConfigureAwait(false);
                    registered = new RegisteredTaskDefinition(response.TaskDefinition.TaskDefinitionArn!, response.TaskDefinition.Revision ?? 0, false, response.TaskDefinition);
                }
                catch (Exception ex) when (ex is HttpRequestException or AwsServiceException { IsTransient: true })
                {
                    // The answer was lost: the revision may exist. Look before registering again.
                    registered = await FindEquivalentAsync(context, preparation.Family, rendered, cancellationToken).ConfigureAwait(false);
                    if (registered is null)
                    {
                        var response = await context.Aws.Ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest(rendered, preparation.Tags), cancellationToken).ConfigureAwait(false);
                        registered = new RegisteredTaskDefinition(response.TaskDefinition.TaskDefinitionArn!, response.TaskDefinition.Revision ?? 0, false, response.TaskDefinition);
                    }
                }
                context.Info($"registered {RolloutTracker.ShortTaskDefinition(registered.Arn)}");
            }
            else
            {
                if (registered.Arn != preparation.Service.TaskDefinition)
                {
                    context.NoteLeftByEarlierRun($"revision {RolloutTracker.ShortTaskDefinition(registered.Arn)} was already registered (by an earlier run) with exactly this definition: reused, not registered again");
                }
                else
                {
                    context.Info($"reusing {RolloutTracker.ShortTaskDefinition(registered.Arn)}: the service already runs exactly this definition");
                }
            }
            context.Set(StageOutputs.TaskDefinition, registered);
            return registered;
        }

        private static IReadOnlyList<string> LogGroups(TaskDefinition definition) => [.. (definition.ContainerDefinitions ?? [])
            .Select(c => c.LogConfiguration)
            .Where(l => l?.LogDriver == "awslogs" && l.Options is not null && l.Options.ContainsKey("awslogs-group"))
            .Select(l => l!.Options!["awslogs-group"])
            .Distinct(StringComparer.Ordinal)];

        /// <summary>Sets the retention of the service's log groups where it differs: a re-run calls PutRetentionPolicy no more.</summary>
        private async Task ApplyLogRetentionAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (options.LogRetentionDays is not { } days)
            {
                return;
            }
            var preparation = context.Require(Preparation, "the Deploy stage was not planned");
            foreach (var group in LogGroups(preparation.Current))
            {
                LogGroup? found = null;
                string? token = null;
                do
                {
                    var page = await context.Aws.Logs.DescribeLogGroupsAsync(new DescribeLogGroupsRequest(group, token), cancellationToken).ConfigureAwait(false);
                    found = page.LogGroups.FirstOrDefault(g => g.LogGroupName == group);
                    token = page.NextToken;
                }
                while (found is null && !string.IsNullOrEmpty(token));
                if (found is null)
                {
                    context.Warn($"log group {group} does not exist, so its retention was not set: create it (Terraform, aws logs create-log-group) and run again");
                    continue;
                }
                if (found.RetentionInDays == days)
                {
                    context.Verbose($"log group {group} already keeps events {days} days");
                    continue;
                }
                await context.Aws.Logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest(group, days), cancellationToken).ConfigureAwait(false);
                context.Info($"log group {group}: retention {(found.RetentionInDays is { } before ? $"{before} days" : "never expire")} -> {days} days");
            }
        }

        private static async Task<RegisteredTaskDefinition?> FindEquivalentAsync(PipelineContext context, string family, TaskDefinition rendered, CancellationToken cancellationToken)
        {
            try
            {
                var latest = await context.Aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(family, IncludeTags: false), cancellationToken).ConfigureAwait(false);
                return TaskDefinitionRenderer.AreEquivalent(latest.TaskDefinition, rendered)
                    ? new RegisteredTaskDefinition(latest.TaskDefinition.TaskDefinitionArn!, latest.TaskDefinition.Revision ?? 0, true, latest.TaskDefinition)
                    : null;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode is "ClientException" or "InvalidParameterException")
            {
                return null; // No active revision of the family yet.
            }
        }

        private TaskDefinition Render(PipelineContext context, DeployPreparation preparation, string? image)
        {
            var environment = options.EnvironmentVariables.Concat(context.Get(StageOutputs.ExtraEnvironment) ?? []).ToList();
            return TaskDefinitionRenderer.Render(preparation.Current, new TaskDefinitionChanges(preparation.Family, preparation.ContainerName, image, environment, preparation.Secrets));
        }

        private async Task<DeployPreparation> PrepareAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var cluster = context.Definition.Cluster;
            var serviceName = options.ServiceName!;
            var described = await context.Aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(cluster, [serviceName]), cancellationToken).ConfigureAwait(false);
            var service = described.Services.FirstOrDefault(s => s.ServiceName == serviceName && s.Status == "ACTIVE")
                ?? throw new PipelineStageException($"Service '{serviceName}' was not found in cluster '{cluster}' ({described.Failures.FirstOrDefault()?.Reason ?? "not active"}): create it first (Terraform), or fix d.Service(...) and .OnCluster(...).", FailureKind.Invalid);
            var current = await context.Aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(service.TaskDefinition!), cancellationToken).ConfigureAwait(false);

            var containers = current.TaskDefinition.ContainerDefinitions ?? [];
            var containerName = options.ContainerName ?? (containers.Count == 1 ? containers[0].Name! : context.Definition.Name);

            // Resolve every secret to its ARN now, and report all missing ones at once.
            var secrets = new List<EcsSecret>();
            var missing = new List<string>();
            foreach (var (name, secretId) in options.SecretReferences)
            {
                try
                {
                    var secret = await context.Aws.SecretsManager.DescribeSecretAsync(secretId, cancellationToken).ConfigureAwait(false);
                    secrets.Add(new EcsSecret(name, secret.ARN));
                }
                catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
                {
                    missing.Add($"{name} -> {secretId}");
                }
            }
            if (missing.Count > 0)
            {
                throw new PipelineStageException($"Secrets Manager has no secret for {string.Join(", ", missing)}: create them (aws secretsmanager create-secret --name ...) or fix d.Secret(...).", FailureKind.Invalid);
            }
            return new DeployPreparation(service, current.TaskDefinition, current.Tags, containerName, options.FamilyName ?? current.TaskDefinition.Family!, secrets);
        }
    }
}
