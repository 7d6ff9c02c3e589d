using System.Globalization;
using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Ollama;
using EcsDeploy.Rules;

namespace EcsDeploy
{
    /// <summary>Options of the WithOllama stage: how the backend finds and uses the Ollama service.</summary>
    public sealed class OllamaOptions : IFreezable
    {
        private readonly FreezeGuard _freeze = new("WithOllama");

        void IFreezable.Freeze() => _freeze.Freeze();

        internal string ModelName { get; private set; } = "llama3.2:1b";
        internal TimeSpan RequestTimeout { get; private set; } = TimeSpan.FromSeconds(30);
        internal string? ServiceName { get; private set; }
        internal string LoadBalancerFilter { get; private set; } = "ollama";
        internal string TerraformOutputName { get; private set; } = "ollama_alb_dns_name";
        internal string? ImageDirectory { get; private set; }
        internal string BakeDockerfile { get; private set; } = "Dockerfile";
        internal string PullDockerfile { get; private set; } = "Dockerfile.pull";
        internal string? RepositoryName { get; private set; }

        /// <summary>The model the backend uses (OLLAMA_MODEL; default <c>llama3.2:1b</c>).</summary>
        public OllamaOptions Model(string model)
        {
            _freeze.EnsureMutable();
            ModelName = model;
            return this;
        }

        /// <summary>The backend's request timeout (OLLAMA_TIMEOUT, in milliseconds; default 30 s).</summary>
        public OllamaOptions Timeout(TimeSpan timeout)
        {
            _freeze.EnsureMutable();
            RequestTimeout = timeout;
            return this;
        }

        /// <summary>The Ollama ECS service (default: <c>{pipeline}-ollama-service</c>), deployed with --deploy-ollama.</summary>
        public OllamaOptions Service(string service)
        {
            _freeze.EnsureMutable();
            ServiceName = service;
            return this;
        }

        /// <summary>
        /// With --deploy-ollama, builds the Ollama image from this folder and pushes it to the Ollama repository (tags: the git
        /// SHA and <c>latest</c>). Builders that run RUN steps (docker, buildah) build <paramref name="dockerfile"/>, which
        /// bakes the model in (it gets <c>--build-arg OLLAMA_MODEL</c>); the daemonless builder builds
        /// <paramref name="pullAtStartDockerfile"/>, whose entrypoint pulls the model at start. Without this the new Ollama
        /// revision runs the repository's <c>latest</c> image.
        /// </summary>
        public OllamaOptions Image(string directory, string dockerfile = "Dockerfile", string pullAtStartDockerfile = "Dockerfile.pull")
        {
            _freeze.EnsureMutable();
            ImageDirectory = directory;
            BakeDockerfile = dockerfile;
            PullDockerfile = pullAtStartDockerfile;
            return this;
        }

        /// <summary>The Ollama ECR repository (default: Terraform's <c>ecr_ollama_repository_url</c>, else <c>{pipeline}-ollama</c>).</summary>
        public OllamaOptions Repository(string name)
        {
            _freeze.EnsureMutable();
            RepositoryName = name;
            return this;
        }

        /// <summary>The fallback: the load balancer whose name contains this (default <c>ollama</c>).</summary>
        public OllamaOptions LoadBalancerNameContains(string text)
        {
            _freeze.EnsureMutable();
            LoadBalancerFilter = text;
            return this;
        }

        /// <summary>The Terraform output holding the Ollama load balancer's DNS name (default <c>ollama_alb_dns_name</c>).</summary>
        public OllamaOptions TerraformOutput(string name)
        {
            _freeze.EnsureMutable();
            TerraformOutputName = name;
            return this;
        }
    }

    /// <summary>Adds the WithOllama stage.</summary>
    public static class OllamaExtensions
    {
        /// <summary>Connects the backend to the Ollama service: resolves OLLAMA_URL and sets the OLLAMA_* variables.</summary>
        [PipelineStage("WithOllama", Produces = [OutputNames.OllamaUrl, OutputNames.ExtraEnvironment])]
        public static PipelineBuilder WithOllama(this PipelineBuilder pipeline, Action<OllamaOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            var options = new OllamaOptions();
            configure?.Invoke(options);
            return pipeline.AddStage(new OllamaStage(options), options);
        }
    }
}

