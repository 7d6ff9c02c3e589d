namespace EcsDeploy.Testing.Tests.Preflight;

/// <summary>
/// The plan reads what it needs once: the preflight's read of the service and of the revision it runs serves the
/// stages' plans too, and the first change (RegisterTaskDefinition) follows right after.
/// </summary>
public sealed class PlanReadsTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    [Fact]
    public async Task Deploy_ReadsTheServiceAndItsRunningRevisionOnceBeforeTheFirstChange()
    {
        var aws = Seed.Truecaller(seed: 42);
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
            .Deploy(d => d.Service(Service).Environment("RELEASE", "2")).Build();

        var (result, events) = await TestPipelines.RunAsync(aws, definition);

        Assert.True(result.Outcome == RunOutcome.Deployed, TestPipelines.AllText(result, events));
        var beforeChange = aws.Calls.TakeWhile(c => c.Operation != "RegisterTaskDefinition").ToList();
        var operations = string.Join(", ", beforeChange.Select(c => c.Operation));
        Assert.True(beforeChange.Count(c => c.Operation == "DescribeServices") == 1, operations);
        // The running revision once (preflight and plan share it), and the family's latest to find an equal revision.
        Assert.True(beforeChange.Count(c => c.Operation == "DescribeTaskDefinition") == 2, operations);
        Assert.Contains(result.Preflight!.Lines(), line => line.Contains("ok", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_AfterThePlan_ReadsTheServiceAfresh()
    {
        // What the plan read is not reused once the run changes things: the follower reads the service before UpdateService.
        var aws = Seed.Truecaller(seed: 42);
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
            .Deploy(d => d.Service(Service).Environment("RELEASE", "2")).Build();

        var (result, _) = await TestPipelines.RunAsync(aws, definition);

        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        var betweenRegisterAndUpdate = aws.Calls.SkipWhile(c => c.Operation != "RegisterTaskDefinition").TakeWhile(c => c.Operation != "UpdateService").ToList();
        Assert.Contains(betweenRegisterAndUpdate, c => c.Operation == "DescribeServices");
    }
}
