namespace EcsDeploy.Import;

/// <summary>
/// What <c>import</c> read from a live service and writes as a pipeline script: the names, the deployed container, its
/// variables and secret references, the Ollama connection, log retention, the rollout settings and the ECR repository;
/// and, as comments, what the pipeline keeps as it runs or cannot express.
/// </summary>
internal sealed record ImportedService
{
    /// <summary>The pipeline name (<c>Pipeline.For</c>): the deployed container's name when it is a valid pipeline name.</summary>
    public required string PipelineName { get; init; }
    /// <summary>The region.</summary>
    public required string Region { get; init; }
    /// <summary>The cluster.</summary>
    public required string Cluster { get; init; }
    /// <summary>The service.</summary>
    public required string Service { get; init; }
    /// <summary>The container the pipeline deploys; null when it is the pipeline name and the task's only container.</summary>
    public string? Container { get; init; }
    /// <summary>The ECR repository the image comes from; null when the image is not in ECR.</summary>
    public string? Repository { get; init; }
    /// <summary>Plain variables the pipeline sets, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    /// <summary>Secret references: variable and secret name (or ARN).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Secrets { get; init; } = [];
    /// <summary>The Ollama connection, when the container has OLLAMA_URL.</summary>
    public ImportedOllama? Ollama { get; init; }
    /// <summary>The log group's retention in days, when it has one.</summary>
    public int? LogRetentionDays { get; init; }
    /// <summary>The deployment circuit breaker is on.</summary>
    public bool CircuitBreaker { get; init; } = true;
    /// <summary>The breaker rolls back.</summary>
    public bool Rollback { get; init; } = true;
    /// <summary>Lines for the header comment: what stays as it runs, and why.</summary>
    public IReadOnlyList<string> Kept { get; init; } = [];
    /// <summary>Lines for the header comment: what the pipeline cannot express (kept as it runs too).</summary>
    public IReadOnlyList<string> NotExpressible { get; init; } = [];
}

/// <summary>The Ollama connection of an imported service.</summary>
/// <param name="Model">OLLAMA_MODEL, when set.</param>
/// <param name="Timeout">OLLAMA_TIMEOUT, when set and a whole number of milliseconds.</param>
/// <param name="LoadBalancerNameContains">The name of the load balancer OLLAMA_URL points at, when it does not contain "ollama".</param>
/// <param name="Url">OLLAMA_URL as it runs.</param>
internal sealed record ImportedOllama(string? Model, TimeSpan? Timeout, string? LoadBalancerNameContains, string Url);