namespace EcsDeploy.Ollama
{
    internal sealed class OllamaStage(OllamaOptions options) : IPipelineStage, Iam.IDeclaresIamPermissions
    {
        /// <summary>The load-balancer fallback for OLLAMA_URL, and --deploy-ollama's rollout of the Ollama service.</summary>
        public IEnumerable<Iam.IamGrant> IamGrants(Iam.IamScope scope) =>
        [
            new("FindOllamaLoadBalancer", ["elasticloadbalancing:DescribeLoadBalancers"], ["*"]),
            .. scope.Rollout("DeployOllamaService", ServiceName(scope.Definition)),
            // --deploy-ollama registers a new revision of the Ollama family, passing its roles.
            .. scope.RegisterTaskDefinitions(),
            // --deploy-ollama with o.Image(...) pushes the Ollama image.
            .. (options.ImageDirectory is null ? Array.Empty<Iam.IamGrant>() :
            [
                new("PushOllamaImage",
                    ["ecr:DescribeRepositories", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
                    [scope.Arn("ecr", "repository/" + (options.RepositoryName ?? scope.Definition.Name + "-ollama"))]),
                new("RegistryLogin", ["ecr:GetAuthorizationToken"], ["*"]),
            ]),
        ];

        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(OllamaExtensions), nameof(OllamaExtensions.WithOllama));

        public StageDescriptor Descriptor => Stage;

        public OllamaOptions Options => options;

        public string ServiceName(PipelineDefinition definition) => options.ServiceName ?? definition.NameFrom(Discovery.TerraformNames.OllamaService) ?? definition.Name + "-ollama-service";

        public void Validate(PipelineDefinition definition, ICollection<string> problems)
        {
            // The same rules and messages as the analyzer's ED0007. The check against the deployment's wait is made
            // by the Deploy stage, which knows the wait.
            if (OllamaRules.CheckModel(options.ModelName) is { } modelProblem)
            {
                problems.Add(modelProblem);
            }
            if (options.RequestTimeout <= TimeSpan.Zero && OllamaRules.CheckTimeout(options.RequestTimeout, null) is { } timeoutProblem)
            {
                problems.Add(timeoutProblem);
            }
            NameCheck.Add(problems, AwsNameKind.Service, ServiceName(definition));
            if (string.IsNullOrWhiteSpace(options.LoadBalancerFilter))
            {
                problems.Add("Ollama: the load-balancer name filter is empty: give o.LoadBalancerNameContains(\"ollama\").");
            }
        }

        public async Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var endpoint = await ResolveAsync(context, cancellationToken).ConfigureAwait(false);
            endpoint = endpoint with { Model = options.ModelName };
            context.Set(StageOutputs.OllamaUrl, endpoint);
            var environment = new List<EcsKeyValuePair>
            {
                new("OLLAMA_URL", endpoint.Url),
                new("OLLAMA_ENABLED", "true"),
                new("OLLAMA_MODEL", options.ModelName),
                new("OLLAMA_TIMEOUT", ((long)options.RequestTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)),
            };
            context.Set(StageOutputs.ExtraEnvironment, environment);
            var details = new List<KeyValuePair<string, string>> { new("OLLAMA_URL", $"{endpoint.Url} (from {endpoint.Source})"), new("OLLAMA_MODEL", options.ModelName) };
            if (context.Options.DeployOllama)
            {
                var repository = await RepositoryAsync(context, cancellationToken).ConfigureAwait(false);
                var image = await OllamaImage.PlanAsync(context, options, repository, cancellationToken).ConfigureAwait(false);
                var imageText = image is null ? $"the image tagged latest in {repository}" : $"the image built now and pushed to {repository}";
                details.Add(new("deploy", $"a new revision of {ServiceName(context.Definition)} ({imageText}, OLLAMA_MODEL={options.ModelName}), "
                    + "rolled out first with the circuit breaker and rollback on, then /api/tags must list the model before the backend is deployed"));
                if (image is not null)
                {
                    details.Add(new("ollama image", $"{image.Describe(options.ModelName)}; pushed to {repository} tagged with the git SHA and latest"));
                    details.Add(new("ollama image builder", $"{image.Choice.Builder.Kind.ToString().ToLowerInvariant()}: {image.Choice.Why}"));
                    context.Info("Ollama image: " + image.Describe(options.ModelName));
                }
            }
            return new StagePlan(Stage.Name, $"OLLAMA_URL={endpoint.Url} from {endpoint.Source}") { Details = details };
        }

