using EcsDeploy.Aws;

namespace EcsDeploy.Preflight;

// The CloudWatch alarms a deployment rolls back on (d.RollbackOnAlarms): ECS takes any name and then watches nothing for
// one that does not exist, so a typo silently removes the safety net of a blue/green, linear or canary deployment (the
// circuit breaker does not apply to them).
internal sealed partial class ServicePreflight
{
    /// <summary>At most this many names per DescribeAlarms call (the API's limit).</summary>
    private const int AlarmNamesPerCall = 100;

    /// <summary>The alarms the pipeline names for this service (the deployed one only), distinct, in order.</summary>
    private IReadOnlyList<string> AlarmNames()
        => target.Spec is not null && context.Definition.DeployedService is Deployments.DeployStage deploy
            ? [.. deploy.Options.AlarmNames.Distinct(StringComparer.Ordinal)]
            : [];

    private async Task<List<PreflightCheck>> AlarmChecksAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        if (Aws.CloudWatch is null)
        {
            return [.. names.Select(n => Skip($"alarm {n}", "this target has no CloudWatch: not checked", n))];
        }
        var found = new Dictionary<string, (string? Arn, string? State)>(StringComparer.Ordinal);
        try
        {
            foreach (var chunk in names.Chunk(AlarmNamesPerCall))
            {
                string? token = null;
                do
                {
                    // Composite alarms count too: ECS watches either kind.
                    var page = await Aws.CloudWatch.DescribeAlarmsAsync(
                        new DescribeAlarmsRequest(chunk, [AlarmTypes.MetricAlarm, AlarmTypes.CompositeAlarm], NextToken: token), cancellationToken).ConfigureAwait(false);
                    foreach (var alarm in page.MetricAlarms ?? [])
                    {
                        found[alarm.AlarmName] = (alarm.AlarmArn, alarm.StateValue);
                    }
                    foreach (var alarm in page.CompositeAlarms ?? [])
                    {
                        found[alarm.AlarmName] = (alarm.AlarmArn, alarm.StateValue);
                    }
                    token = page.NextToken;
                }
                while (!string.IsNullOrEmpty(token));
            }
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is "AccessDenied" or "AccessDeniedException")
        {
            return [.. names.Select(n => Skip($"alarm {n}", "the deployer may not read alarms (cloudwatch:DescribeAlarms denied): not checked", n))];
        }
        var strategy = context.Definition.DeployedService is Deployments.DeployStage deploy ? deploy.Options.DeploymentStrategy.Label : "the";
        return [.. names.Select(name => found.TryGetValue(name, out var alarm)
            ? Ok($"alarm {name}", alarm.State == AlarmStates.Alarm
                ? "exists, and is in ALARM now: ECS will roll the deployment back as soon as it starts"
                : $"exists ({alarm.State ?? "state unknown"})", alarm.Arn ?? name)
            : Fail($"alarm {name}", $"CloudWatch has no alarm '{name}' in {context.Definition.Region}: ECS would watch nothing, and the {strategy} deployment would have no alarm to roll it back", name,
                $"fix the name in d.RollbackOnAlarms(\"{name}\"), or create the alarm first (Terraform: aws_cloudwatch_metric_alarm; aws cloudwatch put-metric-alarm --alarm-name {name} ...)"))];
    }
}
