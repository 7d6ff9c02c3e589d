using EcsDeploy.Aws;
using EcsDeploy.Deployments;

namespace EcsDeploy.TaskDefinitions;

/// <summary>A service as it runs now: the service, its task definition and that definition's tags.</summary>
public sealed record RunningService(EcsService Service, TaskDefinition TaskDefinition, IReadOnlyList<EcsTag> Tags);

/// <summary>
/// Reads the task definition a service runs and registers rendered revisions idempotently: a rendered definition equal
/// (normalised) to the family's latest revision reuses it, so a re-run after a crash registers no duplicate. Reached
/// through <see cref="PipelineContext.TaskDefinitions"/>; every stage, built-in or not, registers revisions this way.
/// </summary>
public sealed class TaskDefinitionService
{
    private readonly PipelineContext _context;
    private readonly HashSet<string> _registeredThisRun = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskDefinition> _revisions = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<DescribeTaskDefinitionResponse>>> _running = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, EcsService> _planned = new(StringComparer.Ordinal);
    private bool _planning = true;

    /// <summary>The preflight's read of an ACTIVE service, for the plan's stages while the run still plans.</summary>
    internal void NotePlanRead(EcsService service)
    {
        if (Volatile.Read(ref _planning) && service.Status == ResourceStatuses.Active && service.TaskDefinition is not null)
        {
            _planned[service.ServiceName] = service;
        }
    }

    /// <summary>The run starts changing things: from now on every read of a service is fresh.</summary>
    internal void EndPlan()
    {
        Volatile.Write(ref _planning, false);
        _planned.Clear();
    }

    internal TaskDefinitionService(PipelineContext context) => _context = context;

