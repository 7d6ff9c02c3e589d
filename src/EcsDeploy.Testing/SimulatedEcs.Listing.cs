using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;
using EcsDeploy.Testing.Reads;

namespace EcsDeploy.Testing;

// The everyday read commands an ECS team runs (aws ecs list-clusters, describe-clusters, list-services, list-tasks with
// its filters, list-task-definitions, list-task-definition-families), with ECS's paging: maxResults 1 to 100 and an
// opaque nextToken. The local AWS host serves them; the library's port needs only ListTasks.
public sealed partial class SimulatedEcs
{
    /// <summary>ListTasks as the port asks it (one page of at most 100).</summary>
    public Task<ListTasksResponse> ListTasksAsync(ListTasksRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (arns, next) = ListTasksPage(new TaskQuery(request.Cluster, request.ServiceName, null, request.StartedBy, request.DesiredStatus, null), null, request.NextToken);
        return Task.FromResult(new ListTasksResponse(arns, next));
    }

    /// <summary>
    /// One page of ListTasks: tasks of the cluster whose desired status is the one asked (RUNNING by default; PENDING
    /// matches none, as ECS never sets it), of the service, family, startedBy value and launch type given; newest first.
    /// </summary>
    internal (List<string> TaskArns, string? NextToken) ListTasksPage(TaskQuery query, int? maxResults, string? nextToken)
    {
        const string Operation = "ListTasks";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            var cluster = _world.ClusterName(query.Cluster, Operation);
            var desired = query.DesiredStatus ?? TaskStatuses.Running;
            if (desired is not (TaskStatuses.Running or TaskStatuses.Pending or TaskStatuses.Stopped))
            {
                throw Invalid(Operation, $"desiredStatus must be RUNNING, PENDING or STOPPED, not '{desired}'.");
            }
            var service = query.ServiceName is null ? null : EcsWorld.ShortName(query.ServiceName);
            if (service is not null && !_world.Services.ContainsKey((cluster, service)))
            {
                throw new AwsServiceException("ECS", Operation, "ServiceNotFoundException", "Service not found.", 400, _aws.NewRequestId());
            }
            var all = _world.Tasks.Where(t => t.Cluster == cluster
                    && desired != TaskStatuses.Pending && t.DesiredStatus == desired
                    && (service is null || t.Group == $"service:{service}")
                    && (query.Family is null || Family(t.TaskDefinitionArn) == query.Family)
                    && (query.StartedBy is null || t.StartedBy == query.StartedBy)
                    && LaunchTypeMatches(query.LaunchType, Operation))
                .OrderByDescending(t => t.CreatedAt).Select(t => t.Arn).ToList();
            return Paged(all, Operation, maxResults, 100, nextToken);
        }
    }

    /// <summary>One page of ListClusters (cluster ARNs in name order; 100 by default).</summary>
    internal (List<string> ClusterArns, string? NextToken) ListClustersPage(int? maxResults, string? nextToken)
    {
        const string Operation = "ListClusters";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            return Paged([.. _world.Clusters.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value)], Operation, maxResults, 100, nextToken);
        }
    }

    /// <summary>
    /// DescribeClusters: each cluster (name or ARN; the default cluster when none is named) with its RUNNING and pending
    /// (PROVISIONING, PENDING, ACTIVATING) tasks and its ACTIVE services; a cluster that does not exist is a MISSING failure.
    /// </summary>
    internal (List<ClusterSummary> Clusters, List<EcsFailure> Failures) DescribeClusters(IReadOnlyList<string> clusters)
    {
        const string Operation = "DescribeClusters";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            if (clusters.Count > 100)
            {
                throw Invalid(Operation, "clusters can have at most 100 items.");
            }
            var found = new List<ClusterSummary>();
            var failures = new List<EcsFailure>();
            foreach (var reference in clusters.Count == 0 ? ["default"] : clusters)
            {
                var name = EcsWorld.ShortName(reference);
                if (!_world.Clusters.TryGetValue(name, out var arn))
                {
                    failures.Add(new EcsFailure(reference.StartsWith("arn:", StringComparison.Ordinal) ? reference : _aws.Arn("ecs", $"cluster/{name}"), "MISSING", null));
                    continue;
                }
                var tasks = _world.Tasks.Where(t => t.Cluster == name).ToList();
                found.Add(new ClusterSummary(arn, name,
                    tasks.Count(t => t.LastStatus == TaskStatuses.Running),
                    tasks.Count(t => t.LastStatus is TaskStatuses.Provisioning or TaskStatuses.Pending or TaskStatuses.Activating),
                    _world.Services.Keys.Count(k => k.Cluster == name)));
            }
            return (found, failures);
        }
    }

    /// <summary>
    /// One page of ListServices (10 by default, as ECS): the cluster's service ARNs in name order, filtered by launch type
    /// (every simulated service is FARGATE) and scheduling strategy (every simulated service is REPLICA).
    /// </summary>
    internal (List<string> ServiceArns, string? NextToken) ListServicesPage(string cluster, string? launchType, string? schedulingStrategy, int? maxResults, string? nextToken)
    {
        const string Operation = "ListServices";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            var name = _world.ClusterName(cluster, Operation);
            if (schedulingStrategy is not (null or "REPLICA" or "DAEMON"))
            {
                throw Invalid(Operation, $"schedulingStrategy must be REPLICA or DAEMON, not '{schedulingStrategy}'.");
            }
            var all = LaunchTypeMatches(launchType, Operation) && schedulingStrategy is null or "REPLICA"
                ? _world.Services.Values.Where(s => s.Cluster == name).OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Arn).ToList()
                : [];
            return Paged(all, Operation, maxResults, 10, nextToken);
        }
    }

    /// <summary>
    /// One page of ListTaskDefinitionFamilies (100 by default): family names in order, starting with the prefix; ACTIVE
    /// lists families with an ACTIVE revision, INACTIVE those without, ALL (the default) both.
    /// </summary>
    internal (List<string> Families, string? NextToken) ListTaskDefinitionFamiliesPage(string? familyPrefix, string? status, int? maxResults, string? nextToken)
    {
        const string Operation = "ListTaskDefinitionFamilies";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            status ??= "ALL";
            if (status is not (ResourceStatuses.Active or ResourceStatuses.Inactive or "ALL"))
            {
                throw Invalid(Operation, $"status must be ACTIVE, INACTIVE or ALL, not '{status}'.");
            }
            var all = _world.Families
                .Where(f => familyPrefix is null || f.Key.StartsWith(familyPrefix, StringComparison.Ordinal))
                .Where(f => status == "ALL" || f.Value.Any(r => r.Definition.Status == ResourceStatuses.Active) == (status == ResourceStatuses.Active))
                .Select(f => f.Key).Order(StringComparer.Ordinal).ToList();
            return Paged(all, Operation, maxResults, 100, nextToken);
        }
    }

    /// <summary>
    /// One page of ListTaskDefinitions (100 by default): the revisions of the family named (all families when none is),
    /// of the status asked (ACTIVE by default), by family and revision, ascending unless <paramref name="sort"/> is DESC.
    /// </summary>
    internal (List<string> TaskDefinitionArns, string? NextToken) ListTaskDefinitionsPage(string? family, string? status, string? sort, int? maxResults, string? nextToken)
    {
        const string Operation = "ListTaskDefinitions";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            return Paged(TaskDefinitionArns(family, status ?? ResourceStatuses.Active, sort ?? "ASC"), Operation, maxResults, 100, nextToken);
        }
    }

    private List<string> TaskDefinitionArns(string? family, string status, string sort)
    {
        // Despite its name, familyPrefix is the full family name (API reference).
        var arns = _world.Families.Where(f => string.IsNullOrEmpty(family) || string.Equals(f.Key, family, StringComparison.Ordinal))
            .SelectMany(f => f.Value).Select(r => r.Definition).Where(d => d.Status == status)
            .OrderBy(d => d.Family, StringComparer.Ordinal).ThenBy(d => d.Revision).Select(d => d.TaskDefinitionArn!).ToList();
        if (sort == "DESC")
        {
            arns.Reverse();
        }
        return arns;
    }

    private (List<string> Page, string? Next) Paged(List<string> all, string operation, int? maxResults, int defaultSize, string? nextToken)
    {
        if (maxResults is < 1 or > 100)
        {
            throw Invalid(operation, $"maxResults must be between 1 and 100, not {maxResults}.");
        }
        try
        {
            return PageTokens.Page(all, operation, nextToken, maxResults ?? defaultSize);
        }
        catch (FormatException ex)
        {
            throw Invalid(operation, ex.Message);
        }
    }

    /// <summary>Every simulated service and task runs on FARGATE: EC2 and EXTERNAL match nothing.</summary>
    private bool LaunchTypeMatches(string? launchType, string operation) => launchType switch
    {
        null or "FARGATE" => true,
        "EC2" or "EXTERNAL" or "MANAGED_INSTANCES" => false,
        _ => throw Invalid(operation, $"launchType must be EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES, not '{launchType}'."),
    };

    private static string Family(string taskDefinitionArn)
    {
        var name = taskDefinitionArn[(taskDefinitionArn.IndexOf("task-definition/", StringComparison.Ordinal) + 16)..];
        return name[..name.LastIndexOf(':')];
    }
}

/// <summary>The filters of ListTasks.</summary>
internal sealed record TaskQuery(string Cluster, string? ServiceName, string? Family, string? StartedBy, string? DesiredStatus, string? LaunchType);

/// <summary>A cluster as DescribeClusters shows it.</summary>
internal sealed record ClusterSummary(string Arn, string Name, int RunningTasks, int PendingTasks, int ActiveServices);
