using System.Text;
using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>ECS-BEHAVIOUR.md §5-§9: tasks, one-off runs, task definitions, names, ECR's answers, and the waiter after a rollback.</summary>
public sealed class TaskAndApiTests
{
    [Fact]
    public async Task RunTask_GroupIsFamily_StartedByAtMost128_DescribeTasksAtMost100()
    {
        var world = new SimWorld();
        var run = await world.Aws.Ecs.RunTaskAsync(new RunTaskRequest { Cluster = SimWorld.Cluster, TaskDefinition = SimWorld.Family, StartedBy = "ecsdeploy-migrate" }, CancellationToken.None);
        Assert.Equal(($"family:{SimWorld.Family}", "ecsdeploy-migrate"), (run.Tasks[0].Group, run.Tasks[0].StartedBy));

        var tooLong = await Assert.ThrowsAsync<AwsServiceException>(() => world.Aws.Ecs.RunTaskAsync(new RunTaskRequest { Cluster = SimWorld.Cluster, TaskDefinition = SimWorld.Family, StartedBy = new string('x', 129) }, CancellationToken.None));
        Assert.Equal("InvalidParameterException", tooLong.ErrorCode);
        var tooMany = await Assert.ThrowsAsync<AwsServiceException>(() => world.Aws.Ecs.DescribeTasksAsync(new DescribeTasksRequest(SimWorld.Cluster, [.. Enumerable.Range(0, 101).Select(i => $"t{i}")]), CancellationToken.None));
        Assert.Equal("InvalidParameterException", tooMany.ErrorCode);
    }

    [Fact]
    public async Task OneOffTask_ExitCodeOfTheEssentialContainer_IsAbsentWhenItNeverStarted()
    {
        var world = new SimWorld();
        var ran = await world.Aws.Ecs.RunTaskAsync(new RunTaskRequest { Cluster = SimWorld.Cluster, TaskDefinition = SimWorld.Family }, CancellationToken.None);
        world.Wait(TimeSpan.FromMinutes(2));
        var task = world.Aws.Ecs.AllTasks().Single(t => t.TaskArn == ran.Tasks[0].TaskArn);
        Assert.Equal((TaskStatuses.Stopped, StopCodes.EssentialContainerExited, 0), (task.LastStatus, task.StopCode, task.Containers[0].ExitCode));
    }

    [Fact]
    public async Task OutOfMemory_Exit137_WithTheOomContainerReason()
    {
        var world = new SimWorld();
        var previous = world.Aws.Ecs.Behaviour;
        world.Aws.Ecs.Behaviour = launch => launch.TaskDefinition.Revision > 1 && launch.ServiceName is not null ? TaskBehaviour.RunsOutOfMemory(TimeSpan.FromMinutes(5)) : previous(launch);
        var id = await world.DeployChangeAsync();
        world.WaitUntil(() => world.TasksOf(id).Any(t => t.Containers[0].ExitCode == 137));

        var killed = world.TasksOf(id).First(t => t.Containers[0].ExitCode == 137);
        Assert.Equal("OutOfMemoryError: Container killed due to memory usage", killed.Containers[0].Reason);
        Assert.Equal((StopCodes.EssentialContainerExited, "Essential container in task exited"), (killed.StopCode, killed.StoppedReason));
    }

    [Fact]
    public async Task RegisterTaskDefinition_FillsTheDefaults_AndDescribeOnlyFields()
    {
        var world = new SimWorld();
        var arn = await world.RegisterAsync(d => d with { ContainerDefinitions = [d.ContainerDefinitions![0] with { Cpu = null, Essential = null, Environment = null, PortMappings = [new PortMapping { ContainerPort = 8080 }] }] });
        var registered = (await world.Aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(arn, false), CancellationToken.None)).TaskDefinition;

