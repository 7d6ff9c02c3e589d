using System.Globalization;
using System.Xml.Linq;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// The XML results of the ELBv2 read commands beside the library's (describe-listeners, describe-rules,
/// describe-target-health), in the shapes of botocore's elbv2 model.
/// </summary>
internal static class Elbv2ReadAnswers
{
    private static readonly XNamespace Ns = Elbv2QueryDispatcher.Ns;

    public static XElement DescribeListeners((List<SimListener> Listeners, string? NextMarker) page)
        => new(Ns + "DescribeListenersResult",
            new XElement(Ns + "Listeners", page.Listeners.Select(l => new XElement(Ns + "member",
                new XElement(Ns + "ListenerArn", l.ListenerArn),
                new XElement(Ns + "LoadBalancerArn", l.LoadBalancerArn),
                new XElement(Ns + "Port", l.Port.ToString(CultureInfo.InvariantCulture)),
                new XElement(Ns + "Protocol", "HTTP"),
                new XElement(Ns + "DefaultActions", l.TargetGroupArn is null ? null : Forward([(l.TargetGroupArn, 1)]))))),
            page.NextMarker is null ? null : new XElement(Ns + "NextMarker", page.NextMarker));

    public static XElement DescribeRules((List<SimRule> Rules, string? NextMarker) page)
        => new(Ns + "DescribeRulesResult",
            new XElement(Ns + "Rules", page.Rules.Select(r => new XElement(Ns + "member",
                new XElement(Ns + "RuleArn", r.RuleArn),
                new XElement(Ns + "Priority", r.Priority),
                new XElement(Ns + "Conditions", r.IsDefault ? null : new XElement(Ns + "member",
                    new XElement(Ns + "Field", "path-pattern"),
                    new XElement(Ns + "Values", new XElement(Ns + "member", "/*")),
                    new XElement(Ns + "PathPatternConfig", new XElement(Ns + "Values", new XElement(Ns + "member", "/*"))))),
                new XElement(Ns + "Actions", r.Forward.Count == 0 ? null : Forward(r.Forward)),
                new XElement(Ns + "IsDefault", r.IsDefault ? "true" : "false")))),
            page.NextMarker is null ? null : new XElement(Ns + "NextMarker", page.NextMarker));

    public static XElement DescribeTargetHealth(List<SimTarget> targets)
        => new(Ns + "DescribeTargetHealthResult",
            new XElement(Ns + "TargetHealthDescriptions", targets.Select(t => new XElement(Ns + "member",
                new XElement(Ns + "Target",
                    new XElement(Ns + "Id", t.Id),
                    t.Port == 0 ? null : new XElement(Ns + "Port", t.Port.ToString(CultureInfo.InvariantCulture)),
                    t.AvailabilityZone.Length == 0 ? null : new XElement(Ns + "AvailabilityZone", t.AvailabilityZone)),
                t.Port == 0 ? null : new XElement(Ns + "HealthCheckPort", t.Port.ToString(CultureInfo.InvariantCulture)),
                new XElement(Ns + "TargetHealth",
                    new XElement(Ns + "State", t.State),
                    t.Reason is null ? null : new XElement(Ns + "Reason", t.Reason),
                    t.Description is null ? null : new XElement(Ns + "Description", t.Description))))));

    /// <summary>The targets a request names (<c>Targets.member.N.Id</c> and <c>.Port</c>).</summary>
    public static List<(string Id, int? Port)> Targets(IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var targets = new List<(string Id, int? Port)>();
        for (var n = 1; form.FirstOrDefault(p => p.Key == $"Targets.member.{n}.Id").Value is { } id; n++)
        {
            var port = form.FirstOrDefault(p => p.Key == $"Targets.member.{n}.Port").Value;
            targets.Add((id, port is null ? null : int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture)));
        }
        return targets;
    }

    /// <summary>A forward action as ELBv2 shows it: TargetGroupArn when it forwards to one group, and ForwardConfig with the weights.</summary>
    private static XElement Forward(IReadOnlyList<(string TargetGroupArn, int Weight)> groups)
        => new(Ns + "member",
            new XElement(Ns + "Type", "forward"),
            groups.Count == 1 ? new XElement(Ns + "TargetGroupArn", groups[0].TargetGroupArn) : null,
            new XElement(Ns + "Order", "1"),
            new XElement(Ns + "ForwardConfig",
                new XElement(Ns + "TargetGroups", groups.Select(g => new XElement(Ns + "member",
                    new XElement(Ns + "TargetGroupArn", g.TargetGroupArn),
                    new XElement(Ns + "Weight", g.Weight.ToString(CultureInfo.InvariantCulture))))),
                new XElement(Ns + "TargetGroupStickinessConfig", new XElement(Ns + "Enabled", "false"))));
}
