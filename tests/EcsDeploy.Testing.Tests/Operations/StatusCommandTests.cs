namespace EcsDeploy.Testing.Tests.Operations;

public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_ShowsDeploymentsTasksRevisionAndDigest_AsJson()
    {
        var day2 = new DayTwo();
        var (code, json, _) = await day2.JsonAsync("status");

        Assert.Equal(0, code);
        Assert.Equal(DayTwo.Service, json.GetProperty("service").GetString());
        Assert.EndsWith("truecaller-backend:1", json.GetProperty("taskDefinition").GetString());
        var deployment = Assert.Single(json.GetProperty("deployments").EnumerateArray());
        Assert.Equal("PRIMARY", deployment.GetProperty("status").GetString());
        Assert.Equal("COMPLETED", deployment.GetProperty("rolloutState").GetString());
        Assert.Equal(2, deployment.GetProperty("runningCount").GetInt32());
        Assert.Equal(2, json.GetProperty("tasks").GetArrayLength());
        Assert.All(json.GetProperty("tasks").EnumerateArray(), t => Assert.Equal("RUNNING", t.GetProperty("lastStatus").GetString()));
        Assert.StartsWith("sha256:", json.GetProperty("imageDigest").GetString());
        Assert.Contains(json.GetProperty("events").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("steady state", StringComparison.Ordinal));
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task Status_DuringARollout_ShowsBothDeployments_AndWatchFollowsItToTheEnd()
    {
        var day2 = new DayTwo();
        var next = day2.Register("v2");
        await day2.Aws.Ecs.UpdateServiceAsync(new Aws.UpdateServiceRequest { Cluster = DayTwo.Cluster, Service = DayTwo.Service, TaskDefinition = next }, CancellationToken.None);

        var (code, stdout, _) = await day2.RunAsync("status");
        Assert.Equal(0, code);
        Assert.Contains("PRIMARY", stdout, StringComparison.Ordinal);
        Assert.Contains("IN_PROGRESS", stdout, StringComparison.Ordinal);
        Assert.Contains("ACTIVE", stdout, StringComparison.Ordinal);

        var (watchCode, watched, _) = await day2.RunAsync("status", "--watch");
        Assert.Equal(0, watchCode);
        var last = watched[watched.LastIndexOf("deployments", StringComparison.Ordinal)..];
        Assert.Contains("COMPLETED", last, StringComparison.Ordinal);
        Assert.DoesNotContain("IN_PROGRESS", last, StringComparison.Ordinal);
        Assert.Equal("truecaller-backend:2", day2.Running);
    }

    [Fact]
    public async Task Status_OfAnUnknownService_ExitsTwo_NamingItAndTheFix()
    {
        var day2 = new DayTwo();
        var pipeline = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(DayTwo.Cluster).Deploy(d => d.Service("no-such-service"));
        var (code, _, stderr) = await day2.RunAsync(pipeline, "status");

        Assert.Equal(2, code);
        Assert.Contains("'no-such-service'", stderr, StringComparison.Ordinal);
        Assert.Contains(DayTwo.Cluster, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_OfAnUnknownCluster_ExitsTwo_NamingIt()
    {
        var day2 = new DayTwo();
        var pipeline = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("no-such-cluster").Deploy(d => d.Service(DayTwo.Service));
        var (code, _, stderr) = await day2.RunAsync(pipeline, "status");

        Assert.Equal(2, code);
        Assert.Contains("'no-such-cluster'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownCommand_ExitsTwo_AndChangesNothing()
    {
        var day2 = new DayTwo();
        var (code, _, stderr) = await day2.RunAsync("rollbak");

        Assert.Equal(2, code);
        Assert.Contains("rollbak", stderr, StringComparison.Ordinal);
        Assert.Empty(day2.Mutations);
    }
}
