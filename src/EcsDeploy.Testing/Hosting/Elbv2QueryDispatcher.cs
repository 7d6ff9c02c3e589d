using System.Globalization;
using System.Xml.Linq;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// Answers Elastic Load Balancing v2 Query calls (form-encoded <c>Action</c>, <c>Version</c> and
/// <c>Name.member.N</c> lists) from a <see cref="SimulatedAws"/> with the XML documents AWS sends.
/// </summary>
internal sealed class Elbv2QueryDispatcher(SimulatedAws aws)
{
    /// <summary>The XML namespace of API version 2015-12-01.</summary>
    public static readonly XNamespace Ns = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

    /// <summary>Runs the action and returns the XML answer.</summary>
    /// <exception cref="AwsServiceException">The simulated service refused the call.</exception>
    public Task<XDocument> DispatchAsync(string action, IReadOnlyList<KeyValuePair<string, string>> form, string requestId, CancellationToken cancellationToken)
    {
        XElement result;
        switch (action)
        {
            case "DescribeLoadBalancers":
            {
                var names = List(form, "Names");
                var arns = List(form, "LoadBalancerArns");
                var page = aws.Elbv2.DescribeLoadBalancersPage(names, arns, Value(form, "Marker"), PageSize(form, action));
                result = new XElement(Ns + "DescribeLoadBalancersResult",
                    new XElement(Ns + "LoadBalancers", page.LoadBalancers.Select(lb => new XElement(Ns + "member",
                        new XElement(Ns + "LoadBalancerArn", lb.LoadBalancerArn),
                        new XElement(Ns + "DNSName", lb.DNSName),
                        new XElement(Ns + "CanonicalHostedZoneId", "Z215JYRZR1TBD5"),
                        new XElement(Ns + "CreatedTime", "2026-01-01T00:00:00.000Z"),
                        new XElement(Ns + "LoadBalancerName", lb.LoadBalancerName),
                        new XElement(Ns + "Scheme", lb.Scheme),
                        new XElement(Ns + "VpcId", "vpc-0a1b2c3d4e5f60718"),
                        new XElement(Ns + "State", new XElement(Ns + "Code", lb.State)),
                        new XElement(Ns + "Type", lb.Type),
                        new XElement(Ns + "IpAddressType", "ipv4")))),
                    page.NextMarker is null ? null : new XElement(Ns + "NextMarker", page.NextMarker));
                break;
            }
            case "DescribeTargetGroups":
            {
                var arns = List(form, "TargetGroupArns");
                var page = aws.Elbv2.DescribeTargetGroupsPage(arns, Value(form, "Marker"), PageSize(form, action));
                result = new XElement(Ns + "DescribeTargetGroupsResult",
                    new XElement(Ns + "TargetGroups", page.TargetGroups.Select(tg => new XElement(Ns + "member",
                        new XElement(Ns + "TargetGroupArn", tg.TargetGroupArn),
                        new XElement(Ns + "TargetGroupName", tg.TargetGroupName),
                        new XElement(Ns + "Protocol", "HTTP"),
                        new XElement(Ns + "Port", "80"),
                        new XElement(Ns + "TargetType", "ip"),
                        tg.HealthCheckPath is null ? null : new XElement(Ns + "HealthCheckPath", tg.HealthCheckPath),
                        Optional("HealthCheckIntervalSeconds", tg.HealthCheckIntervalSeconds),
                        Optional("HealthCheckTimeoutSeconds", tg.HealthCheckTimeoutSeconds),
                        Optional("HealthyThresholdCount", tg.HealthyThresholdCount),
                        Optional("UnhealthyThresholdCount", tg.UnhealthyThresholdCount),
                        new XElement(Ns + "LoadBalancerArns", tg.LoadBalancerArns.Select(a => new XElement(Ns + "member", a)))))),
                    page.NextMarker is null ? null : new XElement(Ns + "NextMarker", page.NextMarker));
                break;
            }
            case "DescribeTargetGroupAttributes":
            {
                var attributes = aws.Elbv2.TargetGroupAttributes(Value(form, "TargetGroupArn") ?? "");
                result = new XElement(Ns + "DescribeTargetGroupAttributesResult",
                    new XElement(Ns + "Attributes", attributes.Select(a => new XElement(Ns + "member", new XElement(Ns + "Key", a.Key), new XElement(Ns + "Value", a.Value)))));
                break;
            }
            case "DescribeListeners":
                result = Elbv2ReadAnswers.DescribeListeners(aws.Elbv2.DescribeListenersPage(Value(form, "LoadBalancerArn"), List(form, "ListenerArns"), Value(form, "Marker"), PageSize(form, action)));
                break;
            case "DescribeRules":
                result = Elbv2ReadAnswers.DescribeRules(aws.Elbv2.DescribeRulesPage(Value(form, "ListenerArn"), List(form, "RuleArns"), Value(form, "Marker"), PageSize(form, action)));
                break;
            case "DescribeTargetHealth":
                result = Elbv2ReadAnswers.DescribeTargetHealth(aws.Elbv2.DescribeTargetHealth(Value(form, "TargetGroupArn"), Elbv2ReadAnswers.Targets(form)));
                break;
            default:
                throw new AwsServiceException("ELBv2", action, "InvalidAction", $"The action {action} is not valid for this web service.", 400);
        }
        return Task.FromResult(new XDocument(new XElement(Ns + action + "Response", result,
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", requestId)))));
    }

    /// <summary>An error answer as the Query protocol sends it.</summary>
    public static XDocument Error(string code, string message, string requestId, bool sender = true)
        => new(new XElement(Ns + "ErrorResponse",
            new XElement(Ns + "Error",
                new XElement(Ns + "Type", sender ? "Sender" : "Receiver"),
                new XElement(Ns + "Code", code),
                new XElement(Ns + "Message", message)),
            new XElement(Ns + "RequestId", requestId)));

    private static int? PageSize(IReadOnlyList<KeyValuePair<string, string>> form, string action)
        => Value(form, "PageSize") is not { } text ? null
            : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var size) ? size
            : throw new AwsServiceException("ELBv2", action, "ValidationError", $"1 validation error detected: Value '{text}' at 'pageSize' failed to satisfy constraint: Member must be a number", 400);

    private static XElement? Optional(string name, int? value) => value is { } v ? new XElement(Ns + name, v.ToString(CultureInfo.InvariantCulture)) : null;

    private static string? Value(IReadOnlyList<KeyValuePair<string, string>> form, string name)
        => form.FirstOrDefault(p => p.Key == name).Value is { Length: > 0 } value ? value : null;

    private static List<string> List(IReadOnlyList<KeyValuePair<string, string>> form, string name)
    {
        var prefix = name + ".member.";
        return [.. form.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => (Index: int.TryParse(p.Key[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue, p.Value))
            .OrderBy(p => p.Index)
            .Select(p => p.Value)];
    }
}
