using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>ECS-BEHAVIOUR.md §5 and the Fargate capacity provider guide: the Spot interruption's warning and stop codes.</summary>
public sealed class StopCodeTests
{
    [Fact]
    public void SpotInterruption_WarnsWithTerminationNotice_StopsWithSpotInterruption_AndTheServiceReplacesTheTask()
    {
        var world = new SimWorld();
        var deployment = world.Describe().Deployments.Single().Id;
        var victim = world.TasksOf(deployment).First(t => t.LastStatus == TaskStatuses.Running);

        world.Aws.Ecs.InterruptSpotTask(SimWorld.Cluster, victim.TaskArn);

        var warned = world.Aws.Ecs.AllTasks().Single(t => t.TaskArn == victim.TaskArn);
        Assert.Equal((TaskStatuses.Running, TaskStatuses.Stopped, StopCodes.TerminationNotice, "Your Spot Task was interrupted."),
            (warned.LastStatus, warned.DesiredStatus, warned.StopCode, warned.StoppedReason));
        // The scheduler launches a replacement on the warning, not once the task is gone.
        Assert.Equal(3, world.TasksOf(deployment).Count);

        world.WaitUntil(() => world.Aws.Ecs.AllTasks().Single(t => t.TaskArn == victim.TaskArn).LastStatus == TaskStatuses.Stopped);
        var stopped = world.Aws.Ecs.AllTasks().Single(t => t.TaskArn == victim.TaskArn);
        Assert.Equal((StopCodes.SpotInterruption, "Your Spot Task was interrupted.", 143), (stopped.StopCode, stopped.StoppedReason, stopped.Containers[0].ExitCode));

        world.WaitUntil(() => world.TasksOf(deployment).Count(t => t.LastStatus == TaskStatuses.Running && t.HealthStatus != HealthStatuses.Unhealthy) == 2);
        var after = world.Describe().Deployments.Single();
        Assert.Equal((deployment, RolloutStates.Completed, 0), (after.Id, after.RolloutState, after.FailedTasks));
    }

    [Fact]
    public void SpotInterruption_OfATaskThatIsNotRunning_IsRefused()
    {
        var world = new SimWorld();
        var error = Assert.Throws<InvalidOperationException>(() => world.Aws.Ecs.InterruptSpotTask(SimWorld.Cluster, "0123456789abcdef"));
        Assert.Equal($"No running task 0123456789abcdef in cluster {SimWorld.Cluster}: only a running task can be interrupted.", error.Message);
    }

    [Fact]
    public async Task StopTask_IsUserInitiated_WithTheGivenReason()
    {
        var world = new SimWorld();
        var task = world.TasksOf(world.Describe().Deployments.Single().Id).First();

        await world.Aws.Ecs.StopTaskAsync(new StopTaskRequest(SimWorld.Cluster, task.TaskArn, "stopped by the on-call"), CancellationToken.None);
        world.WaitUntil(() => world.Aws.Ecs.AllTasks().Single(t => t.TaskArn == task.TaskArn).LastStatus == TaskStatuses.Stopped);

        var stopped = world.Aws.Ecs.AllTasks().Single(t => t.TaskArn == task.TaskArn);
        Assert.Equal((StopCodes.UserInitiated, "stopped by the on-call", 143), (stopped.StopCode, stopped.StoppedReason, stopped.Containers[0].ExitCode));
    }
}
