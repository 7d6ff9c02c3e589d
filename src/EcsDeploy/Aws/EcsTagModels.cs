namespace EcsDeploy.Aws;

/// <summary>Request of DescribeServices.</summary>
/// <param name="Cluster">The cluster.</param>
/// <param name="Services">Service names or ARNs (at most 10).</param>
public sealed record DescribeServicesRequest(string Cluster, IReadOnlyList<string> Services)
{
    /// <summary>Extra fields to answer: <c>TAGS</c> (<see cref="IncludeTags"/>) fills <see cref="EcsService.Tags"/>.</summary>
    public IReadOnlyList<string>? Include { get; init; }

    /// <summary>The <see cref="Include"/> value that asks for the services' tags.</summary>
    public const string IncludeTags = "TAGS";
}

/// <summary>Request of TagResource: adds or overwrites tags of an ECS resource (a service, by its ARN).</summary>
/// <param name="ResourceArn">The resource.</param>
/// <param name="Tags">The tags to set.</param>
public sealed record TagResourceRequest(string ResourceArn, IReadOnlyList<EcsTag> Tags);

/// <summary>Request of UntagResource: removes tags of an ECS resource by key (keys it does not have are ignored).</summary>
/// <param name="ResourceArn">The resource.</param>
/// <param name="TagKeys">The keys to remove.</param>
public sealed record UntagResourceRequest(string ResourceArn, IReadOnlyList<string> TagKeys);
