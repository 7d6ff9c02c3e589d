namespace EcsDeploy.Testing;

/// <summary>
/// A target group's health check settings and deregistration delay, as the simulated load balancer applies them
/// on the virtual clock: a new target is healthy after <see cref="HealthyThreshold"/> passing checks
/// <see cref="Interval"/> apart, unhealthy after <see cref="UnhealthyThreshold"/> failing ones, and a deregistered
/// target drains for <see cref="DeregistrationDelay"/> before its task stops.
/// </summary>
/// <param name="Interval">Between checks (ALB default 30 s).</param>
/// <param name="Timeout">Before a check counts as failed (ALB default 5 s).</param>
/// <param name="HealthyThreshold">Consecutive passing checks to turn healthy (ALB default 5).</param>
/// <param name="UnhealthyThreshold">Consecutive failing checks to turn unhealthy (ALB default 2).</param>
/// <param name="DeregistrationDelay">Connection draining before a deregistered target's task stops (default 300 s).</param>
public sealed record TargetGroupHealth(TimeSpan Interval, TimeSpan Timeout, int HealthyThreshold, int UnhealthyThreshold, TimeSpan DeregistrationDelay)
{
    /// <summary>An application load balancer's defaults: 30 s, 5 s, 5, 2 and 300 s.</summary>
    public static TargetGroupHealth AlbDefaults { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 5, 2, TimeSpan.FromSeconds(300));

    /// <summary>
    /// How much later (earlier when negative) than its settings say the simulated load balancer really turns a target
    /// healthy or unhealthy and ends draining (default none): DescribeTargetGroups still shows the settings, so a
    /// follower that predicts from them is wrong by this much.
    /// </summary>
    public TimeSpan Skew { get; init; }

    /// <summary>How long after registration a healthy target is reported healthy.</summary>
    public TimeSpan TimeToHealthy => Interval * HealthyThreshold + Skew;

    /// <summary>How long after registration a failing target is reported unhealthy.</summary>
    public TimeSpan TimeToUnhealthy => Interval * UnhealthyThreshold + Skew;

    /// <summary>How long a deregistered target drains before its task stops.</summary>
    public TimeSpan TimeToDrain => DeregistrationDelay + Skew;
}
