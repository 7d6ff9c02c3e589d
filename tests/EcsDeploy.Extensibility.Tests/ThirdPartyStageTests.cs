using EcsDeploy.Reporting;
using EcsDeploy.Testing;

namespace EcsDeploy.Extensibility.Tests;

/// <summary>A third-party stage, placed by its declarations, does what built-in stages do through the public services.</summary>
public sealed class ThirdPartyStageTests
{
    private const string Service = "truecaller-backend-service";
    private const string GitSha = "2222222222222222222222222222222222222222";

    private static string CreateContext()
    {
        var directory = Directory.CreateTempSubdirectory("ecsdeploy-extensibility-").FullName;
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n");
        File.WriteAllText(Path.Combine(directory, "server.js"), "console.log('hello');\n");
        return directory;
    }

    private static PipelineBuilder Start() => Pipeline.For("truecaller-backend")
        .InRegion("eu-central-1")
        .OnCluster("truecaller-backend-cluster");

    /// <summary>Build, Push, the third-party SmokeTask, Deploy: written in the order its declarations ask for.</summary>
    private static PipelineDefinition SmokeTestedDeployment() => Start()
        .Build(b => b.WorkingDirectory(CreateContext()).Image("Dockerfile"))
        .Push()
        .SmokeTask(Service, "node", "smoke.js")
        .Deploy(d => d.Service(Service))
        .Build();

    private static async Task<PipelineResult> RunAsync(SimulatedAws aws, PipelineDefinition definition)
        => await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions { GitSha = GitSha }, new RecordingReporter());

    [Fact]
    public async Task SmokeTask_AfterPush_RegistersItsOwnRevisionRunsTheTaskAndReadsItsExitCode()
    {
        var aws = Seed.Truecaller();
        var definition = SmokeTestedDeployment();

        var result = await RunAsync(aws, definition);

        Assert.True(result.Outcome == RunOutcome.Deployed, $"{result.Outcome}: {result.Error}");
        Assert.Equal(["Build", "Push", "SmokeTask", "Deploy"], result.Stages.Select(s => s.Name));
        // Its own family, one revision, running the image Push produced.
        var smoke = Assert.Single(aws.Ecs.Revisions("truecaller-backend-smoke"));
        Assert.Equal(result.Image!.Reference, Assert.Single(smoke.ContainerDefinitions!).Image);
    }

    [Fact]
    public async Task SmokeTask_WhoseEssentialContainerExits3_FailsTheRunBeforeDeployWithTheExitCode()
    {
        var aws = Seed.Truecaller();
        aws.Ecs.Behaviour = launch => launch.ServiceName is null
            ? TaskBehaviour.Exits(3, ["smoke: GET /health answered 500"])
            : TaskBehaviour.Healthy;
        var before = aws.Ecs.CurrentTaskDefinition("truecaller-backend-cluster", Service).TaskDefinitionArn;
        var definition = SmokeTestedDeployment();

        var result = await RunAsync(aws, definition);

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("SmokeTask: exit code 3.", result.Error, StringComparison.Ordinal);
        Assert.Equal(StageStatus.Skipped, result.Stages.Single(s => s.Name == "Deploy").Status);
        Assert.Equal(before, aws.Ecs.CurrentTaskDefinition("truecaller-backend-cluster", Service).TaskDefinitionArn);
    }

    [Fact]
    public void SmokeTask_WrittenBeforePush_IsRefusedByBuildWithTheReason()
    {
        var builder = Start()
            .Build(b => b.WorkingDirectory(CreateContext()).Image("Dockerfile"))
            .SmokeTask(Service, "node", "smoke.js")
            .Push()
            .Deploy(d => d.Service(Service));

        var error = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Contains("Stage 'Push' must run before 'SmokeTask': it produces 'image', which 'SmokeTask' needs. Move .Push(...) before .SmokeTask(...).", error.Problems);
    }

    [Fact]
    public void SmokeTask_InAPipelineWithoutPush_IsRefusedByBuildNamingTheMissingInput()
    {
        var builder = Start()
            .SmokeTask(Service, "node", "smoke.js")
            .Deploy(d => d.Service(Service));

        var error = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Contains("Stage 'SmokeTask' requires 'image', which no stage of this pipeline produces: add the stage that produces it (.Push(...)) before .SmokeTask(...).", error.Problems);
    }
}
