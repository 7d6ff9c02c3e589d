using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>ECS-BEHAVIOUR.md §1 and §3: the circuit breaker's counting, wording and rollback.</summary>
public sealed class CircuitBreakerTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(6, 3)]
    [InlineData(25, 13)]
    [InlineData(1000, 200)]
    public void Threshold_IsHalfTheDesiredCountClampedTo3And200(int desired, int threshold)
        => Assert.Equal(threshold, EcsDeploy.Testing.Ecs.EcsScheduler.BreakerThreshold(desired));

    [Theory]
    [InlineData("image-pull-failure")]
    [InlineData("unhealthy-tasks")]
    [InlineData("crash-on-start")]
    public async Task Trip_SaysTasksFailedToStart_ForEveryCause(string fault)
    {
        var world = new SimWorld();
        world.Aws.Faults.Arm(fault);
        var id = await world.DeployChangeAsync();
        world.WaitUntil(() => world.Describe().Deployments.Any(d => d.Id == id && d.RolloutState == RolloutStates.Failed));

        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", world.Describe().Deployments.Single(d => d.Id == id).RolloutStateReason);
        Assert.Contains($"(service {SimWorld.Service}) (deployment {id}) deployment failed: tasks failed to start.", world.Messages());
    }

    [Fact]
    public async Task Rollback_ReusesTheGoodDeploymentsId_TheFailedOneStaysActiveFailedWhileItsTasksDrain()
    {
        var world = new SimWorld();
        var good = world.Describe().Deployments.Single().Id;
        world.Aws.Faults.UnhealthyTasks();
        var id = await world.DeployChangeAsync();
        world.WaitUntil(() => world.Describe().Deployments.Any(d => d.Id == id && d.RolloutState == RolloutStates.Failed));

        var deployments = world.Describe().Deployments;
        Assert.Equal((good, DeploymentStatuses.Primary, RolloutStates.InProgress), (deployments[0].Id, deployments[0].Status, deployments[0].RolloutState));
        Assert.Equal($"ECS deployment circuit breaker: rolling back to deploymentId {good}.", deployments[0].RolloutStateReason);
        Assert.Contains(deployments, d => d.Id == id && d.Status == DeploymentStatuses.Active && d.RolloutState == RolloutStates.Failed);
        // "deployment failed", then "rolling back" at once.
        var messages = world.Messages().ToList();
        var rollingBack = messages.IndexOf($"(service {SimWorld.Service}) rolling back to deployment {good}.");
        Assert.Equal($"(service {SimWorld.Service}) (deployment {id}) deployment failed: tasks failed to start.", messages[rollingBack + 1]);

        world.WaitUntil(() => world.Describe().Deployments.Count == 1);
        Assert.Equal((good, RolloutStates.Completed), (world.Describe().Deployments[0].Id, world.Describe().Deployments[0].RolloutState));
    }

    [Fact]
    public async Task FailedTasks_CountsTasksThatNeverRan_AndResetsWhenATaskReachesRunning()
    {
        var world = new SimWorld(desiredCount: 6);
        var launches = 0;
        var previous = world.Aws.Ecs.Behaviour;
        // The first two launches fail to start, every later one runs.
        world.Aws.Ecs.Behaviour = launch => launch.ServiceName is not null && launch.TaskDefinition.Revision > 1 && launches++ < 2
            ? TaskBehaviour.FailsToStart("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref x: not found")
            : previous(launch);
        var id = await world.DeployChangeAsync();

        world.WaitUntil(() => world.Describe().Deployments.Single(d => d.Id == id).FailedTasks == 2);
        world.WaitUntil(() => world.TasksOf(id).Any(t => t.LastStatus == TaskStatuses.Running));
        Assert.Equal(0, world.Describe().Deployments.Single(d => d.Id == id).FailedTasks);
        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);
    }

    [Fact]
    public async Task HealthCheckStop_DoesNotReportExit137_OrAnInventedContainerReason()
    {
        var world = new SimWorld();
        world.Aws.Faults.UnhealthyTasks();
        var id = await world.DeployChangeAsync();
        world.WaitUntil(() => world.TasksOf(id).Any(t => t.LastStatus == TaskStatuses.Stopped));

        var task = world.TasksOf(id).First(t => t.LastStatus == TaskStatuses.Stopped);
        Assert.StartsWith("Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:", task.StoppedReason, StringComparison.Ordinal);
        Assert.Equal(StopCodes.ServiceSchedulerInitiated, task.StopCode);
        Assert.NotEqual(137, task.Containers[0].ExitCode);
        Assert.Null(task.Containers[0].Reason);
    }

    [Fact]
    public async Task CrashLoop_CountsEveryCrash_ReplacesTheTask_AndLogsTheCrash()
    {
        var world = new SimWorld();
        world.Aws.Faults.CrashOnStart();
        var id = await world.DeployChangeAsync();
        world.WaitUntil(() => world.Describe().Deployments.Any(d => d.Id == id && d.RolloutState == RolloutStates.Failed));

        var crashed = world.TasksOf(id).Where(t => t.DesiredStatus == TaskStatuses.Stopped).ToList();
        Assert.True(crashed.Count >= 3, $"{crashed.Count} crashed tasks");
        Assert.All(crashed, t => Assert.Equal((StopCodes.EssentialContainerExited, "Essential container in task exited", 1), (t.StopCode, t.StoppedReason, t.Containers[0].ExitCode)));
        Assert.All(crashed, t => Assert.Null(t.StartedAt));
        var log = await world.Aws.Logs.GetLogEventsAsync(new GetLogEventsRequest($"/ecs/{SimWorld.Family}", $"ecs/{SimWorld.Family}/{crashed[0].TaskArn.Split('/')[^1]}"), CancellationToken.None);
        Assert.Contains(log.Events, e => e.Message.StartsWith("Error: Invalid environment", StringComparison.Ordinal));
    }
}
