using System.Globalization;
using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// The moments a service's own settings promise, read once before a rollout is followed: how long after a target
/// registers it is healthy (healthy threshold x interval of the target group's check, and the container check's first
/// pass) or unhealthy (unhealthy threshold x interval, the container check's retries, never inside the grace period),
/// how long a deregistered target drains, and how long ECS takes to stop a task once it is told to.
/// </summary>
internal sealed record RolloutTimings
{
    /// <summary>An ALB target group's defaults, used when the settings cannot be read.</summary>
    public static RolloutTimings Defaults { get; } = new();

    /// <summary>From registration to healthy (null: no load balancer and no container check, ECS counts 40 s).</summary>
    public TimeSpan HealthyAfter { get; init; } = TimeSpan.FromSeconds(150);

    /// <summary>From registration to unhealthy, grace period included.</summary>
    public TimeSpan UnhealthyAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a deregistered target drains before its task is stopped.</summary>
    public TimeSpan DeregistrationDelay { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Whether the service's tasks register with a target group (then old tasks drain before they stop).</summary>
    public bool BehindLoadBalancer { get; init; } = true;

    /// <summary>
    /// Shortest time from "told to stop" to STOPPED: a task that never ran only deprovisions (Fargate about 10 s).
    /// ECS does not announce this moment, so it is a prior, not a setting; a wrong one costs calls or a late report,
    /// never a wrong one.
    /// </summary>
    public TimeSpan StopAtLeast { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest usual time from "told to stop" to STOPPED: STOPPING (SIGTERM, about 5 s) and deprovisioning.</summary>
    public TimeSpan StopAtMost { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Where the figures came from, for the verbose report.</summary>
    public string Source { get; init; } = "ALB defaults (settings not read)";

    /// <summary>
    /// Reads the settings of <paramref name="service"/>: its grace period, its first target group's health check and
    /// deregistration delay (ELBv2), and the container health check of <paramref name="taskDefinitionArn"/>. A setting
    /// that cannot be read keeps its ALB default: the follower then predicts less well, and stays correct.
    /// </summary>
    public static async Task<RolloutTimings> ReadAsync(PipelineContext context, EcsService service, string? taskDefinitionArn, CancellationToken cancellationToken)
    {
        var grace = TimeSpan.FromSeconds(service.HealthCheckGracePeriodSeconds ?? 0);
        TimeSpan? targetHealthy = null, targetUnhealthy = null;
        var deregistration = TimeSpan.Zero;
        var sources = new List<string>();
        var targetGroup = service.LoadBalancers.Select(lb => lb.TargetGroupArn).FirstOrDefault(arn => !string.IsNullOrEmpty(arn));
        if (targetGroup is not null)
        {
            deregistration = Defaults.DeregistrationDelay;
            try
            {
                // Two independent reads: side by side.
                var groups = context.Aws.Elbv2.DescribeTargetGroupsAsync([targetGroup], null, cancellationToken);
                var attributesRead = context.Aws.Elbv2.DescribeTargetGroupAttributesAsync(targetGroup, cancellationToken);
                await Task.WhenAll(groups, attributesRead).ConfigureAwait(false);
                var group = (await groups.ConfigureAwait(false)).TargetGroups.FirstOrDefault();
                var interval = TimeSpan.FromSeconds(group?.HealthCheckIntervalSeconds ?? 30);
                targetHealthy = interval * (group?.HealthyThresholdCount ?? 5);
                targetUnhealthy = interval * (group?.UnhealthyThresholdCount ?? 2);
                var attributes = await attributesRead.ConfigureAwait(false);
                if (attributes.TryGetValue("deregistration_delay.timeout_seconds", out var delay)
                    && int.TryParse(delay, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                {
                    deregistration = TimeSpan.FromSeconds(seconds);
                }
                sources.Add($"target group: healthy after {targetHealthy.Value.TotalSeconds:0} s, unhealthy after {targetUnhealthy.Value.TotalSeconds:0} s, drains {deregistration.TotalSeconds:0} s");
            }
            catch (AwsServiceException ex)
            {
                targetHealthy = Defaults.HealthyAfter;
                targetUnhealthy = Defaults.UnhealthyAfter;
                sources.Add($"target group settings not readable ({ex.ErrorCode}): ALB defaults");
            }
        }

        TimeSpan? containerHealthy = null, containerUnhealthy = null;
        if (taskDefinitionArn is not null)
        {
            try
            {
                var definition = await context.TaskDefinitions.RevisionAsync(taskDefinitionArn, cancellationToken).ConfigureAwait(false);
                if ((definition.ContainerDefinitions ?? []).FirstOrDefault(c => c.Essential != false && c.HealthCheck is not null)?.HealthCheck is { } check)
                {
                    containerHealthy = TimeSpan.FromSeconds(check.Interval ?? 30);
                    containerUnhealthy = TimeSpan.FromSeconds((check.Interval ?? 30) * (check.Retries ?? 3) + (check.StartPeriod ?? 0));
                    sources.Add($"container check: healthy after {containerHealthy.Value.TotalSeconds:0} s, unhealthy after {containerUnhealthy.Value.TotalSeconds:0} s");
                }
            }
            catch (AwsServiceException ex)
            {
                sources.Add($"task definition not readable ({ex.ErrorCode})");
            }
        }

        // Healthy needs every check to pass; unhealthy needs the first to fail, and ECS ignores failures in the grace period.
        var healthy = Max(targetHealthy, containerHealthy) ?? TimeSpan.FromSeconds(40);
        var unhealthy = Min(targetUnhealthy, containerUnhealthy) ?? healthy;
        if (grace > TimeSpan.Zero)
        {
            sources.Add($"grace period {grace.TotalSeconds:0} s");
        }
        return new RolloutTimings
        {
            HealthyAfter = healthy,
            UnhealthyAfter = unhealthy > grace ? unhealthy : grace,
            DeregistrationDelay = deregistration,
            BehindLoadBalancer = targetGroup is not null,
            Source = sources.Count == 0 ? "no load balancer and no container check: healthy 40 s after RUNNING" : string.Join("; ", sources),
        };
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
