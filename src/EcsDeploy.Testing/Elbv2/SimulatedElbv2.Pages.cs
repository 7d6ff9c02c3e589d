using System.Globalization;
using System.Text;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

// DescribeLoadBalancers and DescribeTargetGroups in pages, as ELBv2 answers them: PageSize 1 to 400 (a ValidationError
// outside), a NextMarker while more remain, and the Marker of the previous answer to go on.
public sealed partial class SimulatedElbv2
{
    /// <summary>The page size when the caller gives none: the largest ELBv2 accepts (AWS documents no default).</summary>
    internal const int DefaultPageSize = 400;

    private const string MarkerPrefix = "elbv2-page:";

    /// <inheritdoc />
    public Task<DescribeLoadBalancersResponse> DescribeLoadBalancersAsync(IReadOnlyList<string>? names, IReadOnlyList<string>? loadBalancerArns, string? marker, CancellationToken cancellationToken)
        => Task.FromResult(DescribeLoadBalancersPage(names, loadBalancerArns, marker, null));

    /// <inheritdoc />
    public Task<DescribeTargetGroupsResponse> DescribeTargetGroupsAsync(IReadOnlyList<string> targetGroupArns, string? marker, CancellationToken cancellationToken)
        => Task.FromResult(DescribeTargetGroupsPage(targetGroupArns, marker, null));

    /// <summary>One page of DescribeLoadBalancers; LoadBalancerNotFound when a named one does not exist.</summary>
    internal DescribeLoadBalancersResponse DescribeLoadBalancersPage(IReadOnlyList<string>? names, IReadOnlyList<string>? loadBalancerArns, string? marker, int? pageSize)
    {
        const string Operation = "DescribeLoadBalancers";
        _aws.Enter("ELBv2", Operation);
        lock (_aws.Gate)
        {
            var size = PageSizeOrRefuse(pageSize, Operation);
            var matching = _loadBalancers.Where(lb => (names is not { Count: > 0 } || names.Contains(lb.LoadBalancerName))
                && (loadBalancerArns is not { Count: > 0 } || loadBalancerArns.Contains(lb.LoadBalancerArn))).ToList();
            if (names is { Count: > 0 } && matching.Count < names.Count)
            {
                throw new AwsServiceException("ELBv2", Operation, "LoadBalancerNotFound", "One or more load balancers not found", 400, _aws.NewRequestId());
            }
            var (page, next) = Page(matching, marker, size, Operation);
            return new DescribeLoadBalancersResponse(page, next);
        }
    }

    /// <summary>One page of DescribeTargetGroups (all when no ARN is given); TargetGroupNotFound when a named one does not exist.</summary>
    internal DescribeTargetGroupsResponse DescribeTargetGroupsPage(IReadOnlyList<string> targetGroupArns, string? marker, int? pageSize)
    {
        ArgumentNullException.ThrowIfNull(targetGroupArns);
        const string Operation = "DescribeTargetGroups";
        _aws.Enter("ELBv2", Operation);
        lock (_aws.Gate)
        {
            var size = PageSizeOrRefuse(pageSize, Operation);
            var groups = _targetGroups.Where(g => targetGroupArns.Count == 0 || targetGroupArns.Contains(g.TargetGroupArn)).ToList();
            if (groups.Count < targetGroupArns.Count)
            {
                throw new AwsServiceException("ELBv2", Operation, "TargetGroupNotFound", "One or more target groups not found", 400, _aws.NewRequestId());
            }
            var (page, next) = Page(groups, marker, size, Operation);
            // Each group with the health check settings it has (what a follower predicts from; a skew is not shown).
            return new DescribeTargetGroupsResponse([.. page.Select(g => WithSettings(g, Health(g.TargetGroupArn)))], next);
        }
    }

    private int PageSizeOrRefuse(int? pageSize, string operation) => pageSize switch
    {
        null => DefaultPageSize,
        < 1 => throw Validation(operation, $"1 validation error detected: Value '{pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        > 400 => throw Validation(operation, $"1 validation error detected: Value '{pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 400"),
        _ => pageSize.Value,
    };

    private (List<T> Page, string? NextMarker) Page<T>(List<T> all, string? marker, int size, string operation)
    {
        var start = marker is null ? 0 : MarkerStart(marker, operation);
        var next = start + size < all.Count
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(MarkerPrefix + (start + size).ToString(CultureInfo.InvariantCulture)))
            : null;
        return ([.. all.Skip(start).Take(size)], next);
    }

    private int MarkerStart(string marker, string operation)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(marker));
            if (text.StartsWith(MarkerPrefix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(MarkerPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            {
                return start;
            }
        }
        catch (FormatException)
        {
            // Not base64: answered below.
        }
        throw Validation(operation, "Invalid Marker: pass the NextMarker of the previous answer unchanged.");
    }

    private AwsServiceException Validation(string operation, string message)
        => new("ELBv2", operation, "ValidationError", message, 400, _aws.NewRequestId());
}
