using System.Globalization;
using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

// The service-deployment operations: every rollout of a simulated service is a service deployment (see
// ServiceDeploymentLedger for its statuses).
public sealed partial class SimulatedEcs
{
    private const string ServiceDeploymentPageToken = "service-deployments:";

    /// <summary>
    /// DescribeServiceDeployments: 1 to 20 ARNs (InvalidParameterException otherwise); an ARN that names no service
    /// deployment is answered as a failure with reason MISSING.
    /// </summary>
    public Task<DescribeServiceDeploymentsResponse> DescribeServiceDeploymentsAsync(DescribeServiceDeploymentsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Operation = "DescribeServiceDeployments";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            if (request.ServiceDeploymentArns is not { Count: >= 1 and <= 20 })
            {
                throw Invalid(Operation, "serviceDeploymentArns must hold between 1 and 20 ARNs.");
            }
            _world.Advance();
            var found = new List<ServiceDeployment>();
            var failures = new List<EcsFailure>();
            foreach (var arn in request.ServiceDeploymentArns)
            {
                if (_world.ServiceDeployments.All.FirstOrDefault(d => d.Arn == arn) is { } record)
                {
                    found.Add(_world.Strategies.Decorate(record, _world.ServiceDeployments.Describe(record)));
                }
                else
                {
                    failures.Add(new EcsFailure(arn, "MISSING", null));
                }
            }
            return Task.FromResult(new DescribeServiceDeploymentsResponse(found, failures));
        }
    }

    /// <summary>
    /// ListServiceDeployments: the service's deployments, newest first, filtered by status and by creation time
    /// (strictly after <c>createdAt.after</c>, strictly before <c>createdAt.before</c>), in pages of maxResults (1 to
    /// 100, default 20) with a nextToken while more remain.
    /// </summary>
    public Task<ListServiceDeploymentsResponse> ListServiceDeploymentsAsync(ListServiceDeploymentsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Operation = "ListServiceDeployments";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            if (request.MaxResults is < 1 or > 100)
            {
                throw Invalid(Operation, "maxResults must be between 1 and 100.");
            }
            foreach (var status in request.Status ?? [])
            {
                if (!KnownServiceDeploymentStatuses.Contains(status))
                {
                    throw Invalid(Operation, $"'{status}' is not a service deployment status: use one of {string.Join(", ", KnownServiceDeploymentStatuses)}.");
                }
            }
            var service = _world.Find(_world.ClusterName(request.Cluster ?? "default", Operation), EcsWorld.ShortName(request.Service), Operation);
            _world.Advance();
            var matching = _world.ServiceDeployments.Of(service)
                .Where(d => request.Status is not { Count: > 0 } statuses || statuses.Contains(d.Status))
                .Where(d => request.CreatedAt?.After is not { } after || d.CreatedAt > after)
                .Where(d => request.CreatedAt?.Before is not { } before || d.CreatedAt < before)
                .ToList();
            var start = request.NextToken is null ? 0 : PageStart(request.NextToken, Operation);
            var size = request.MaxResults ?? 20;
            var page = matching.Skip(start).Take(size).Select(_world.ServiceDeployments.Brief).ToList();
            var next = start + size < matching.Count
                ? Convert.ToBase64String(Encoding.UTF8.GetBytes(ServiceDeploymentPageToken + (start + size).ToString(CultureInfo.InvariantCulture)))
                : null;
            return Task.FromResult(new ListServiceDeploymentsResponse(page, next));
        }
    }

    /// <summary>The service deployments of a service, newest first (for assertions).</summary>
    public IReadOnlyList<ServiceDeployment> ServiceDeployments(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return [.. _world.ServiceDeployments.Of(_world.Find(cluster, serviceName, "ListServiceDeployments")).Select(_world.ServiceDeployments.Describe)];
        }
    }

    private static readonly string[] KnownServiceDeploymentStatuses =
    [
        ServiceDeploymentStatuses.Pending, ServiceDeploymentStatuses.Successful, ServiceDeploymentStatuses.Stopped,
        ServiceDeploymentStatuses.StopRequested, ServiceDeploymentStatuses.InProgress, ServiceDeploymentStatuses.RollbackRequested,
        ServiceDeploymentStatuses.RollbackInProgress, ServiceDeploymentStatuses.RollbackSuccessful, ServiceDeploymentStatuses.RollbackFailed,
    ];

    private int PageStart(string token, string operation)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(ServiceDeploymentPageToken, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(ServiceDeploymentPageToken.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            {
                return start;
            }
        }
        catch (FormatException)
        {
            // Not base64: answered below.
        }
        throw Invalid(operation, "The nextToken is not valid: pass the nextToken of the previous ListServiceDeployments answer unchanged.");
    }

    private AwsServiceException Invalid(string operation, string message)
        => new("ECS", operation, "InvalidParameterException", message, 400, _aws.NewRequestId());
}