        public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (!context.Options.DeployOllama)
            {
                context.Verbose("the Ollama service is left as it is (deploy it with --deploy-ollama)");
                return;
            }
            var service = ServiceName(context.Definition);
            if (await OllamaImage.BuildAndPushAsync(context, options.ModelName, cancellationToken).ConfigureAwait(false) is { } pushed)
            {
                context.Set(OllamaOutputs.Image, pushed);
            }
            await OllamaRollout.RunAsync(context, service, options.ModelName, cancellationToken).ConfigureAwait(false);
            context.Set(StageOutputs.DeployedServices, [.. context.Get(StageOutputs.DeployedServices) ?? [], service]);
        }

        /// <summary>The Ollama ECR repository: o.Repository(...), else Terraform's <c>ecr_ollama_repository_url</c>, else <c>{pipeline}-ollama</c>.</summary>
        public async Task<string> RepositoryAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if ((options.RepositoryName ?? context.Definition.NameFrom(Discovery.TerraformNames.OllamaRepository)) is { } name)
            {
                return name;
            }
            var url = await OllamaRollout.TerraformRepositoryUrlAsync(context, cancellationToken).ConfigureAwait(false);
            var slash = url?.IndexOf('/', StringComparison.Ordinal) ?? -1;
            return url is not null && slash > 0 ? url[(slash + 1)..] : context.Definition.Name + "-ollama";
        }

        /// <summary>Terraform output first, then the one load balancer whose name contains the filter.</summary>
        public async Task<OllamaEndpoint> ResolveAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var tried = new List<string>();
            if (context.Aws.Terraform is { } terraform)
            {
                var outputs = await terraform.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (outputs is null)
                {
                    tried.Add($"{terraform.Source}: not found");
                }
                else if (outputs.TryGetValue(options.TerraformOutputName, out var output) && output.Value.ValueKind == JsonValueKind.String && output.Value.GetString() is { Length: > 0 } dns)
                {
                    return new OllamaEndpoint(ToUrl(dns), $"Terraform output {options.TerraformOutputName}");
                }
                else
                {
                    tried.Add($"{terraform.Source}: no output '{options.TerraformOutputName}'");
                }
            }
            else
            {
                tried.Add("Terraform outputs: no state configured");
            }

            var matches = new List<LoadBalancer>();
            string? marker = null;
            do
            {
                var page = await context.Aws.Elbv2.DescribeLoadBalancersAsync(null, null, marker, cancellationToken).ConfigureAwait(false);
                matches.AddRange(page.LoadBalancers.Where(lb => lb.LoadBalancerName.Contains(options.LoadBalancerFilter, StringComparison.OrdinalIgnoreCase)));
                marker = page.NextMarker;
            }
            while (marker is not null);

            if (matches.Count == 1)
            {
                return new OllamaEndpoint(ToUrl(matches[0].DNSName), $"load balancer {matches[0].LoadBalancerName}");
            }
            if (matches.Count > 1)
            {
                throw new PipelineStageException(
                    $"Could not determine Ollama URL: {matches.Count} load balancers have '{options.LoadBalancerFilter}' in their name ({string.Join(", ", matches.Select(m => m.LoadBalancerName))}): "
                    + $"set the Terraform output '{options.TerraformOutputName}' or narrow o.LoadBalancerNameContains(...).",
                    FailureKind.Invalid);
            }
            tried.Add($"load balancers whose name contains '{options.LoadBalancerFilter}': none");
            throw new PipelineStageException(
                "Could not determine Ollama URL. Tried: " + string.Join("; ", tried) + ". "
                + $"Check that the Ollama service '{ServiceName(context.Definition)}' is deployed (aws ecs describe-services), "
                + $"that Terraform has the output '{options.TerraformOutputName}' (terraform output {options.TerraformOutputName}), "
                + $"and that a load balancer with '{options.LoadBalancerFilter}' in its name exists (aws elbv2 describe-load-balancers).",
                FailureKind.Invalid);
        }

        private static string ToUrl(string dnsOrUrl) => dnsOrUrl.StartsWith("http://", StringComparison.Ordinal) || dnsOrUrl.StartsWith("https://", StringComparison.Ordinal)
            ? dnsOrUrl.TrimEnd('/')
            : "http://" + dnsOrUrl.TrimEnd('/');
    }
}
