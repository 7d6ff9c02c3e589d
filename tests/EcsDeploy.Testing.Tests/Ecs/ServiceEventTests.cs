using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>ECS-BEHAVIOUR.md §4: service events, their wording, order, batching and suppression.</summary>
public sealed class ServiceEventTests
{
    [Fact]
    public async Task GoodUpdate_PostsStartedRegisteredDrainingStoppedThenCompletedAndSteadyState_Batched()
    {
        var world = new SimWorld();
        var id = await world.DeployChangeAsync();
        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);

        var s = $"(service {SimWorld.Service})";
        var messages = world.Messages().TakeWhile(m => m != $"{s} has reached a steady state." || true).Reverse().Skip(1).ToList();
        Assert.Matches(@"^\(service [^)]+\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$", messages[0]);
        Assert.StartsWith($"{s} registered 2 targets in (target-group arn:aws:elasticloadbalancing:", messages[1], StringComparison.Ordinal);
        Assert.Equal($"{s} has begun draining connections on 2 tasks.", messages[2]);
        Assert.Matches(@"^\(service [^)]+\) has stopped 2 running tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$", messages[3]);
        Assert.Equal($"{s} (deployment {id}) deployment completed.", messages[4]);
        Assert.Equal($"{s} has reached a steady state.", messages[5]);
        var events = world.Describe().Events;
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.CreatedAt >= p.Second.CreatedAt), "newest first");
    }

    [Fact]
    public async Task NoCapacity_PostsUnableToPlaceOnce_RepeatsSuppressed_AndTheDeploymentStaysInProgress()
    {
        var world = new SimWorld();
        world.Aws.Faults.NoCapacity();
        var id = await world.DeployChangeAsync();
        world.Wait(TimeSpan.FromMinutes(20));

        var unable = world.Messages().Where(m => m.Contains("was unable to place a task", StringComparison.Ordinal)).ToList();
        Assert.Equal($"(service {SimWorld.Service}) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.", Assert.Single(unable));
        Assert.Empty(world.TasksOf(id));
        Assert.Equal(RolloutStates.InProgress, world.Describe().Deployments[0].RolloutState);
    }

    [Fact]
    public async Task Events_AreKeptToTheNewest100()
    {
        var world = new SimWorld();
        world.Aws.Faults.ImagePullFailure();
        await world.DeployChangeAsync(breaker: false, rollback: false);
        world.Wait(TimeSpan.FromHours(2));
        Assert.Equal(100, world.Describe().Events.Count);
    }
}
