namespace EcsDeploy.Testing.Tests;

/// <summary>d.LogRetention(days): the seed's 7-day CloudWatch retention, applied idempotently.</summary>
public sealed class LogRetentionTests
{
    private const string Group = "/ecs/truecaller-backend";

    [Fact]
    public async Task LogRetention_SetsTheServiceLogGroup_AndARerunCallsPutRetentionPolicyNoMore()
    {
        var aws = Seed.Truecaller();
        var definition = TestPipelines.Seed(TestPipelines.CreateContext(), d => d.LogRetention(7)).Build();
        Assert.Null(aws.Logs.RetentionInDays(Group));

        var (first, events) = await TestPipelines.RunAsync(aws, definition);
        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(7, aws.Logs.RetentionInDays(Group));
        Assert.Single(aws.CallsTo("PutRetentionPolicy"));
        Assert.Contains(events.Events, e => e.ToString().Contains($"log group {Group}: retention never expire -> 7 days", StringComparison.Ordinal));
        // The Ollama service's group is not the backend's to change.
        Assert.Null(aws.Logs.RetentionInDays("/ecs/truecaller-backend-ollama"));

        var (second, _) = await TestPipelines.RunAsync(aws, definition);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Single(aws.CallsTo("PutRetentionPolicy"));
        Assert.Equal(7, aws.Logs.RetentionInDays(Group));
    }

    [Fact]
    public async Task LogRetention_ChangesAnotherPeriod_AndDryRunOnlySaysWhatItWouldDo()
    {
        var aws = Seed.Truecaller();
        await aws.Logs.PutRetentionPolicyAsync(new Aws.PutRetentionPolicyRequest(Group, 30), CancellationToken.None);
        var definition = TestPipelines.Seed(TestPipelines.CreateContext(), d => d.LogRetention(7)).Build();

        var (planned, _) = await TestPipelines.RunAsync(aws, definition, new RunOptions { GitSha = TestPipelines.GitSha, DryRun = true });
        Assert.Equal(30, aws.Logs.RetentionInDays(Group));
        Assert.Contains(planned.Plan.Single(p => p.Stage == "Deploy").Details, d => d.Key == "log retention" && d.Value == $"7 days for {Group}");

        var (result, _) = await TestPipelines.RunAsync(aws, definition);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(7, aws.Logs.RetentionInDays(Group));
    }

    [Fact]
    public void LogRetention_OfAPeriodCloudWatchRefuses_IsAValidationProblem()
    {
        var error = Assert.Throws<PipelineValidationException>(() => TestPipelines.Seed(TestPipelines.CreateContext(), d => d.LogRetention(8)).Build());

        Assert.Contains(error.Problems, p => p.StartsWith("Deploy: log retention of 8 days is not a period CloudWatch Logs accepts", StringComparison.Ordinal) && p.Contains("d.LogRetention(7)", StringComparison.Ordinal));
    }
}
