using System.Globalization;

namespace EcsDeploy.Aws.Wire;

/// <summary>Elastic Load Balancing v2 over the Query protocol (API version 2015-12-01, XML answers).</summary>
/// <param name="transport">The shared HTTP core.</param>
internal sealed class Elbv2WireClient(AwsWireTransport transport) : IElbv2Api
{
    private static readonly AwsWireService Service = AwsWireService.Elbv2;

    /// <inheritdoc />
    public async Task<DescribeLoadBalancersResponse> DescribeLoadBalancersAsync(IReadOnlyList<string>? names, IReadOnlyList<string>? loadBalancerArns, string? marker, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        AddList(parameters, "Names", names);
        AddList(parameters, "LoadBalancerArns", loadBalancerArns);
        if (!string.IsNullOrEmpty(marker))
        {
            parameters.Add(new("Marker", marker));
        }
        // The largest page ELBv2 accepts (1-400), so that a caller following NextMarker needs the fewest calls.
        parameters.Add(new("PageSize", "400"));
        var result = await transport.QueryAsync(Service, "DescribeLoadBalancers", parameters, cancellationToken).ConfigureAwait(false);
        var loadBalancers = result.Members(result.Root, "LoadBalancers").Select(member => new LoadBalancer
        {
            LoadBalancerArn = result.Text(member, "LoadBalancerArn") ?? "",
            LoadBalancerName = result.Text(member, "LoadBalancerName") ?? "",
            DNSName = result.Text(member, "DNSName") ?? "",
            Scheme = result.Text(member, "Scheme"),
            Type = result.Text(member, "Type"),
            State = result.Text(result.Child(member, "State"), "Code"),
        }).ToList();
        return new DescribeLoadBalancersResponse(loadBalancers, NonEmpty(result.Text(result.Root, "NextMarker")));
    }

    /// <inheritdoc />
    public async Task<DescribeTargetGroupsResponse> DescribeTargetGroupsAsync(IReadOnlyList<string> targetGroupArns, string? marker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targetGroupArns);
        var parameters = new List<KeyValuePair<string, string>>();
        AddList(parameters, "TargetGroupArns", targetGroupArns);
        if (!string.IsNullOrEmpty(marker))
        {
            parameters.Add(new("Marker", marker));
        }
        // The largest page ELBv2 accepts (1-400), so that a caller following NextMarker needs the fewest calls.
        parameters.Add(new("PageSize", "400"));
        var result = await transport.QueryAsync(Service, "DescribeTargetGroups", parameters, cancellationToken).ConfigureAwait(false);
        var targetGroups = result.Members(result.Root, "TargetGroups").Select(member => new TargetGroup
        {
            TargetGroupArn = result.Text(member, "TargetGroupArn") ?? "",
            TargetGroupName = result.Text(member, "TargetGroupName") ?? "",
            LoadBalancerArns = result.Members(member, "LoadBalancerArns").Select(e => e.Value).ToList(),
            HealthCheckPath = result.Text(member, "HealthCheckPath"),
            HealthCheckIntervalSeconds = Int(result.Text(member, "HealthCheckIntervalSeconds")),
            HealthCheckTimeoutSeconds = Int(result.Text(member, "HealthCheckTimeoutSeconds")),
            HealthyThresholdCount = Int(result.Text(member, "HealthyThresholdCount")),
            UnhealthyThresholdCount = Int(result.Text(member, "UnhealthyThresholdCount")),
        }).ToList();
        return new DescribeTargetGroupsResponse(targetGroups, NonEmpty(result.Text(result.Root, "NextMarker")));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> DescribeTargetGroupAttributesAsync(string targetGroupArn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetGroupArn);
        var result = await transport.QueryAsync(Service, "DescribeTargetGroupAttributes", [new("TargetGroupArn", targetGroupArn)], cancellationToken).ConfigureAwait(false);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in result.Members(result.Root, "Attributes"))
        {
            if (result.Text(member, "Key") is { Length: > 0 } key)
            {
                attributes[key] = result.Text(member, "Value") ?? "";
            }
        }
        return attributes;
    }

    private static int? Int(string? text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static void AddList(List<KeyValuePair<string, string>> parameters, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }
        for (var i = 0; i < values.Count; i++)
        {
            parameters.Add(new($"{name}.member.{(i + 1).ToString(CultureInfo.InvariantCulture)}", values[i]));
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
