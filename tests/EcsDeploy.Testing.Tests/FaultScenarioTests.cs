using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests;

/// <summary>The faults that mirror the launch-time and crash failures of AWS, end to end on the seed's pipeline.</summary>
public sealed class FaultScenarioTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    [Fact]
    public async Task CrashOnStart_TripsTheBreaker_RollsBack_AndShowsTheExitCodeAndLogTail()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("crash-on-start");
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Equal(RunOutcome.RolledBack, result.Outcome);
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", result.Deployment!.RolloutStateReason);
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
        var warnings = events.Events.OfType<StageMessage>().Where(m => m.Level == MessageLevel.Warning).Select(m => m.Message).ToList();
        Assert.Contains(warnings, w => w.Contains("EssentialContainerExited", StringComparison.Ordinal) && w.Contains("exit code 1", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("REDIS_URL is not a valid URL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImageExpired_TheMigrationCannotPullItsImage_NothingIsDeployed()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("image-expired");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Equal(StageStatus.Failed, result.Stages.Single(s => s.Name == "Migrate").Status);
        Assert.Contains("CannotPullContainerError", result.Error, StringComparison.Ordinal);
        Assert.Empty(aws.CallsTo("UpdateService"));
    }

    [Fact]
    public async Task ImageMissing_WithoutAMigration_TaskFailedToStart_TheBreakerTrips_RolledBack()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("image-expired");
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
            .Build(b => b.WorkingDirectory(TestPipelines.CreateContext()).Image("Dockerfile")).Push()
            .Deploy(d => d.Service(Service).Container("truecaller-backend")).Build();
        var (result, _) = await TestPipelines.RunAsync(aws, definition);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.True(result.RolledBack);
        var failed = aws.Ecs.AllTasks().Where(t => t.TaskDefinitionArn!.EndsWith(":2", StringComparison.Ordinal) && t.StopCode == "TaskFailedToStart").ToList();
        Assert.True(failed.Count >= 3, $"the breaker's threshold for 2 tasks is 3; saw {failed.Count}");
        Assert.All(failed, t => Assert.StartsWith("CannotPullContainerError: ", t.StoppedReason, StringComparison.Ordinal));
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
    }

    [Fact]
    public async Task MissingSecret_DeletedAfterThePlan_TheMigrationFailsToStartAndSaysWhy()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("missing-secret");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Equal(StageStatus.Failed, result.Stages.Single(s => s.Name == "Migrate").Status);
        Assert.Contains("ResourceInitializationError: unable to pull secrets or registry auth", result.Error, StringComparison.Ordinal);
        Assert.Empty(aws.CallsTo("UpdateService"));
    }

    [Fact]
    public async Task MissingSecret_AtPlanTime_IsRefusedWithExit2()
    {
        var aws = Seed.Truecaller();
        aws.SecretsManager.DeleteSecret("truecaller-backend/JWT_SECRET");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(aws.CallsTo("RunTask"));
    }

    [Fact]
    public async Task NoCapacity_TheDeploymentNeverProgresses_TheRunTimesOutAndRollsBack()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("no-capacity");
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.True(result.RolledBack);
        Assert.Contains(events.Events.OfType<ServiceEventObserved>(), e => e.Message.Contains("was unable to place a task", StringComparison.Ordinal));
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
    }
}
