using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

// Tags of services: TagResource, UntagResource, and DescribeServices with include TAGS.
public sealed partial class SimulatedEcs
{
    /// <summary>The tags of a service, as DescribeServices with include TAGS answers them.</summary>
    public IReadOnlyList<EcsTag> ServiceTags(string cluster, string serviceName)
    {
        lock (_aws.Gate)
        {
            return [.. _world.Find(cluster, serviceName, "DescribeServices").Tags];
        }
    }

    /// <inheritdoc />
    public Task TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "TagResource");
        lock (_aws.Gate)
        {
            var service = TaggedService(request.ResourceArn, "TagResource");
            foreach (var tag in request.Tags)
            {
                service.Tags.RemoveAll(t => t.Key == tag.Key);
                service.Tags.Add(tag);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "UntagResource");
        lock (_aws.Gate)
        {
            TaggedService(request.ResourceArn, "UntagResource").Tags.RemoveAll(t => request.TagKeys.Contains(t.Key, StringComparer.Ordinal));
        }
        return Task.CompletedTask;
    }

    /// <summary>Tags answered with a service when DescribeServices asks for them.</summary>
    private static EcsService WithTags(EcsService snapshot, SimService service, DescribeServicesRequest request)
        => request.Include?.Contains(DescribeServicesRequest.IncludeTags, StringComparer.Ordinal) == true ? snapshot with { Tags = [.. service.Tags] } : snapshot;

    private SimService TaggedService(string resourceArn, string operation)
        => _world.Services.Values.FirstOrDefault(s => s.Arn == resourceArn)
            ?? throw new AwsServiceException("ECS", operation, "InvalidParameterException", $"The specified resource '{resourceArn}' is not a service of this account: tag a service by its ARN.", 400, _aws.NewRequestId());
}
