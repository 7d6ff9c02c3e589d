using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Rules;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy
{
    /// <summary>Adds the Deploy stage.</summary>
    public static class DeployExtensions
    {
        /// <summary>Registers the rendered task definition, updates the service, and waits for this deployment to complete.</summary>
        [PipelineStage("Deploy", Uses = [OutputNames.Image, OutputNames.GitSha, OutputNames.ExtraEnvironment],
            Produces = [OutputNames.TaskDefinition, OutputNames.PreviousTaskDefinition, OutputNames.Deployment])]
        public static PipelineBuilder Deploy(this PipelineBuilder pipeline, Action<DeployOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            ArgumentNullException.ThrowIfNull(configure);
            var options = new DeployOptions();
            configure(options);
            return pipeline.AddStage(new DeployStage(options), options);
        }
    }
}

namespace EcsDeploy.Deployments
{
    internal sealed class DeployStage(DeployOptions options) : IDeploysService, Iam.IDeclaresIamPermissions
    {
        /// <summary>The service's rollout, registering its task definition (passing its roles), and resolving its secrets' ARNs.</summary>
        public IEnumerable<Iam.IamGrant> IamGrants(Iam.IamScope scope)
        {
            var grants = new List<Iam.IamGrant>(scope.Rollout("DeployService", ServiceName!));
            var ollamaService = scope.Definition.Stage<Ollama.OllamaStage>()?.ServiceName(scope.Definition);
            foreach (var (dependency, index) in Graph(scope.Definition).DeploymentOrder().Where(d => d != ollamaService).Select((d, i) => (d, i)))
            {
                // --deploy-dependencies rolls these out too (the Ollama service's grant comes with WithOllama).
                grants.AddRange(scope.Rollout($"DeployDependency{index + 1}", dependency));
            }
            grants.AddRange(scope.RegisterTaskDefinitions());
            grants.AddRange(StrategyPlan.IamGrants(options, ServiceName!, Routing, scope));
            if (options.LogRetentionDays is not null)
            {
                grants.Add(new("FindLogGroups", ["logs:DescribeLogGroups"], [scope.Arn("logs", "log-group:*")]));
                grants.Add(new("SetLogRetention", ["logs:PutRetentionPolicy"], scope.LogGroups.Count == 0
                    ? [scope.Arn("logs", "log-group:/ecs/*")]
                    : [.. scope.LogGroups.SelectMany(g => new[] { scope.Arn("logs", $"log-group:{g}"), scope.Arn("logs", $"log-group:{g}:*") })]));
            }
            if (options.AutoScalingSuspended)
            {
                grants.AddRange(scope.SuspendAutoScaling(ServiceName!));
            }
            if (options.SecretReferences.Count > 0)
            {
                grants.Add(new("ResolveSecretArns", ["secretsmanager:DescribeSecret"], [.. options.SecretReferences.Select(s => scope.SecretArn(s.Value)).Distinct(StringComparer.Ordinal)]));
            }
            return grants;
        }

        /// <summary>The service the Terraform output <c>ecs_service_name</c> names (<c>Pipeline.FromTerraform</c>), when d.Service(...) is not given.</summary>
        internal string? ServiceFromTerraform { get; init; }

        /// <summary>The alternate target group, listener rules and role the Terraform outputs give (<c>lb.FromTerraform()</c>).</summary>
        internal AdvancedConfiguration? RoutingFromTerraform { get; init; }

        /// <summary>The load balancer's advanced configuration UpdateService sends: from Terraform, else as given.</summary>
        internal AdvancedConfiguration? Routing => RoutingFromTerraform ?? StrategySettings.From(options).Routing;

        /// <summary>d.Service(...), else the service Terraform names.</summary>
        internal string? ServiceName => options.ServiceName ?? ServiceFromTerraform;

        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(DeployExtensions), nameof(DeployExtensions.Deploy));
        /// <summary>What this stage's plan read, for its execution (not an output other stages read).</summary>
        private static readonly OutputKey<ServiceRevisionBasis> Basis = new("deploy basis");

        public StageDescriptor Descriptor => Stage;

        public DeployOptions Options => options;

        public ServiceRevisionSpec Target => new(ServiceName ?? "")
        {
            Container = options.ContainerName,
            Family = options.FamilyName,
            Environment = [.. options.EnvironmentVariables],
            Secrets = [.. options.SecretReferences],
        };

        /// <summary>What the plan read of ECS's clean-up after the bake (blue/green, linear, canary), for the wait budget.</summary>
        private static readonly OutputKey<StrategyCleanUp> CleanUp = new("deploy clean-up");

        /// <summary>
        /// How this stage rolls out: the wait budget (counting the clean-up the plan read, if it did) and the deployment
        /// configuration the pipeline declares and owns, rolling unless <c>d.Strategy(...)</c> says otherwise.
        /// </summary>
        internal RolloutSettings Settings(PipelineContext? context) => new(StrategySettings.WaitBudget(options, context?.Get(CleanUp)?.Delay), options.AnotherDeploymentPolicy, options.CircuitBreakerEnabled, options.RollbackEnabled)
        {
            Strategy = RoutingFromTerraform is { } routing ? StrategySettings.From(options) with { Routing = routing } : StrategySettings.From(options),
        };

