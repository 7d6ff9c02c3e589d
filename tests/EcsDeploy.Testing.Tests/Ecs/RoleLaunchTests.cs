using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>
/// At launch ECS assumes the revision's execution and task roles: a role that does not exist or does not trust
/// ecs-tasks.amazonaws.com launches no task. The service posts "failed to launch a task with (error ECS was unable to
/// assume the role ...)" and each failed launch counts toward the circuit breaker; RunTask answers ClientException.
/// </summary>
public sealed class RoleLaunchTests
{
    private const string ExecutionRole = "arn:aws:iam::123456789012:role/truecaller-backend-execution";

    private static string Refusal(string role) => $"ECS was unable to assume the role '{role}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.";

    [Fact]
    public async Task Launch_WhenTheExecutionRoleDoesNotTrustEcsTasks_StartsNoTask_PostsAwsWording_AndTripsTheBreaker()
    {
        var world = new SimWorld();
        var before = world.Describe().TaskDefinition;
        world.Aws.Faults.Arm("untrusted-execution-role");
        var id = await world.DeployChangeAsync(d => d with { Cpu = "1024", Memory = "2048" });
        world.WaitUntil(() => world.Messages().Contains($"(service {SimWorld.Service}) (deployment {id}) deployment failed: tasks failed to start."));

        Assert.Empty(world.TasksOf(id));
        Assert.Contains($"(service {SimWorld.Service}) failed to launch a task with (error {Refusal(ExecutionRole)}).", world.Messages());
        Assert.Contains(world.Messages(), m => m.Contains("rolling back to deployment", StringComparison.Ordinal));
        // Two launches at the first attempt, one more at the retry: the threshold of 3 (2 tasks).
        var list = await world.Aws.Ecs.ListServiceDeploymentsAsync(new ListServiceDeploymentsRequest { Service = SimWorld.Service, Cluster = SimWorld.Cluster }, CancellationToken.None);
        var described = await world.Aws.Ecs.DescribeServiceDeploymentsAsync(new DescribeServiceDeploymentsRequest([.. list.ServiceDeployments.Select(s => s.ServiceDeploymentArn)]), CancellationToken.None);
        var tripped = Assert.Single(described.ServiceDeployments, s => s.DeploymentCircuitBreaker?.Status == "TRIGGERED");
        Assert.Equal(3, tripped.DeploymentCircuitBreaker!.FailureCount);
        // The old tasks were launched before the trust changed: they keep running, and the rollback completes on them.
        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }]);
        Assert.Equal(before, world.Describe().TaskDefinition);
        Assert.Equal(2, world.Describe().RunningCount);
    }

    [Fact]
    public async Task Launch_IsRetriedEvery30Seconds_EachFailureCounts_AndATrustFixedInTimeLetsTheDeploymentComplete()
    {
        var world = new SimWorld();
        world.Aws.Faults.Arm("untrusted-execution-role");
        // maximumPercent 150 with 2 tasks: one new task at a time, so one failed launch per attempt.
        var id = await world.DeployAsync(await world.RegisterAsync(d => d with { Cpu = "1024", Memory = "2048" }), maximumPercent: 150);
        int Failed() => world.Describe().Deployments.Single(d => d.Id == id).FailedTasks;

        world.Wait(TimeSpan.FromSeconds(20));
        Assert.Equal(1, Failed());
        world.Wait(TimeSpan.FromSeconds(15));
        Assert.Equal(2, Failed());
        Assert.Equal(RolloutStates.InProgress, world.Describe().Deployments[0].RolloutState);
        // Repeats of the same message are suppressed, as ECS suppresses them.
        Assert.Single(world.Messages(), m => m.Contains("failed to launch a task", StringComparison.Ordinal));

        Assert.True(world.Aws.Iam.SetTrustPolicy("truecaller-backend-execution", SimulatedIam.EcsTasksTrustPolicy));
        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }] && world.Describe().Deployments[0].Id == id);
        Assert.NotEmpty(world.TasksOf(id));
    }

    [Fact]
    public async Task RunTask_WhenTheTaskRoleDoesNotExist_IsRefusedWithClientException_AndStartsNothing()
    {
        var world = new SimWorld();
        var arn = await world.RegisterAsync();
        world.Aws.Iam.DeleteRole("truecaller-backend-task");
        var tasksBefore = world.Aws.Ecs.AllTasks().Count;

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => world.Aws.Ecs.RunTaskAsync(new RunTaskRequest { Cluster = SimWorld.Cluster, TaskDefinition = arn }, CancellationToken.None));

        Assert.Equal("ClientException", error.ErrorCode);
        Assert.Equal(Refusal("arn:aws:iam::123456789012:role/truecaller-backend-task"), error.ErrorMessage);
        Assert.Equal(tasksBefore, world.Aws.Ecs.AllTasks().Count);
    }

    [Fact]
    public async Task Launch_WithRolesThatTrustEcsTasks_Starts()
    {
        var world = new SimWorld();
        var id = await world.DeployChangeAsync(d => d with { Cpu = "1024", Memory = "2048" });
        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }] && world.Describe().Deployments[0].Id == id);

        Assert.DoesNotContain(world.Messages(), m => m.Contains("failed to launch a task", StringComparison.Ordinal));
    }
}
