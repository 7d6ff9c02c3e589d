namespace EcsDeploy.Testing.Tests.Operations;

public sealed class RollbackCommandTests
{
    [Fact]
    public async Task Rollback_GoesToTheRevisionThatLastCompleted_NotRevisionMinusOne()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        day2.Register("v3-never-deployed");
        var v4 = day2.Register("v4");
        await day2.DeployAsync(v2);
        await day2.DeployAsync(v4);

        var (code, json, _) = await day2.JsonAsync("rollback");

        Assert.Equal(0, code);
        Assert.Equal("rolled-back", json.GetProperty("outcome").GetString());
        Assert.EndsWith("truecaller-backend:2", json.GetProperty("to").GetString());
        Assert.Equal("COMPLETED", json.GetProperty("rolloutState").GetString());
        Assert.Equal("truecaller-backend:2", day2.Running);
    }

    [Fact]
    public async Task RollbackTo_AGivenRevision_FollowsTheRollout_AndDeregisterFailedDeregistersTheOneLeft()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        await day2.DeployAsync(v2);

        var (code, stdout, _) = await day2.RunAsync("rollback", "--to", "1", "--deregister-failed");

        Assert.Equal(0, code);
        Assert.Contains("rolled-back", stdout, StringComparison.Ordinal);
        Assert.Equal("truecaller-backend:1", day2.Running);
        Assert.Equal("INACTIVE", day2.Aws.Ecs.Revisions(DayTwo.Family)[1].Status);
        Assert.Equal("ACTIVE", day2.Aws.Ecs.Revisions(DayTwo.Family)[0].Status);
    }

    [Fact]
    public async Task Rollback_WhoseRolloutFails_ExitsOne_AndTheServiceStaysOnTheLastGoodRevision()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        await day2.DeployAsync(v2);
        day2.Aws.Ecs.Behaviour = launch => launch.TaskDefinition.Revision == 1 ? TaskBehaviour.FailsHealthChecks : TaskBehaviour.Healthy;

        var (code, json, _) = await day2.JsonAsync("rollback", "--to", "1");

        Assert.Equal(1, code);
        Assert.Equal("failed", json.GetProperty("outcome").GetString());
        Assert.Equal("truecaller-backend:2", day2.Running);
    }

    [Theory]
    [InlineData("99", "does not exist")]
    [InlineData("truecaller-backend-ollama:1", "of family 'truecaller-backend-ollama'")]
    [InlineData("latest", "names no revision")]
    public async Task RollbackTo_AnUnknownOrForeignRevision_ExitsTwo_AndChangesNothing(string to, string reason)
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        await day2.DeployAsync(v2);
        var before = day2.Mutations.Count;

        var (code, _, stderr) = await day2.RunAsync("rollback", "--to", to);

        Assert.Equal(2, code);
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
        Assert.Equal(before, day2.Mutations.Count);
        Assert.Equal("truecaller-backend:2", day2.Running);
    }

    [Fact]
    public async Task RollbackTo_AnInactiveRevision_IsRefused_WithTheReason()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        await day2.DeployAsync(v2);
        await day2.Aws.Ecs.DeregisterTaskDefinitionAsync(new Aws.DeregisterTaskDefinitionRequest("truecaller-backend:1"), CancellationToken.None);
        var before = day2.Mutations.Count;

        var (code, _, stderr) = await day2.RunAsync("rollback", "--to", "1");

        Assert.Equal(2, code);
        Assert.Contains("INACTIVE", stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing changed", stderr, StringComparison.Ordinal);
        Assert.Equal(before, day2.Mutations.Count);
    }

    [Fact]
    public async Task RollbackTo_ARevisionWhoseImageIsNoLongerInEcr_IsRefused()
    {
        var day2 = new DayTwo();
        var gone = day2.Register("gone", pushImage: false);
        var v3 = day2.Register("v3");
        await day2.DeployAsync(v3);
        var before = day2.Mutations.Count;

        var (code, _, stderr) = await day2.RunAsync("rollback", "--to", gone);

        Assert.Equal(2, code);
        Assert.Contains("no longer in ECR", stderr, StringComparison.Ordinal);
        Assert.Equal(before, day2.Mutations.Count);
        Assert.Equal("truecaller-backend:3", day2.Running);
    }

    [Fact]
    public async Task Rollback_WithoutEvidenceOfAnEarlierDeployment_AsksForTo()
    {
        var day2 = new DayTwo();
        day2.Register("v2");

        var (code, _, stderr) = await day2.RunAsync("rollback");

        Assert.Equal(2, code);
        Assert.Contains("--to REVISION", stderr, StringComparison.Ordinal);
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task Rollback_WithDryRun_SaysWhatItWouldDo_AndChangesNothing()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        await day2.DeployAsync(v2);
        var before = day2.Mutations.Count;

        var (code, stdout, _) = await day2.RunAsync("rollback", "--dry-run");

        Assert.Equal(0, code);
        Assert.Contains("would roll truecaller-backend-service back from truecaller-backend:2 to truecaller-backend:1", stdout, StringComparison.Ordinal);
        Assert.Equal(before, day2.Mutations.Count);
    }

    [Fact]
    public async Task Rollback_TakesItsTargetFromTheServiceDeployments_TheLastSuccessfulOneOfAnotherRevision()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        day2.Register("v3-never-deployed");
        var v4 = day2.Register("v4");
        await day2.DeployAsync(v2);
        await day2.DeployAsync(v4);

        var (code, json, _) = await day2.JsonAsync("rollback", "--dry-run");

        Assert.Equal(0, code);
        Assert.EndsWith("truecaller-backend:2", json.GetProperty("to").GetString());
        Assert.StartsWith("service deployment ", json.GetProperty("chosen").GetString());
        Assert.Single(day2.Aws.CallsTo("ListServiceDeployments"));
        Assert.Single(day2.Aws.CallsTo("DescribeServiceRevisions"));
    }

    [Fact]
    public async Task Rollback_AfterADeploymentThatEcsRolledBack_GoesToTheLastSuccessfulRevisionBeforeIt_NeverToTheFailedOne()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        var v3 = day2.Register("v3-bad");
        await day2.DeployAsync(v2);
        day2.Aws.Ecs.Behaviour = launch => launch.TaskDefinition.Revision == 3 ? TaskBehaviour.FailsHealthChecks : TaskBehaviour.Healthy;
        await day2.Aws.Ecs.UpdateServiceAsync(new Aws.UpdateServiceRequest { Cluster = DayTwo.Cluster, Service = DayTwo.Service, TaskDefinition = v3 }, CancellationToken.None);
        day2.Aws.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal("truecaller-backend:2", day2.Running);

        var (code, json, _) = await day2.JsonAsync("rollback", "--dry-run");

        Assert.Equal(0, code);
        Assert.EndsWith("truecaller-backend:1", json.GetProperty("to").GetString());
        Assert.StartsWith("service deployment ", json.GetProperty("chosen").GetString());
    }

    [Fact]
    public async Task Rollback_WhenTheServiceDeploymentHistoryCannotBeRead_FallsBackToTheServicesDeploymentsAndTasks()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        await day2.DeployAsync(v2);
        var host = new EcsDeploy.Hosting.PipelineHost();
        host.Targets.Add("local", new WithoutServiceDeployments(day2.Aws));
        var stdout = new StringWriter();

        var code = await host.RunAsync(DayTwo.Pipeline(), ["rollback", "--dry-run", "--output", "json"], stdout, new StringWriter(), _ => null);

        Assert.Equal(0, code);
        var json = System.Text.Json.JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.EndsWith("truecaller-backend:1", json.GetProperty("to").GetString());
        Assert.Equal("its tasks ran until the deployment of truecaller-backend:2 replaced them", json.GetProperty("chosen").GetString());
    }

    /// <summary>The simulated AWS behind an ECS endpoint that does not know ListServiceDeployments (an older API or emulator).</summary>
    private sealed class WithoutServiceDeployments(SimulatedAws aws) : EcsDeploy.Hosting.IDeploymentTarget
    {
        public Task<Aws.AwsEnvironment> CreateAsync(PipelineDefinition definition, EcsDeploy.Hosting.HostOptions options, CancellationToken cancellationToken)
        {
            var ecs = System.Reflection.DispatchProxy.Create<Aws.IEcsApi, RefusingProxy>();
            ((RefusingProxy)(object)ecs).Inner = aws.Ecs;
            return Task.FromResult(Aws.AwsEnvironment.Create(aws.Region, ecs, aws.Ecr, aws.Elbv2, aws.SecretsManager, aws.Logs,
                _ => Task.FromResult<Aws.IImageRegistry>(aws.Ecr.Registry), null, new SimulatedHttpHandler(aws), aws.Clock, "simulated AWS without service deployments", isLocal: true));
        }
    }

    public class RefusingProxy : System.Reflection.DispatchProxy
    {
        internal Aws.IEcsApi Inner { get; set; } = null!;

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
            => targetMethod!.Name == nameof(Aws.IEcsApi.ListServiceDeploymentsAsync)
                ? throw new Aws.AwsServiceException("ECS", "ListServiceDeployments", "UnknownOperationException", "Unknown operation ListServiceDeployments", 400)
                : targetMethod.Invoke(Inner, args);
    }
}
