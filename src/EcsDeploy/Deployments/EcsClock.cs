namespace EcsDeploy.Deployments;

/// <summary>
/// ECS's clock as seen from the run's: ECS stamps a rollout's events with its own time, and the follower predicts on it
/// but sleeps on ours. Tied at one moment (a deployment's creation, just before UpdateService answered: ECS's
/// <paramref name="EcsAt"/> is our <paramref name="OursAt"/>) and running <paramref name="Speed"/> times as fast as ours
/// (1 on AWS; a local AWS host driven faster than wall time says its speed).
/// </summary>
/// <param name="OursAt">A moment on the run's clock.</param>
/// <param name="EcsAt">The same moment on ECS's clock.</param>
/// <param name="Speed">ECS's seconds per second of ours (greater than 0).</param>
internal sealed record EcsClock(DateTimeOffset OursAt, DateTimeOffset EcsAt, double Speed)
{
    /// <summary>Our moment <paramref name="ours"/> on ECS's clock.</summary>
    public DateTimeOffset ToEcs(DateTimeOffset ours) => EcsAt + (ours - OursAt) * Speed;

    /// <summary>ECS's moment <paramref name="ecs"/> on our clock.</summary>
    public DateTimeOffset ToOurs(DateTimeOffset ecs) => OursAt + (ecs - EcsAt) / Speed;
}