        /// <summary>The services this one depends on, with the Ollama service when the pipeline has WithOllama.</summary>
        public ServiceGraph Graph(PipelineDefinition definition) => Graph(definition, ServiceName ?? "");

        private ServiceGraph Graph(PipelineDefinition definition, string root)
        {
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
            if (ServiceName is null)
            {
                if (!definition.NamesFromTerraform)
                {
                    problems.Add("Deploy: no service: call d.Service(\"my-service\").");
                }
            }
            else
            {
                NameCheck.Add(problems, AwsNameKind.Service, ServiceName);
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
            // Before Terraform names the service (Pipeline.FromTerraform), a stand-in checks the dependencies' names and cycles.
            foreach (var problem in Graph(definition, ServiceName ?? (definition.NamesFromTerraform ? "ecs-service-name" : "")).Problems())
            {
                problems.Add(problem);
            }
            StrategyValidation.Validate(options, definition.NamesFromTerraform, problems);
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
            if (context.Options.WaitUntilStage is { } until && !options.DeploymentStrategy.ShiftsTraffic)
            {
                throw new PipelineStageException(
                    $"--wait-until {until}: '{ServiceName}' is deployed with a rolling deployment, which has no lifecycle stages to stop at: drop --wait-until, or deploy with d.Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5))) (or BlueGreen, Linear).",
                    FailureKind.Invalid);
            }
            var basis = await context.TaskDefinitions.PrepareAsync(Target, cancellationToken).ConfigureAwait(false);
            context.Set(Basis, basis);
            context.Set(StageOutputs.PreviousTaskDefinition, basis.Running.Service.TaskDefinition!);

            var image = context.Get(StageOutputs.Image);
            var imageForPlan = image?.Reference
                ?? (context.Get(StageOutputs.GitSha) is { } sha ? $"(image built by this run, tagged {sha})" : null);
            var rendered = context.TaskDefinitions.Render(basis, imageForPlan);
            var diff = TaskDefinitionRenderer.Diff(basis.Running.TaskDefinition, rendered);
            var details = new List<KeyValuePair<string, string>>
            {
                new("service", $"{ServiceName} in {context.Definition.Cluster}"),
                new("running now", basis.Running.TaskDefinition.TaskDefinitionArn ?? "?"),
                new("container", basis.ContainerName),
            };
            details.AddRange(basis.Secrets.Select(s => new KeyValuePair<string, string>("secret " + s.Name, s.ValueFrom)));
            var order = Graph(context.Definition).DeploymentOrder();
            if (order.Count > 0)
            {
                details.Add(new("depends on", context.Options.DeployDependencies
                    ? $"{string.Join(" -> ", order)} (deployed first, in this order)"
                    : $"{string.Join(", ", order)} (left as they are; --deploy-dependencies deploys them first)"));
            }
            if (options.LogRetentionDays is { } days)
            {
                details.Add(new("log retention", $"{days} days for {string.Join(", ", LogGroups(basis.Running.TaskDefinition).DefaultIfEmpty("(no awslogs log group)"))}"));
            }
            if (options.AutoScalingSuspended)
            {
                var target = await AutoScalingSuspension.FindAsync(AutoScalingSuspension.Require(context), context.Definition.Cluster, ServiceName!, cancellationToken).ConfigureAwait(false);
                details.Add(new("auto scaling", target is null ? "no scalable target: nothing to suspend"
                    : context.Options.NoWait || !options.WaitEnabled ? "left as it is: without waiting, nothing would restore it after the rollout"
                    : $"suspended during the rollout, then restored ({AutoScalingSuspension.Describe((target.SuspendedState ?? SuspendedState.None).Explicit())} now; range {target.MinCapacity}-{target.MaxCapacity})"));
            }
            var strategy = options.DeploymentStrategy;
            var cleanUp = TimeSpan.Zero;
            if (strategy.ShiftsTraffic)
            {
                var read = await StrategyPlan.CleanUpAsync(context, basis.Running.Service, Routing, cancellationToken).ConfigureAwait(false);
                context.Set(CleanUp, read);
                cleanUp = read.Delay;
                details.AddRange(StrategyPlan.Details(options, Routing, read));
            }
            // The deployment configuration the pipeline owns, against the service's (as diff shows it).
            var changes = DeploymentConfigurationChanges.Lines(basis.Running.Service, Settings(context));
            details.AddRange(changes.Select(c => new KeyValuePair<string, string>("service setting", c.TrimStart('~', ' '))));
            var switching = changes.FirstOrDefault(c => c.StartsWith("~ deploymentConfiguration.strategy:", StringComparison.Ordinal)) is { } line
                ? $"; switches the service's deployment strategy {line[(line.IndexOf(':', StringComparison.Ordinal) + 2)..]}" : "";
            var summary = context.Options.NoWait || !options.WaitEnabled
                ? $"update {ServiceName} without waiting{switching}"
                : strategy.ShiftsTraffic
                    ? $"update {ServiceName} with a {strategy} deployment: at least {Rules.DeployRules.Describe(strategy.MinimumDuration + cleanUp)} (bakes, then the clean-up), waiting up to {Settings(context).WaitTimeout.TotalMinutes:0.#} min{switching}"
                        + (context.Options.WaitUntilStage is { } stage ? $", or until it reaches {stage} (--wait-until: then ECS goes on without this run, and Verify is skipped)" : "")
                    : $"update {ServiceName} and wait up to {options.Timeout.TotalMinutes:0.#} min (circuit breaker {(options.CircuitBreakerEnabled ? "on" : "off")}, rollback {(options.RollbackEnabled ? "on" : "off")}){switching}";
            return new StagePlan(Stage.Name, summary) { Details = details, Diff = diff.Count == 0 ? ["(no change to the task definition)"] : diff };
        }

        public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            await ApplyLogRetentionAsync(context, cancellationToken).ConfigureAwait(false);
            var registered = await EnsureRegisteredAsync(context, cancellationToken).ConfigureAwait(false);
            await DeployDependenciesAsync(context, cancellationToken).ConfigureAwait(false);
            var serviceName = ServiceName!;

            if (context.Options.NoWait || !options.WaitEnabled)
            {
                var id = await context.Rollouts.StartAsync(serviceName, registered.Arn, Settings(context), cancellationToken).ConfigureAwait(false);
                context.Set(StageOutputs.Deployment, new DeploymentOutcome { Service = serviceName, DeploymentId = id, RolloutState = RolloutStates.InProgress, FinalTaskDefinition = registered.Arn, Confirmed = false });
                context.Warn($"{serviceName}: deployment {id} started; not waiting, so it is not confirmed" + (options.AutoScalingSuspended ? " (auto scaling was not suspended: nothing would restore it)" : ""));
                return;
            }

            var settings = Settings(context) is { Strategy: { } strategy } plain ? plain with { Strategy = strategy with { WaitUntilStage = context.Options.WaitUntilStage } } : Settings(context);
            var result = options.AutoScalingSuspended
                ? await AutoScalingSuspension.AroundAsync(context, serviceName, ct => context.Rollouts.RollOutAsync(serviceName, registered.Arn, settings, ct), cancellationToken).ConfigureAwait(false)
                : await context.Rollouts.RollOutAsync(serviceName, registered.Arn, settings, cancellationToken).ConfigureAwait(false);
            context.Set(StageOutputs.Deployment, new DeploymentOutcome
            {
                Service = serviceName,
                DeploymentId = result.DeploymentId,
                RolloutState = result.RolloutState,
                RolloutStateReason = result.RolloutStateReason,
                RolledBack = result.RolledBack,
                FinalTaskDefinition = result.FinalTaskDefinition,
                // Stopped following at a lifecycle stage (--wait-until): ECS has not finished, so the run has not confirmed it.
                Confirmed = result.StoppedFollowingAt is null,
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
                var result = await context.Rollouts.RollOutAsync(dependency, taskDefinitionArn: null, Settings(context) with { Strategy = null, WaitTimeout = options.Timeout }, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    throw new PipelineStageException(
                        $"Dependency '{dependency}' of '{ServiceName}' did not deploy ({result.Summary}); '{ServiceName}' was not touched.",
                        result.RolledBack ? FailureKind.Failed : result.Failure ?? FailureKind.NeedsAttention);
                }
                done = [.. done, dependency];
                context.Set(StageOutputs.DeployedServices, done);
            }
        }

        /// <summary>
        /// Renders the task definition for the image this run deploys and registers it through the public service, which
        /// reuses the family's latest revision when it is equivalent (a re-run, or a migration that ran on it first).
        /// </summary>
        private async Task<RegisteredTaskDefinition> EnsureRegisteredAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var basis = context.Require(Basis, "the Deploy stage was not planned");
            var rendered = context.TaskDefinitions.Render(basis, context.Get(StageOutputs.Image)?.Reference);
            var registered = await context.TaskDefinitions.RegisterAsync(rendered, basis.Running.Tags, cancellationToken).ConfigureAwait(false);
            if (registered.Reused && registered.Arn == basis.Running.Service.TaskDefinition)
            {
                context.Info($"reusing {RolloutTracker.ShortTaskDefinition(registered.Arn)}: the service already runs exactly this definition");
            }
            else if (registered.Reused && !context.TaskDefinitions.RegisteredThisRun(registered.Arn))
            {
                context.NoteLeftByEarlierRun($"revision {RolloutTracker.ShortTaskDefinition(registered.Arn)} was already registered (by an earlier run) with exactly this definition: reused, not registered again");
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
            var basis = context.Require(Basis, "the Deploy stage was not planned");
            foreach (var group in LogGroups(basis.Running.TaskDefinition))
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
    }
}
