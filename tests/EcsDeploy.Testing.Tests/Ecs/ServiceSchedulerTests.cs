using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>ECS-BEHAVIOUR.md §1, §2 and §5: deployments, sizing, health and timing on the virtual clock.</summary>
public sealed class ServiceSchedulerTests
{
    [Fact]
    public async Task UpdateService_AddsAnInProgressPrimary_TheOldOneTurnsActive_AndDropsOutOnceItsTasksAreGone()
    {
        var world = new SimWorld();
        var old = world.Describe().Deployments.Single().Id;
        var id = await world.DeployChangeAsync();

        var deployments = world.Describe().Deployments;
        Assert.Matches(@"^ecs-svc/\d{19}$", id);
        Assert.Equal((DeploymentStatuses.Primary, RolloutStates.InProgress, $"ECS deployment {id} in progress."), (deployments[0].Status, deployments[0].RolloutState, deployments[0].RolloutStateReason));
        Assert.Equal((old, DeploymentStatuses.Active), (deployments[1].Id, deployments[1].Status));

        world.WaitUntil(() => world.Describe().Deployments.Count == 1);
        var done = world.Describe().Deployments.Single();
        Assert.Equal((id, RolloutStates.Completed, $"ECS deployment {id} completed."), (done.Id, done.RolloutState, done.RolloutStateReason));
    }

    [Fact]
    public async Task Rollout_BehindAnAlbWithDefaults_TakesSeveralMinutes_HealthyThresholdThenDeregistrationDelay()
    {
        var world = new SimWorld();
        var id = await world.DeployChangeAsync();
        var healthyAfter = world.WaitUntil(() => world.Messages().Any(m => m.Contains("has begun draining", StringComparison.Ordinal)));
        var completedAfter = healthyAfter + world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);

        // 25 s to RUNNING (PROVISIONING, PENDING, ACTIVATING), then 5 checks x 30 s to healthy.
        Assert.InRange(healthyAfter, TimeSpan.FromSeconds(170), TimeSpan.FromSeconds(185));
        // Then the 300 s deregistration delay, STOPPING and DEPROVISIONING.
        Assert.InRange(completedAfter - healthyAfter, TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(330));
        Assert.InRange(completedAfter, TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(9.5));
        Assert.Equal(id, world.Describe().Deployments[0].Id);
    }

    [Fact]
    public async Task Rollout_WithShorterTargetGroupSettings_FollowsThem()
    {
        var world = new SimWorld();
        var tg = world.Describe().LoadBalancers[0].TargetGroupArn!;
        world.Aws.Elbv2.SetTargetGroupHealth(tg, new TargetGroupHealth(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), 2, 2, TimeSpan.FromSeconds(30)));
        await world.DeployChangeAsync();

        var took = world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);
        Assert.InRange(took, TimeSpan.FromSeconds(25 + 20 + 30), TimeSpan.FromSeconds(25 + 20 + 30 + 20));
    }

    [Fact]
    public async Task MaximumPercent100_WithMinimumHealthyBelow100_StopsOldTasksFirstAndCompletes()
    {
        var world = new SimWorld(desiredCount: 2);
        var arn = await world.RegisterAsync();
        var id = await world.DeployAsync(arn, maximumPercent: 100, minimumHealthyPercent: 50);

        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);
        Assert.Equal(id, world.Describe().Deployments[0].Id);
        Assert.Equal(2, world.Aws.Ecs.AllTasks().Count(t => t.Group == $"service:{SimWorld.Service}" && t.DesiredStatus == TaskStatuses.Running));
    }

    [Fact]
    public async Task HealthStatus_IsUnknownWithoutAContainerCheck_HealthyWhenItPasses_UnhealthyWhenItFails()
    {
        var world = new SimWorld();
        var unchecked_ = await world.DeployChangeAsync();
        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);
        Assert.All(world.TasksOf(unchecked_).Where(t => t.LastStatus == TaskStatuses.Running), t => Assert.Equal(HealthStatuses.Unknown, t.HealthStatus));

        TaskDefinition Checked(TaskDefinition d) => d with { ContainerDefinitions = [d.ContainerDefinitions![0] with { HealthCheck = new HealthCheck { Command = ["CMD-SHELL", "wget -qO- localhost:3000/health || exit 1"] } }] };
        var checkedId = await world.DeployChangeAsync(Checked);
        world.WaitUntil(() => world.TasksOf(checkedId).Any(t => t.HealthStatus == HealthStatuses.Healthy));

        // Behind the load balancer ECS would stop the task at the target's verdict (60 s) before the container's
        // (3 x 30 s); a grace period lets the container check reach UNHEALTHY first.
        world.Aws.Ecs.SetHealthCheckGracePeriod(SimWorld.Cluster, SimWorld.Service, 300);
        world.Aws.Faults.UnhealthyTasks();
        var failing = await world.DeployChangeAsync(d => Checked(d) with { Cpu = "1024" });
        world.WaitUntil(() => world.TasksOf(failing).Any(t => t.HealthStatus == HealthStatuses.Unhealthy));
    }

    [Fact]
    public async Task GracePeriod_DelaysTheStopOfAnUnhealthyTask()
    {
        var world = new SimWorld();
        world.Aws.Ecs.SetHealthCheckGracePeriod(SimWorld.Cluster, SimWorld.Service, 300);
        world.Aws.Faults.UnhealthyTasks();
        var id = await world.DeployChangeAsync();

        world.Wait(TimeSpan.FromSeconds(25 + 60 + 30));
        Assert.DoesNotContain(world.TasksOf(id), t => t.DesiredStatus == TaskStatuses.Stopped);
        world.WaitUntil(() => world.TasksOf(id).Any(t => t.DesiredStatus == TaskStatuses.Stopped));
        Assert.Equal(300, world.Describe().HealthCheckGracePeriodSeconds);
    }

    [Fact]
    public async Task StoppingTask_PassesThroughDeactivatingStoppingAndDeprovisioning()
    {
        var world = new SimWorld();
        var old = world.Describe().Deployments.Single().Id;
        await world.DeployChangeAsync();
        var seen = new HashSet<string>();
        world.WaitUntil(() =>
        {
            foreach (var task in world.TasksOf(old))
            {
                seen.Add(task.LastStatus!);
            }
            return world.TasksOf(old).All(t => t.LastStatus == TaskStatuses.Stopped);
        });
        Assert.Superset(new HashSet<string> { TaskStatuses.Deactivating, TaskStatuses.Stopping, TaskStatuses.Deprovisioning, TaskStatuses.Stopped }, seen);
        Assert.All(world.TasksOf(old), t => Assert.Equal((StopCodes.ServiceSchedulerInitiated, true), (t.StopCode, t.StoppedReason!.StartsWith("Scaling activity initiated by (deployment ecs-svc/", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task NewTask_PassesThroughProvisioningPendingActivatingRunning()
    {
        var world = new SimWorld();
        var id = await world.DeployChangeAsync();
        var seen = new List<string>();
        world.WaitUntil(() =>
        {
            var status = world.TasksOf(id)[0].LastStatus!;
            if (seen.Count == 0 || seen[^1] != status)
            {
                seen.Add(status);
            }
            return status == TaskStatuses.Running;
        });
        Assert.Equal([TaskStatuses.Provisioning, TaskStatuses.Pending, TaskStatuses.Activating, TaskStatuses.Running], seen);
        Assert.All(world.TasksOf(id), t => Assert.Equal((id, $"service:{SimWorld.Service}"), (t.StartedBy, t.Group)));
    }
}
