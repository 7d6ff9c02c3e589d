using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy.Ollama;

/// <summary>
/// --deploy-ollama: registers a new revision of the Ollama family (the Ollama repository's image, the model settings),
/// rolls it out with the circuit breaker and rollback on, and checks that <c>/api/tags</c> lists the model. When any
/// step fails, the Ollama service is back on the revision it ran before and the backend is not touched.
/// </summary>
internal static class OllamaRollout
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    /// <summary>The Ollama image: this run's pushed Ollama image, else the repository's <c>latest</c>.</summary>
    public static async Task<string> ImageAsync(PipelineContext context, RunningService running, string containerName, CancellationToken cancellationToken)
    {
        if (context.Get(OllamaOutputs.Image) is { } pushed)
        {
            return pushed.Reference;
        }
        if (await TerraformRepositoryUrlAsync(context, cancellationToken).ConfigureAwait(false) is { } repository)
        {
            return repository + ":latest";
        }
        var current = running.TaskDefinition.ContainerDefinitions?.FirstOrDefault(c => c.Name == containerName)?.Image
            ?? throw new PipelineStageException($"The Ollama service's task definition has no container '{containerName}'.", FailureKind.Invalid);
        return RepositoryOf(current) + ":latest";
    }

    /// <summary>The Ollama repository's URL: the names read from Terraform, else the output <c>ecr_ollama_repository_url</c>; null without either.</summary>
    public static async Task<string?> TerraformRepositoryUrlAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        if (context.Aws.Terraform is { } terraform
            && await terraform.ReadAsync(cancellationToken).ConfigureAwait(false) is { } outputs
            && outputs.TryGetValue("ecr_ollama_repository_url", out var url)
            && url.Value.ValueKind == JsonValueKind.String
            && url.Value.GetString() is { Length: > 0 } repository)
        {
            return repository;
        }
        return null;
    }

    /// <summary>The environment the Ollama container gets: the model its entrypoint pulls and keeps loaded.</summary>
    public static IReadOnlyList<EcsKeyValuePair> Environment(string model) =>
    [
        new("OLLAMA_MODEL", model),
        new("OLLAMA_HOST", "0.0.0.0:11434"),
    ];

    public static async Task RunAsync(PipelineContext context, string service, string model, CancellationToken cancellationToken)
    {
        var basis = await context.TaskDefinitions.PrepareAsync(new ServiceRevisionSpec(service), cancellationToken).ConfigureAwait(false);
        var previous = basis.Running.TaskDefinition.TaskDefinitionArn;
        var image = await ImageAsync(context, basis.Running, basis.ContainerName, cancellationToken).ConfigureAwait(false);
        // Rendered without the backend's extra environment: OLLAMA_URL and friends belong to the backend.
        var rendered = TaskDefinitionRenderer.Render(basis.Running.TaskDefinition, new TaskDefinitionChanges(basis.Family, basis.ContainerName, image, Environment(model), basis.Secrets));
        if (OllamaImage.Planned(context) is { } built)
        {
            // The image built now: its container is healthy once the model is there (pulled at start, or baked in).
            rendered = rendered with
            {
                ContainerDefinitions = [.. rendered.ContainerDefinitions!.Select(c => c.Name == basis.ContainerName ? c with { HealthCheck = OllamaImage.HealthCheck(built.PullAtStart) } : c)],
            };
        }
        var registered = await context.TaskDefinitions.RegisterAsync(rendered, basis.Running.Tags, cancellationToken).ConfigureAwait(false);
        context.Set(OllamaOutputs.TaskDefinition, registered);
        context.Info($"Ollama: {(registered.Reused ? "reusing" : "registered")} {RolloutService.ShortName(registered.Arn)} with {image}");

        var settings = new RolloutSettings(TimeSpan.FromMinutes(15), AnotherDeployment.Wait, CircuitBreaker: true, Rollback: true);
        var outcome = new OllamaServiceOutcome { Service = service, ImageReference = image, Image = context.Get(OllamaOutputs.Image), TaskDefinitionArn = registered.Arn };
        context.Set(OllamaOutputs.Service, outcome);
        var result = await context.Rollouts.RollOutAsync(service, registered.Arn, settings, cancellationToken).ConfigureAwait(false);
        outcome = outcome with { Deployment = Outcome(service, result) };
        context.Set(OllamaOutputs.Service, outcome);
        if (!result.Succeeded)
        {
            throw new PipelineStageException(
                $"Ollama service '{service}' did not deploy {RolloutService.ShortName(registered.Arn)}: {result.Summary.TrimEnd('.')}. The backend was not touched.",
                result.RolledBack ? FailureKind.Failed : result.Failure ?? FailureKind.NeedsAttention);
        }

        var endpoint = context.Require(StageOutputs.OllamaUrl, "the WithOllama stage was not planned");
        var problem = await WaitForModelAsync(context, endpoint.Url, model, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            context.Warn($"Ollama: {problem}; rolling back to {RolloutService.ShortName(previous)}");
            var back = await context.Rollouts.RollOutAsync(service, previous, settings, cancellationToken).ConfigureAwait(false);
            context.Set(OllamaOutputs.Service, outcome with { Deployment = Outcome(service, back) with { RolledBack = back.Succeeded } });
            throw new PipelineStageException(
                $"Ollama service '{service}' runs {RolloutService.ShortName(registered.Arn)} but {problem}. "
                + (back.Succeeded ? $"Rolled back: it is on {RolloutService.ShortName(previous)} again." : $"The rollback to {RolloutService.ShortName(previous)} did not complete either ({back.Summary}).")
                + " The backend was not touched.",
                back.Succeeded ? FailureKind.Failed : FailureKind.NeedsAttention);
        }
        context.Info($"Ollama: {service} runs {RolloutService.ShortName(registered.Arn)}; {endpoint.Url}/api/tags lists {model}");
    }

    private static DeploymentOutcome Outcome(string service, RolloutResult result) => new()
    {
        Service = service,
        DeploymentId = result.DeploymentId,
        RolloutState = result.RolloutState,
        RolloutStateReason = result.RolloutStateReason,
        RolledBack = result.RolledBack,
        FinalTaskDefinition = result.FinalTaskDefinition,
        Confirmed = true,
    };

    /// <summary>GETs /api/tags until it lists the model; null when it does, else what was wrong at the deadline.</summary>
    private static async Task<string?> WaitForModelAsync(PipelineContext context, string url, string model, TimeSpan within, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(context.Aws.HttpHandler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = context.Time.GetUtcNow() + within;
        while (true)
        {
            string last;
            try
            {
                using var response = await http.GetAsync(url + "/api/tags", cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                last = response.IsSuccessStatusCode ? ModelProblem(body, model) ?? "" : $"GET {url}/api/tags gave HTTP {(int)response.StatusCode}";
                if (last.Length == 0)
                {
                    return null;
                }
            }
            catch (HttpRequestException ex)
            {
                last = $"GET {url}/api/tags failed ({ex.Message})";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = $"GET {url}/api/tags timed out after 10 s";
            }
            if (context.Time.GetUtcNow() >= deadline)
            {
                return last;
            }
            context.Verbose($"Ollama: {last}; retrying");
            await Clock.DelayAsync(context.Time, Retry, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? ModelProblem(string body, string model)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var names = json.RootElement.GetProperty("models").EnumerateArray()
                .Select(m => m.TryGetProperty("name", out var n) ? n.GetString() : null)
                .Where(n => n is not null).ToList();
            return names.Contains(model) || names.Contains(model + ":latest")
                ? null
                : $"/api/tags does not list the model '{model}' (it lists: {(names.Count == 0 ? "none" : string.Join(", ", names))})";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"/api/tags did not answer the expected JSON ({ex.Message})";
        }
    }

    private static string RepositoryOf(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return image[..at];
        }
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }
}

/// <summary>What --deploy-ollama produces, for the result and the tests.</summary>
internal static class OllamaOutputs
{
    /// <summary>The Ollama image pushed by this run, when the sample builds one.</summary>
    public static readonly OutputKey<PushedImage> Image = new("ollama image");

    /// <summary>What this run did to the Ollama service, for the result.</summary>
    public static readonly OutputKey<OllamaServiceOutcome> Service = new("ollama service");

    /// <summary>The Ollama revision this run rolled out.</summary>
    public static readonly OutputKey<RegisteredTaskDefinition> TaskDefinition = new("ollama task definition");
}
