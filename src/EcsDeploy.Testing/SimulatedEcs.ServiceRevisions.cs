using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

// DescribeServiceRevisions: the revisions the service deployments name (target, sources, rollback revision).
public sealed partial class SimulatedEcs
{
    /// <summary>
    /// DescribeServiceRevisions: 1 to 20 ARNs (InvalidParameterException otherwise); an ARN that names no revision of a
    /// service deployment is answered as a failure with reason MISSING.
    /// </summary>
    public Task<DescribeServiceRevisionsResponse> DescribeServiceRevisionsAsync(DescribeServiceRevisionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Operation = "DescribeServiceRevisions";
        _aws.Enter("ECS", Operation);
        lock (_aws.Gate)
        {
            if (request.ServiceRevisionArns is not { Count: >= 1 and <= 20 })
            {
                throw new AwsServiceException("ECS", Operation, "InvalidParameterException", "serviceRevisionArns must hold between 1 and 20 ARNs.", 400, _aws.NewRequestId());
            }
            var ledger = _world.ServiceDeployments;
            var known = new Dictionary<string, (SimService Service, SimDeployment Deployment, DateTimeOffset CreatedAt)>(StringComparer.Ordinal);
            foreach (var record in ledger.All)
            {
                foreach (var deployment in record.Sources.Select(s => s.Deployment).Append(record.Target).Concat(record.RollbackTarget is { } back ? [back] : []))
                {
                    known.TryAdd(ledger.RevisionArn(record.Service, deployment), (record.Service, deployment, deployment.CreatedAt));
                }
            }
            var found = new List<ServiceRevision>();
            var failures = new List<EcsFailure>();
            foreach (var arn in request.ServiceRevisionArns)
            {
                if (known.TryGetValue(arn, out var revision))
                {
                    found.Add(new ServiceRevision
                    {
                        ServiceRevisionArn = arn,
                        ServiceArn = revision.Service.Arn,
                        ClusterArn = _world.Clusters[revision.Service.Cluster],
                        TaskDefinition = revision.Deployment.TaskDefinition,
                        CreatedAt = revision.CreatedAt,
                    });
                }
                else
                {
                    failures.Add(new EcsFailure(arn, "MISSING", null));
                }
            }
            return Task.FromResult(new DescribeServiceRevisionsResponse(found, failures));
        }
    }
}
