using System.Net;
using System.Text.Json;
using EcsDeploy.Deployments;
using EcsDeploy.Ollama;
using EcsDeploy.Verification;

namespace EcsDeploy
{
    /// <summary>Options of the Verify stage.</summary>
    public sealed class VerifyOptions : IFreezable
    {
        private readonly FreezeGuard _freeze = new("Verify");

        void IFreezable.Freeze() => _freeze.Freeze();

        internal List<string> Paths { get; } = [];
        internal bool CheckOllama { get; private set; }
        internal TimeSpan Within { get; private set; } = TimeSpan.FromMinutes(2);
        internal string? Url { get; private set; }
        internal string TerraformOutputName { get; private set; } = "alb_dns_name";
        internal bool RollbackEnabled { get; private set; }

        /// <summary>
        /// When a check fails after this run deployed the service, roll the service back to the revision it ran before
        /// (followed like a deployment), and fail with exit code 1 instead of 3. Off by default: the service is left on
        /// the new revision for a person to look at.
        /// </summary>
        public VerifyOptions RollbackOnFailure(bool enabled = true)
        {
            _freeze.EnsureMutable();
            RollbackEnabled = enabled;
            return this;
        }

        /// <summary>Checks that GET on this path of the backend answers 2xx (retried until the deadline).</summary>
        public VerifyOptions Http(string path)
        {
            _freeze.EnsureMutable();
            Paths.Add(path);
            return this;
        }

        /// <summary>Checks that Ollama answers on <c>/</c> and that <c>/api/tags</c> lists the configured model.</summary>
        public VerifyOptions Ollama()
        {
            _freeze.EnsureMutable();
            CheckOllama = true;
            return this;
        }

        /// <summary>How long checks are retried (default 2 minutes).</summary>
        public VerifyOptions Deadline(TimeSpan deadline)
        {
            _freeze.EnsureMutable();
            Within = deadline;
            return this;
        }

        /// <summary>The backend's base URL (default: Terraform output <c>alb_dns_name</c>, else the service's load balancer).</summary>
        public VerifyOptions BaseUrl(string url)
        {
            _freeze.EnsureMutable();
            Url = url;
            return this;
        }
    }

    /// <summary>Adds the Verify stage.</summary>
    public static class VerifyExtensions
    {
        /// <summary>Checks that the deployed service works: its health endpoint, and Ollama with the model.</summary>
        [PipelineStage("Verify", Uses = [OutputNames.OllamaUrl, OutputNames.Deployment, OutputNames.PreviousTaskDefinition])]
        public static PipelineBuilder Verify(this PipelineBuilder pipeline, Action<VerifyOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            ArgumentNullException.ThrowIfNull(configure);
            var options = new VerifyOptions();
            configure(options);
            return pipeline.AddStage(new VerifyStage(options), options);
        }
    }
}

namespace EcsDeploy.Verification
{
    internal sealed class VerifyStage(VerifyOptions options) : IPipelineStage, Iam.IDeclaresIamPermissions
    {
        internal VerifyOptions Options => options;

        /// <summary>Without v.BaseUrl(...) and no Terraform output, the backend's URL comes from its load balancer.</summary>
        public IEnumerable<Iam.IamGrant> IamGrants(Iam.IamScope scope) => options.Paths.Count > 0 && options.Url is null
            ? [new("FindBackendLoadBalancer", ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeLoadBalancers"], ["*"])]
            : [];

        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(VerifyExtensions), nameof(VerifyExtensions.Verify));
        private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);
        private static readonly OutputKey<string> BackendUrl = new("backend URL");

        public StageDescriptor Descriptor => Stage;

        public void Validate(PipelineDefinition definition, ICollection<string> problems)
        {
            if (options.Paths.Count == 0 && !options.CheckOllama)
            {
                problems.Add("Verify: nothing to check: add v.Http(\"/health\") or v.Ollama().");
            }
            foreach (var path in options.Paths.Where(p => !p.StartsWith('/')))
            {
                problems.Add($"Verify: path '{path}' must start with '/'.");
            }
            if (options.CheckOllama && definition.ProducerOf(OutputNames.OllamaUrl) is null)
            {
                problems.Add("Verify: v.Ollama() checks the Ollama service, but the pipeline has no .WithOllama(...).");
            }
            if (options.Paths.Count > 0 && options.Url is null && definition.DeployedService is null)
            {
                problems.Add("Verify: no backend to check: add .Deploy(...) or give v.BaseUrl(...).");
            }
            if (options.Within <= TimeSpan.Zero)
            {
                problems.Add($"Verify: deadline {options.Within} is not positive.");
            }
        }