    /// <summary>
    /// DescribeServices and DescribeTaskDefinition (read-only): the service and the revision it runs. A service that does
    /// not exist or is not ACTIVE fails as <see cref="FailureKind.Invalid"/>, naming the fix.
    /// </summary>
    public async Task<RunningService> DescribeServiceAsync(string serviceName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        var cluster = _context.Definition.Cluster;
        if (Volatile.Read(ref _planning) && _planned.TryGetValue(serviceName, out var noted))
        {
            // The preflight read it moments ago, in the same plan: one read of each service per plan.
            var revision = await RunningRevisionAsync(noted.TaskDefinition!, cancellationToken).ConfigureAwait(false);
            return new RunningService(noted, revision.TaskDefinition, revision.Tags);
        }
        var described = await _context.Aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(cluster, [serviceName]), cancellationToken).ConfigureAwait(false);
        var service = described.Services.FirstOrDefault(s => s.ServiceName == serviceName && s.Status == ResourceStatuses.Active)
            ?? throw new PipelineStageException($"Service '{serviceName}' was not found in cluster '{cluster}' ({described.Failures.FirstOrDefault()?.Reason ?? "not active"}): create it first (Terraform), or fix d.Service(...) and .OnCluster(...).", FailureKind.Invalid);
        var current = await RunningRevisionAsync(service.TaskDefinition!, cancellationToken).ConfigureAwait(false);
        return new RunningService(service, current.TaskDefinition, current.Tags);
    }

    /// <summary>
    /// A revision a service runs, with its tags (DescribeTaskDefinition): a revision never changes once registered, so
    /// a run reads each at most once (the preflight and the plan share it).
    /// </summary>
    internal async Task<DescribeTaskDefinitionResponse> RunningRevisionAsync(string taskDefinitionArn, CancellationToken cancellationToken)
    {
        var read = _running.GetOrAdd(taskDefinitionArn, arn => new Lazy<Task<DescribeTaskDefinitionResponse>>(async () =>
        {
            var described = await _context.Aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(arn), CancellationToken.None).ConfigureAwait(false);
            Remember(described.TaskDefinition);
            return described;
        }));
        try
        {
            return await read.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (read.Value.IsFaulted)
        {
            // A failed read is not kept: the next caller asks again.
            _running.TryRemove(new KeyValuePair<string, Lazy<Task<DescribeTaskDefinitionResponse>>>(taskDefinitionArn, read));
            throw;
        }
    }

    /// <summary>
    /// Reads what a revision of <paramref name="spec"/>'s service is rendered from (read-only): the service, its task
    /// definition, the container and family, and the secret references resolved to ARNs (all missing ones at once).
    /// </summary>
    public async Task<ServiceRevisionBasis> PrepareAsync(ServiceRevisionSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var running = await DescribeServiceAsync(spec.Service, cancellationToken).ConfigureAwait(false);
        var containers = running.TaskDefinition.ContainerDefinitions ?? [];
        var containerName = spec.Container ?? (containers.Count == 1 ? containers[0].Name! : _context.Definition.Name);
        var secrets = await _context.Secrets.ResolveAsync(spec.Secrets, cancellationToken).ConfigureAwait(false);
        return new ServiceRevisionBasis(spec, running, containerName, spec.Family ?? running.TaskDefinition.Family!, secrets);
    }

    /// <summary>
    /// Renders the next revision from <paramref name="basis"/> with <paramref name="image"/> (null keeps the image it
    /// runs): the spec's variables, then what earlier stages add (<see cref="StageOutputs.ExtraEnvironment"/>), and the
    /// secrets. Pure: the same inputs render the same definition, so every stage that renders it registers one revision.
    /// </summary>
    public TaskDefinition Render(ServiceRevisionBasis basis, string? image)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var environment = basis.Spec.Environment.Concat(_context.Get(StageOutputs.ExtraEnvironment) ?? []).ToList();
        return TaskDefinitionRenderer.Render(basis.Running.TaskDefinition, new TaskDefinitionChanges(basis.Family, basis.ContainerName, image, environment, basis.Secrets));
    }

    /// <summary>
    /// Registers <paramref name="rendered"/>, or returns the family's latest revision when it is equivalent. When the
    /// answer to RegisterTaskDefinition is lost, it looks before registering again.
    /// </summary>
    public async Task<RegisteredTaskDefinition> RegisterAsync(TaskDefinition rendered, IReadOnlyList<EcsTag>? tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        var family = rendered.Family ?? throw new ArgumentException("The task definition has no family.", nameof(rendered));
        var registered = await FindEquivalentAsync(family, rendered, cancellationToken).ConfigureAwait(false);
        if (registered is not null)
        {
            return registered;
        }
        try
        {
            registered = await RegisterNewAsync(rendered, tags, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or AwsServiceException { IsTransient: true })
        {
            // The answer was lost: the revision may exist. Look before registering again.
            registered = await FindEquivalentAsync(family, rendered, cancellationToken).ConfigureAwait(false)
                ?? await RegisterNewAsync(rendered, tags, cancellationToken).ConfigureAwait(false);
        }
        lock (_registeredThisRun) { _registeredThisRun.Add(registered.Arn); }
        _context.Info($"registered {RolloutTracker.ShortTaskDefinition(registered.Arn)}");
        return registered;
    }

    /// <summary>
    /// The revision <paramref name="taskDefinitionArn"/> names. A revision never changes once registered, so a run reads
    /// each one at most once (and none it registered or read already).
    /// </summary>
    internal async Task<TaskDefinition> RevisionAsync(string taskDefinitionArn, CancellationToken cancellationToken)
    {
        if (_revisions.TryGetValue(taskDefinitionArn, out var known))
        {
            return known;
        }
        var described = await _context.Aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(taskDefinitionArn, IncludeTags: false), cancellationToken).ConfigureAwait(false);
        Remember(described.TaskDefinition);
        return described.TaskDefinition;
    }

    private void Remember(TaskDefinition definition)
    {
        if (definition.TaskDefinitionArn is { } arn && definition.Revision is not null)
        {
            _revisions[arn] = definition;
        }
    }

    /// <summary>Whether this run registered <paramref name="taskDefinitionArn"/> (rather than an earlier run or another tool).</summary>
    public bool RegisteredThisRun(string taskDefinitionArn)
    {
        lock (_registeredThisRun) { return _registeredThisRun.Contains(taskDefinitionArn); }
    }

    private async Task<RegisteredTaskDefinition> RegisterNewAsync(TaskDefinition rendered, IReadOnlyList<EcsTag>? tags, CancellationToken cancellationToken)
    {
        var response = await _context.Aws.Ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest(rendered, tags ?? []), cancellationToken).ConfigureAwait(false);
        Remember(response.TaskDefinition);
        return new RegisteredTaskDefinition(response.TaskDefinition.TaskDefinitionArn!, response.TaskDefinition.Revision ?? 0, false, response.TaskDefinition);
    }

    private async Task<RegisteredTaskDefinition?> FindEquivalentAsync(string family, TaskDefinition rendered, CancellationToken cancellationToken)
    {
        try
        {
            var latest = await _context.Aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(family, IncludeTags: false), cancellationToken).ConfigureAwait(false);
            Remember(latest.TaskDefinition);
            return TaskDefinitionRenderer.AreEquivalent(latest.TaskDefinition, rendered)
                ? new RegisteredTaskDefinition(latest.TaskDefinition.TaskDefinitionArn!, latest.TaskDefinition.Revision ?? 0, true, latest.TaskDefinition)
                : null;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is "ClientException" or "InvalidParameterException")
        {
            return null; // No active revision of the family yet.
        }
    }
}
