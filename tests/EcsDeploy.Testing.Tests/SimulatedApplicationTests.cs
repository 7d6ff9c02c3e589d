using EcsDeploy.Reporting;
using System.Net;

namespace EcsDeploy.Testing.Tests;

/// <summary>The simulated application answers what the pipeline verifies, and a test can make it answer otherwise.</summary>
public sealed class SimulatedApplicationTests
{
    private static PipelineDefinition OrdersApi() => Pipeline.For("orders-api")
        .InRegion("eu-central-1")
        .OnCluster("orders-cluster")
        .Build(b => b.WorkingDirectory(TestPipelines.CreateContext()).Image("Dockerfile"))
        .Push()
        .Deploy(d => d.Service("orders-api-service").Container("orders-api"))
        .Verify(v => v.Http("/healthz").Http("/ready"))
        .Build();

    [Fact]
    public async Task FirstScriptForAnotherService_VerifyingItsOwnPaths_DeploysAndVerifies()
    {
        var definition = OrdersApi();
        var aws = new SimulatedAws();
        Seed.Apply(aws, SeedSpec.From(definition));
        var (result, events) = await TestPipelines.RunAsync(aws, definition);

        Assert.True(result.ExitCode == ExitCodes.Success, TestPipelines.AllText(result, events));
        Assert.Equal(StageStatus.Succeeded, result.Stages.Single(s => s.Name == "Verify").Status);
    }

    [Fact]
    public async Task Verify_WhenTheApplicationAnswers500_Fails()
    {
        var definition = OrdersApi();
        var aws = new SimulatedAws();
        Seed.Apply(aws, SeedSpec.From(definition));
        aws.Application.Answer("/ready", HttpStatusCode.InternalServerError, "{\"ready\":false}");
        var (result, _) = await TestPipelines.RunAsync(aws, definition);

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Equal(StageStatus.Failed, result.Stages.Single(s => s.Name == "Verify").Status);
        Assert.Contains("/ready", result.Error, StringComparison.Ordinal);
    }
}
