using System.Net;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests.Verification;

/// <summary>Verify failing on the backend's health endpoint after a completed deployment, with and without rollback.</summary>
public sealed class VerifyFailureTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    /// <summary>The simulated load balancers, except that the backend's /health answers 500 (a release that starts but is broken).</summary>
    private sealed class BrokenHealth(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.RequestUri!.AbsolutePath == "/health"
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError) { RequestMessage = request, Content = new StringContent("boom") })
                : base.SendAsync(request, cancellationToken);
    }

    private static async Task<PipelineResult> RunAsync(SimulatedAws aws, Action<VerifyOptions> verify)
    {
        var environment = AwsEnvironment.Create(aws.Region, aws.Ecs, aws.Ecr, aws.Elbv2, aws.SecretsManager, aws.Logs,
            _ => Task.FromResult<IImageRegistry>(aws.Ecr.Registry), aws.Terraform, new BrokenHealth(new SimulatedHttpHandler(aws)),
            aws.Clock, "simulated AWS", new AwsRetryPolicy(aws.Clock, random: new Random(7)), isLocal: true);
        var definition = Pipeline.For("truecaller-backend")
            .InRegion("eu-central-1")
            .OnCluster(Cluster)
            .Build(b => b.WorkingDirectory(TestPipelines.CreateContext()).Image("Dockerfile"))
            .Push()
            .Deploy(d => d.Service(Service).Container("truecaller-backend"))
            .Verify(v => verify(v.Http("/health").Deadline(TimeSpan.FromSeconds(30))))
            .Build();
        return await PipelineRunner.RunAsync(definition, environment, new RunOptions { GitSha = TestPipelines.GitSha }, new RecordingReporter());
    }

    [Fact]
    public async Task Verify_WhenHealthAnswers500_ExitsThreeAndLeavesTheNewRevisionRunning()
    {
        var aws = Seed.Truecaller();

        var result = await RunAsync(aws, _ => { });

        Assert.Equal(RunOutcome.NeedsAttention, result.Outcome);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("HTTP 500 InternalServerError", result.Error, StringComparison.Ordinal);
        Assert.False(result.RolledBack);
        Assert.EndsWith(":2", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
    }

    [Fact]
    public async Task Verify_WithRollbackOnFailure_WhenHealthAnswers500_RollsBackToThePreviousRevisionAndExitsOne()
    {
        var aws = Seed.Truecaller();

        var result = await RunAsync(aws, v => v.RollbackOnFailure());

        Assert.Equal(RunOutcome.RolledBack, result.Outcome);
        Assert.Equal(1, result.ExitCode);
        Assert.True(result.RolledBack);
        Assert.EndsWith(":1", result.RolledBackTo);
        Assert.Contains("Rolled back: the service is on truecaller-backend:1 again.", result.Error, StringComparison.Ordinal);
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
        Assert.Equal(2, aws.CallsTo("UpdateService").Count);   // the deployment, then the rollback
    }
}
