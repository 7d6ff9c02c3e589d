using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>ECS-BEHAVIOUR.md §9 (last fact): at launch ECS resolves the image, every secret, the log group and the execution role.</summary>
public sealed class LaunchCheckTests
{
    [Fact]
    public async Task Launch_WhenImageDigestIsNotInEcr_StopsWithCannotPullContainerErrorAndTripsTheBreaker()
    {
        var world = new SimWorld();
        var id = await world.DeployChangeAsync(SimWorld.WithMissingImage);
        world.WaitUntil(() => world.Describe().Deployments.Any(d => d.Id == id && d.RolloutState == RolloutStates.Failed));

        var stopped = world.TasksOf(id).Where(t => t.LastStatus == TaskStatuses.Stopped).ToList();
        Assert.All(stopped, t =>
        {
            Assert.Equal(StopCodes.TaskFailedToStart, t.StopCode);
            Assert.StartsWith("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ", t.StoppedReason, StringComparison.Ordinal);
            Assert.Null(t.Containers[0].ExitCode);
        });
        Assert.Equal(3, world.Describe().Deployments.Single(d => d.Id == id).FailedTasks);
        Assert.Contains(world.Messages(), m => m.Contains("rolling back to deployment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Launch_WhenTheImageWasExpiredByTheLifecyclePolicy_FailsToStart()
    {
        var world = new SimWorld();
        var digest = world.Aws.Ecr.PushTestImage(SimWorld.Family, "v2");
        var arn = await world.RegisterAsync(d => SimWorld.WithImage(d, $"{world.Aws.Ecr.Host}/{SimWorld.Family}:v2"));
        await world.Aws.Ecr.PutLifecyclePolicyAsync(SimWorld.Family,
            """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}""", CancellationToken.None);
        world.Wait(TimeSpan.FromDays(3));
        Assert.DoesNotContain(digest, world.Aws.Ecr.Images(SimWorld.Family).Keys);

        var id = await world.DeployAsync(arn);
        world.WaitUntil(() => world.TasksOf(id).Any(t => t.LastStatus == TaskStatuses.Stopped));

        Assert.Contains(":v2: not found", world.TasksOf(id).First(t => t.LastStatus == TaskStatuses.Stopped).StoppedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_WhenTheSecretDoesNotExist_StopsWithResourceInitializationError()
    {
        var world = new SimWorld();
        var missing = world.Aws.Arn("secretsmanager", "secret:truecaller-backend/NOPE-AbCdEf");
        var id = await world.DeployChangeAsync(d => SimWorld.WithSecret(d, "NOPE", missing));
        world.WaitUntil(() => world.TasksOf(id).Any(t => t.LastStatus == TaskStatuses.Stopped));

        var task = world.TasksOf(id).First(t => t.LastStatus == TaskStatuses.Stopped);
        Assert.Equal(StopCodes.TaskFailedToStart, task.StopCode);
        Assert.StartsWith("ResourceInitializationError: unable to pull secrets or registry auth: ", task.StoppedReason, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFoundException", task.StoppedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_WhenTheSecretLacksTheJsonKey_StopsWithResourceInitializationError()
    {
        var world = new SimWorld();
        var arn = world.Aws.SecretsManager.CreateSecret("truecaller-backend/db", """{"username":"app","password":"Sim-pw-1"}""");
        var good = await world.DeployChangeAsync(d => SimWorld.WithSecret(d, "DB_PASSWORD", $"{arn}:password::"));
        world.WaitUntil(() => world.Describe().Deployments is [{ RolloutState: RolloutStates.Completed }] && world.Describe().Deployments[0].Id == good);

        var bad = await world.DeployChangeAsync(d => SimWorld.WithSecret(d, "DB_PASSWORD", $"{arn}:pasword::"));
        world.WaitUntil(() => world.TasksOf(bad).Any(t => t.LastStatus == TaskStatuses.Stopped));

        Assert.Contains("did not contain json key pasword", world.TasksOf(bad).First(t => t.LastStatus == TaskStatuses.Stopped).StoppedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launch_WhenTheAwslogsGroupIsMissing_FailsToStartUnlessCreateGroupIsSet()
    {
        var world = new SimWorld();
        TaskDefinition Logs(TaskDefinition d, bool create) => d with
        {
            ContainerDefinitions = [d.ContainerDefinitions![0] with
            {
                LogConfiguration = new LogConfiguration
                {
                    LogDriver = "awslogs",
                    Options = new Dictionary<string, string>(d.ContainerDefinitions[0].LogConfiguration!.Options!) { ["awslogs-group"] = "/ecs/new-group" }
                        .Concat(create ? [new KeyValuePair<string, string>("awslogs-create-group", "true")] : []).ToDictionary(),
                },
            }],
        };
        var failing = await world.DeployChangeAsync(d => Logs(d, create: false));
        world.WaitUntil(() => world.TasksOf(failing).Any(t => t.LastStatus == TaskStatuses.Stopped));
        Assert.Contains("The specified log group does not exist.", world.TasksOf(failing).First().StoppedReason, StringComparison.Ordinal);
        world.WaitUntil(() => world.Describe().Deployments.Count == 1 && world.Describe().Deployments[0].RolloutState == RolloutStates.Completed);

        var creating = await world.DeployChangeAsync(d => Logs(d, create: true));
        world.WaitUntil(() => world.Describe().Deployments[0].Id == creating && world.Describe().Deployments[0].RolloutState == RolloutStates.Completed);
        Assert.True(world.Aws.Logs.LogGroupExists("/ecs/new-group"));
    }

    [Fact]
    public async Task RegisterTaskDefinition_ForFargateWithSecretsAndNoExecutionRole_IsRefused()
    {
        var world = new SimWorld();
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => world.RegisterAsync(d => d with { ExecutionRoleArn = null }));
        Assert.Equal("ClientException", error.ErrorCode);
        Assert.Contains("execution role", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunTask_WhenTheSecretIsDeletedBeforeLaunch_TheMigrationTaskNeverStarts()
    {
        var world = new SimWorld();
        var secretArn = world.Aws.SecretsManager.CreateSecret("truecaller-backend/MIGRATION_URL", "postgresql://m:Sim-pw@db:5432/app");
        var arn = await world.RegisterAsync(d => SimWorld.WithSecret(d, "DATABASE_URL", secretArn));
        world.Aws.SecretsManager.DeleteSecret("truecaller-backend/MIGRATION_URL");

        var run = await world.Aws.Ecs.RunTaskAsync(new RunTaskRequest { Cluster = SimWorld.Cluster, TaskDefinition = arn }, CancellationToken.None);
        world.Wait(TimeSpan.FromMinutes(1));
        var task = (await world.Aws.Ecs.DescribeTasksAsync(new DescribeTasksRequest(SimWorld.Cluster, [run.Tasks[0].TaskArn]), CancellationToken.None)).Tasks.Single();

        Assert.Equal(TaskStatuses.Stopped, task.LastStatus);
        Assert.Equal(StopCodes.TaskFailedToStart, task.StopCode);
        Assert.Null(task.Containers.Single().ExitCode);
        Assert.Equal(task.StoppedReason, task.Containers.Single().Reason);
    }
}