        public async Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (context.Options.NoWait || context.Options.WaitUntilStage is not null)
            {
                return new StagePlan(Stage.Name, $"skipped: {(context.Options.NoWait ? "--no-wait" : "--wait-until " + context.Options.WaitUntilStage)} does not confirm the deployment, so there is nothing to verify yet") { Skipped = true };
            }
            var details = new List<KeyValuePair<string, string>>();
            if (options.Paths.Count > 0)
            {
                var baseUrl = await ResolveBackendAsync(context, cancellationToken).ConfigureAwait(false);
                context.Set(BackendUrl, baseUrl);
                details.AddRange(options.Paths.Select(p => new KeyValuePair<string, string>("GET", baseUrl + p)));
            }
            if (options.CheckOllama && context.Get(StageOutputs.OllamaUrl) is { } ollama)
            {
                details.Add(new("GET", ollama.Url + "/"));
                details.Add(new("GET", ollama.Url + "/api/tags"));
            }
            return new StagePlan(Stage.Name, $"{details.Count} check(s), retried for up to {options.Within.TotalSeconds:0} s") { Details = details };
        }

        public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (context.Options.NoWait || context.Options.WaitUntilStage is not null)
            {
                return;
            }
            try
            {
                await CheckAllAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch (PipelineStageException failed) when (options.RollbackEnabled && context.Get(StageOutputs.Deployment) is { Confirmed: true, RolledBack: false } deployment
                && context.Get(StageOutputs.PreviousTaskDefinition) is { } previous && previous != deployment.FinalTaskDefinition)
            {
                await RollBackAsync(context, deployment, previous, failed, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>v.RollbackOnFailure(): the service goes back to the revision it ran before this run, followed to the end.</summary>
        private static async Task RollBackAsync(PipelineContext context, DeploymentOutcome deployment, string previous, PipelineStageException failed, CancellationToken cancellationToken)
        {
            context.Warn($"{failed.Message} Rolling {deployment.Service} back to {RolloutService.ShortName(previous)} (v.RollbackOnFailure()).");
            var rollback = await context.Rollouts.RollOutAsync(deployment.Service, previous, new RolloutSettings(TimeSpan.FromMinutes(10), Rollback: false), cancellationToken).ConfigureAwait(false);
            if (!rollback.Succeeded)
            {
                throw new PipelineStageException($"{failed.Message} The rollback to {RolloutService.ShortName(previous)} did not complete either: {rollback.Summary}.", FailureKind.NeedsAttention);
            }
            context.Set(StageOutputs.Deployment, deployment with { RolledBack = true, FinalTaskDefinition = previous });
            throw new PipelineStageException($"{failed.Message} Rolled back: the service is on {RolloutService.ShortName(previous)} again.", FailureKind.Failed);
        }

        private async Task CheckAllAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            using var http = new HttpClient(context.Aws.HttpHandler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) };
            var deadline = context.Time.GetUtcNow() + options.Within;
            if (context.Get(BackendUrl) is { } baseUrl)
            {
                foreach (var path in options.Paths)
                {
                    await CheckAsync(context, http, baseUrl + path, deadline, _ => null, cancellationToken).ConfigureAwait(false);
                }
            }
            if (options.CheckOllama)
            {
                var ollama = context.Require(StageOutputs.OllamaUrl, "add .WithOllama(...)");
                var model = ollama.Model ?? "";
                await CheckAsync(context, http, ollama.Url + "/", deadline, _ => null, cancellationToken).ConfigureAwait(false);
                await CheckAsync(context, http, ollama.Url + "/api/tags", deadline, body => ModelProblem(body, model), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>GETs <paramref name="url"/> until it answers 2xx and <paramref name="judge"/> finds no problem, or the deadline passes.</summary>
        private static async Task CheckAsync(PipelineContext context, HttpClient http, string url, DateTimeOffset deadline, Func<string, string?> judge, CancellationToken cancellationToken)
        {
            string last;
            var attempt = 0;
            while (true)
            {
                attempt++;
                try
                {
                    using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        var problem = judge(body);
                        if (problem is null)
                        {
                            context.Info($"GET {url}: {(int)response.StatusCode} {response.StatusCode}");
                            return;
                        }
                        // A missing model does not appear by waiting: fail at once with the remedy.
                        throw new PipelineStageException(problem, FailureKind.NeedsAttention);
                    }
                    last = $"HTTP {(int)response.StatusCode} {response.StatusCode}";
                }
                catch (HttpRequestException ex)
                {
                    last = ex.HttpRequestError == HttpRequestError.NameResolutionError ? $"cannot resolve host ({ex.Message})" : ex.Message;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    last = "timed out after 10 s";
                }
                if (context.Time.GetUtcNow() >= deadline)
                {
                    throw new PipelineStageException(
                        $"Verification failed: GET {url} gave {last} after {attempt} attempt(s). The service deployed but does not answer: check its logs (aws logs tail) and the target group's health.",
                        FailureKind.NeedsAttention);
                }
                context.Verbose($"GET {url}: {last}; retrying");
                await Clock.DelayAsync(context.Time, Retry, cancellationToken).ConfigureAwait(false);
            }
        }

        private static string? ModelProblem(string body, string model)
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                var names = json.RootElement.GetProperty("models").EnumerateArray()
                    .Select(m => m.TryGetProperty("name", out var n) ? n.GetString() : m.TryGetProperty("model", out var mm) ? mm.GetString() : null)
                    .Where(n => n is not null).ToList();
                return names.Contains(model) || names.Contains(model + ":latest")
                    ? null
                    : $"Ollama does not have the model '{model}' (it has: {(names.Count == 0 ? "none" : string.Join(", ", names))}): pull it on the Ollama service (ollama pull {model}) or change o.Model(...).";
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return $"Ollama's /api/tags did not answer the expected JSON ({ex.Message}).";
            }
        }

        private async Task<string> ResolveBackendAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            if (options.Url is not null)
            {
                return options.Url.TrimEnd('/');
            }
            if (context.Aws.Terraform is { } terraform && await terraform.ReadAsync(cancellationToken).ConfigureAwait(false) is { } outputs
                && outputs.TryGetValue(options.TerraformOutputName, out var output) && output.Value.ValueKind == JsonValueKind.String)
            {
                return "http://" + output.Value.GetString()!.TrimEnd('/');
            }
            var serviceName = context.Definition.DeployedService?.Target.Service
                ?? throw new PipelineStageException("Verify: no backend to check: add .Deploy(...) or give v.BaseUrl(...).", FailureKind.Invalid);
            var service = (await context.TaskDefinitions.DescribeServiceAsync(serviceName, cancellationToken).ConfigureAwait(false)).Service;
            var targetGroupArn = service.LoadBalancers.FirstOrDefault(lb => lb.TargetGroupArn is not null)?.TargetGroupArn
                ?? throw new PipelineStageException($"Verify: service '{service.ServiceName}' has no load balancer and Terraform has no '{options.TerraformOutputName}' output: give v.BaseUrl(...).", FailureKind.Invalid);
            var groups = await context.Aws.Elbv2.DescribeTargetGroupsAsync([targetGroupArn], null, cancellationToken).ConfigureAwait(false);
            var loadBalancerArn = groups.TargetGroups.FirstOrDefault()?.LoadBalancerArns.FirstOrDefault()
                ?? throw new PipelineStageException($"Verify: target group {targetGroupArn} is attached to no load balancer: give v.BaseUrl(...).", FailureKind.Invalid);
            var balancers = await context.Aws.Elbv2.DescribeLoadBalancersAsync(null, [loadBalancerArn], null, cancellationToken).ConfigureAwait(false);
            return "http://" + balancers.LoadBalancers.Single().DNSName;
        }
    }
}