        var container = registered.ContainerDefinitions![0];
        Assert.Equal((0, true, 0), (container.Cpu, container.Essential, container.Environment!.Count));
        Assert.Equal(("tcp", 8080), (container.PortMappings![0].Protocol, container.PortMappings[0].HostPort));
        Assert.Equal((2, ResourceStatuses.Active), (registered.Revision, registered.Status));
        Assert.NotNull(registered.RegisteredAt);
        Assert.NotNull(registered.RegisteredBy);
        Assert.Contains("FARGATE", registered.Compatibilities!);
        foreach (var list in (string[])["mountPoints", "volumesFrom", "systemControls"])
        {
            Assert.Equal("[]", container.ExtensionData![list].GetRawText());
        }
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("dots.are.not.allowed")]
    public async Task RegisterTaskDefinition_WithAnInvalidFamilyName_IsAClientException(string family)
    {
        var world = new SimWorld();
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => world.RegisterAsync(d => d with { Family = family }));
        Assert.Equal("ClientException", error.ErrorCode);
    }

    [Fact]
    public async Task Ecr_AuthorizationToken_IsBase64AwsPassword_For12Hours()
    {
        var aws = Seed.Truecaller();
        var token = await aws.Ecr.GetAuthorizationTokenAsync(CancellationToken.None);
        Assert.StartsWith("AWS:", Encoding.UTF8.GetString(Convert.FromBase64String(token.AuthorizationToken)), StringComparison.Ordinal);
        Assert.Equal(aws.Clock.GetUtcNow().AddHours(12), token.ExpiresAt);
        Assert.Equal($"https://{aws.AccountId}.dkr.ecr.{aws.Region}.amazonaws.com", token.ProxyEndpoint);
    }

    [Fact]
    public async Task Ecr_PutImage_AlreadyExists_ImmutableTag_AndDigestMismatch_AreEcrsExceptions()
    {
        var aws = Seed.Truecaller();
        aws.Ecr.PushTestImage("truecaller-backend", "v1");
        var manifest = (await aws.Ecr.BatchGetImageAsync("truecaller-backend", [new ImageIdentifier(null, "v1")], CancellationToken.None)).Images[0].ImageManifest!;

        var again = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Ecr.PutImageAsync(new PutImageRequest("truecaller-backend", manifest, null, "v1", null), CancellationToken.None));
        Assert.Equal("ImageAlreadyExistsException", again.ErrorCode);
        var mismatch = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Ecr.PutImageAsync(new PutImageRequest("truecaller-backend", manifest, null, "v9", "sha256:" + new string('0', 64)), CancellationToken.None));
        Assert.Equal("ImageDigestDoesNotMatchException", mismatch.ErrorCode);

        aws.Ecr.CreateRepository("immutable", immutableTags: true);
        aws.Ecr.PushTestImage("immutable", "v1");
        aws.Ecr.PushTestImage("immutable", "v2");
        var other = (await aws.Ecr.BatchGetImageAsync("immutable", [new ImageIdentifier(null, "v2")], CancellationToken.None)).Images[0].ImageManifest!;
        var retag = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Ecr.PutImageAsync(new PutImageRequest("immutable", other, null, "v1", null), CancellationToken.None));
        Assert.Equal("ImageTagAlreadyExistsException", retag.ErrorCode);
    }

    [Fact]
    public async Task ServicesStableWaiter_PassesAfterARollback_ThoughTheNewRevisionIsNotDeployed()
    {
        var world = new SimWorld();
        world.Aws.Faults.UnhealthyTasks();
        var arn = await world.RegisterAsync();
        await world.DeployAsync(arn);
        world.WaitUntil(() => world.Describe() is { Deployments.Count: 1 } s && s.RunningCount == s.DesiredCount && s.Deployments[0].RolloutState == RolloutStates.Completed);

        var service = world.Describe();
        // The waiter's success expression holds, yet the PRIMARY runs the previous revision.
        Assert.True(service.Deployments.Count == 1 && service.RunningCount == service.DesiredCount);
        Assert.NotEqual(arn, service.Deployments[0].TaskDefinition);
    }
}
