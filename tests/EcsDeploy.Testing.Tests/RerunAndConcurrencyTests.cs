using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests;

/// <summary>Crashes at each step, then a re-run; other people's deployments; required Terraform outputs.</summary>
public sealed class RerunAndConcurrencyTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    /// <summary>Cancels the run (as a killed process would stop) the first time an event matches.</summary>
    private sealed class CrashWhen(Func<PipelineEvent, bool> trigger, CancellationTokenSource crash) : IPipelineReporter
    {
        public void Report(PipelineEvent pipelineEvent)
        {
            if (!crash.IsCancellationRequested && trigger(pipelineEvent))
            {
                crash.Cancel();
            }
        }
    }

    public static TheoryData<string> CrashPoints() =>
    [
        "Push started", "Migrate started", "migration task running", "Deploy started", "deployment in progress", "Verify started",
    ];

    private static bool Matches(string point, PipelineEvent e) => point switch
    {
        "Push started" => e is StageStarted { Stage: "Push" },
        "Migrate started" => e is StageStarted { Stage: "Migrate" },
        "migration task running" => e is StageMessage m && m.Message.StartsWith("started migration task", StringComparison.Ordinal),
        "Deploy started" => e is StageStarted { Stage: "Deploy" },
        "deployment in progress" => e is DeploymentProgress { Running: > 0 },
        "Verify started" => e is StageStarted { Stage: "Verify" },
        _ => throw new ArgumentOutOfRangeException(nameof(point)),
    };

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task Rerun_AfterACrashAt_ConvergesWithoutDuplicateRevisionOrSecondMigrationTask(string point)
    {
        var aws = Seed.Truecaller();
        var context = TestPipelines.CreateContext();
        var options = new RunOptions { GitSha = TestPipelines.GitSha };
        using var crash = new CancellationTokenSource();

        var crashed = await PipelineRunner.RunAsync(TestPipelines.Seed(context).Build(), aws.CreateEnvironment(), options, new CrashWhen(e => Matches(point, e), crash), crash.Token);
        Assert.Equal(ExitCodes.Cancelled, crashed.ExitCode);
        Assert.Equal(RunOutcome.Cancelled, crashed.Outcome);

        var (rerun, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(context).Build(), options);

        Assert.Equal(ExitCodes.Success, rerun.ExitCode);
        Assert.Equal(2, aws.Ecs.Revisions("truecaller-backend").Count);
        Assert.Equal(rerun.TaskDefinitionArn, aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
        var service = aws.Ecs.Service(Cluster, Service);
        Assert.Equal("COMPLETED", Assert.Single(service.Deployments).RolloutState);
        Assert.Equal(2, service.RunningCount);
        // A migration task that was running when the first run died is waited for, not started again.
        var migrations = aws.Ecs.AllTasks().Count(t => t.Group == "family:truecaller-backend");
        Assert.Equal(point == "migration task running" ? 1 : aws.CallsTo("RunTask").Count, migrations);
        Assert.All(aws.Ecs.AllTasks().Where(t => t.Group == "family:truecaller-backend"), t => Assert.Equal("STOPPED", t.LastStatus));
        Assert.Equal(2, aws.Ecr.Images("truecaller-backend").Count);

        // The result says what the crashed run left behind and this one picked up. (Cancellation is seen at a
        // stage's next wait or read of the service, so a crash "at" a stage's start lands after that stage's first
        // calls: Deploy has registered its revision, not yet updated the service.)
        string[] expected = point switch
        {
            "Migrate started" or "migration task running" or "Deploy started" => point == "Deploy started" ? ["was already registered"] : ["was already registered", "migration task"],
            "deployment in progress" => ["was still in progress"],
            _ => [],
        };
        Assert.True(expected.Length == rerun.LeftByEarlierRuns.Count, string.Join(" | ", rerun.LeftByEarlierRuns));
        Assert.All(expected, e => Assert.Contains(rerun.LeftByEarlierRuns, found => found.Contains(e, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RetryQuota_BoundsTheExtraTrafficWhenCallsKeepFailing()
    {
        var aws = Seed.Truecaller();
        aws.ThrottleEveryNthCall = 1;
        // Ten attempts allowed, but a small quota: 20 tokens pay for 4 retries (5 each), and no retry succeeds to give them back.
        var policy = new AwsRetryPolicy(aws.Clock, maxAttempts: 10, quota: 20, random: new Random(5));

        var result = await PipelineRunner.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()).Build(), aws.CreateEnvironment(policy),
            new RunOptions { GitSha = TestPipelines.GitSha }, new RecordingReporter());

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("ThrottlingException", result.Error, StringComparison.Ordinal);
        Assert.Equal(4, policy.RetriesMade);
        Assert.Equal(0, policy.QuotaRemaining);
        Assert.All(aws.Calls, c => Assert.True(c.Throttled));
        Assert.Single(aws.Ecs.Revisions("truecaller-backend"));
    }

    [Fact]
    public async Task Deploy_WhenAnotherDeploymentIsInProgress_WaitsForItThenDeploys()
    {
        var aws = Seed.Truecaller();
        await aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, ForceNewDeployment = true }, CancellationToken.None);

        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(events.Events.OfType<StageMessage>(), m => m.Message.Contains("waiting for the deployment in progress", StringComparison.Ordinal));
        Assert.EndsWith(":2", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
    }

    [Fact]
    public async Task Deploy_WhenAnotherDeploymentIsInProgressAndPolicyIsRefuse_ChangesNothing()
    {
        var aws = Seed.Truecaller();
        await aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, ForceNewDeployment = true }, CancellationToken.None);
        var definition = TestPipelines.Seed(TestPipelines.CreateContext(), d => d.WhenAnotherDeploymentInProgress(AnotherDeployment.Refuse)).Build();

        var (result, _) = await TestPipelines.RunAsync(aws, definition);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("nothing was changed", result.Error, StringComparison.Ordinal);
        Assert.Single(aws.CallsTo("UpdateService"));
    }

    [Fact]
    public async Task Deploy_WhenSomeoneElseReplacesOurDeployment_ReportsItAndNeedsAttention()
    {
        var aws = Seed.Truecaller();
        var context = TestPipelines.CreateContext();
        var hijacked = false;
        var reporter = new CallbackReporter(e =>
        {
            // Once our rollout runs, someone else deploys another revision of the family.
            if (!hijacked && e is DeploymentProgress { Running: > 0 })
            {
                hijacked = true;
                var other = aws.Ecs.Register(aws.Ecs.Revisions("truecaller-backend")[0] with { TaskDefinitionArn = null, Revision = null, Status = null, RegisteredAt = null, RegisteredBy = null, Compatibilities = null, Cpu = "1024" });
                aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, TaskDefinition = other }, CancellationToken.None).GetAwaiter().GetResult();
            }
        });

        var result = await PipelineRunner.RunAsync(TestPipelines.Seed(context).Build(), aws.CreateEnvironment(), new RunOptions { GitSha = TestPipelines.GitSha }, reporter);

        Assert.Equal(ExitCodes.NeedsAttention, result.ExitCode);
        Assert.Contains("was replaced by deployment", result.Error, StringComparison.Ordinal);
        Assert.Contains("truecaller-backend:3", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terraform_WhenRequiredOutputsAreMissing_ListsThemAllBeforeAnyCall()
    {
        var aws = Seed.Truecaller();
        aws.Terraform.Remove("ecs_service_name");
        aws.Terraform.Remove("ollama_service_name");
        var definition = TestPipelines.Seed(TestPipelines.CreateContext()).WithTerraform(t => t.Require([.. Discovery.TerraformSettings.SeedOutputs])).Build();

        var (result, _) = await TestPipelines.RunAsync(aws, definition);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("ecs_service_name, ollama_service_name", result.Error, StringComparison.Ordinal);
        Assert.Empty(aws.Calls);
    }

    private sealed class CallbackReporter(Action<PipelineEvent> callback) : IPipelineReporter
    {
        public void Report(PipelineEvent pipelineEvent) => callback(pipelineEvent);
    }
}
