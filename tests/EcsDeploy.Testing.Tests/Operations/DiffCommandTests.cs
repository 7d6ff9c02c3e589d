namespace EcsDeploy.Testing.Tests.Operations;

public sealed class DiffCommandTests
{
    [Fact]
    public async Task Diff_OfAPipelineThatMatchesWhatRuns_ShowsNoDifference_AndExitCodeZero()
    {
        var day2 = new DayTwo();
        // The seeded service runs with the circuit breaker and rollback on, as Deploy wants them.
        var (code, stdout, _) = await day2.RunAsync("diff", "--exit-code");

        Assert.Equal(0, code);
        Assert.Contains("(no difference)", stdout, StringComparison.Ordinal);
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task Diff_ShowsTheChangedVariableAndImage_AndExitCodeOne()
    {
        var day2 = new DayTwo();
        day2.Aws.Ecr.PushTestImage("truecaller-backend", "v2");
        var pipeline = DayTwo.Pipeline(d => d.Environment("LOG_LEVEL", "debug"));

        var (code, stdout, _) = await day2.RunAsync(pipeline, "diff", "--exit-code", "--image-tag", "v2", "--output", "json");

        Assert.Equal(1, code);
        var json = System.Text.Json.JsonDocument.Parse(stdout).RootElement;
        Assert.True(json.GetProperty("differs").GetBoolean());
        var lines = json.GetProperty("taskDefinition").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Contains(lines, l => l.StartsWith('+') && l.Contains("LOG_LEVEL", StringComparison.Ordinal) && l.Contains("debug", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith('~') && l.Contains("image", StringComparison.Ordinal) && l.Contains("truecaller-backend:v2", StringComparison.Ordinal));
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task Diff_WithoutExitCode_ExitsZero_EvenWhenThereIsADifference()
    {
        var day2 = new DayTwo();
        var pipeline = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(DayTwo.Cluster)
            .Deploy(d => d.Service(DayTwo.Service).Container("truecaller-backend").Environment("NODE_ENV", "staging"));
        var (code, stdout, _) = await day2.RunAsync(pipeline, "diff");

        Assert.Equal(0, code);
        Assert.Contains("NODE_ENV", stdout, StringComparison.Ordinal);
        Assert.Contains("staging", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_ShowsTheCircuitBreakerTheServiceLacks()
    {
        var day2 = new DayTwo();
        day2.Aws.Ecs.SetDeploymentConfiguration(DayTwo.Cluster, DayTwo.Service, new Aws.DeploymentConfiguration
        {
            MaximumPercent = 200, MinimumHealthyPercent = 100, DeploymentCircuitBreaker = new Aws.DeploymentCircuitBreaker(false, false),
        });
        var (code, json, _) = await day2.JsonAsync("diff");

        Assert.Equal(0, code);
        // A service running with the circuit breaker off; Deploy turns it on, with rollback.
        var lines = json.GetProperty("serviceSettings").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal(["~ deploymentConfiguration.deploymentCircuitBreaker.enable: false -> true", "~ deploymentConfiguration.deploymentCircuitBreaker.rollback: false -> true"], lines);
    }
}
