using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcsDeploy.Aws;

// DescribeServiceRevisions (ECS API, 2025): what a service revision ran, for the revision ARNs that service
// deployments name (their target, sources and rollback revision).

/// <summary>A service revision: the service's settings of one deployment, among them the task definition.</summary>
public sealed record ServiceRevision
{
    /// <summary>The service revision ARN.</summary>
    public required string ServiceRevisionArn { get; init; }
    /// <summary>The service's ARN.</summary>
    public string? ServiceArn { get; init; }
    /// <summary>The cluster's ARN.</summary>
    public string? ClusterArn { get; init; }
    /// <summary>The task definition the revision runs.</summary>
    public string? TaskDefinition { get; init; }
    /// <summary>When the revision was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>The members this library does not model (launch type, network, load balancers, images...).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>Request of DescribeServiceRevisions (1 to 20 ARNs).</summary>
/// <param name="ServiceRevisionArns">The service revision ARNs.</param>
public sealed record DescribeServiceRevisionsRequest(IReadOnlyList<string> ServiceRevisionArns);

/// <summary>Answer of DescribeServiceRevisions.</summary>
/// <param name="ServiceRevisions">The revisions found.</param>
/// <param name="Failures">The ARNs not found (reason MISSING).</param>
public sealed record DescribeServiceRevisionsResponse(IReadOnlyList<ServiceRevision> ServiceRevisions, IReadOnlyList<EcsFailure> Failures);
