using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests;

/// <summary>The seed's pipeline end to end against the simulated AWS, on the virtual clock, for each scenario.</summary>
public sealed class SeedPipelineScenarioTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    [Fact]
    public async Task Run_OnHealthyService_DeploysNewRevisionWithImageEnvironmentAndSecretReferences()
    {
        var aws = Seed.Truecaller();
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        Assert.Equal("COMPLETED", result.Deployment!.RolloutState);
        Assert.All(result.Stages, s => Assert.Equal(StageStatus.Succeeded, s.Status));

        var running = aws.Ecs.CurrentTaskDefinition(Cluster, Service);
        Assert.Equal(result.TaskDefinitionArn, running.TaskDefinitionArn);
        Assert.Equal(2, running.Revision);
        var container = Assert.Single(running.ContainerDefinitions!);
        Assert.Equal(result.Image!.Reference, container.Image);
        Assert.EndsWith("@" + result.Image.Digest, container.Image);
        var environment = container.Environment!.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("production", environment["NODE_ENV"]);
        Assert.Equal("3000", environment["PORT"]);
        Assert.Equal("true", environment["OLLAMA_ENABLED"]);
        Assert.Equal("llama3.2:1b", environment["OLLAMA_MODEL"]);
        Assert.Equal("30000", environment["OLLAMA_TIMEOUT"]);
        Assert.Equal(result.Ollama!.Url, environment["OLLAMA_URL"]);
        Assert.Equal("Terraform output ollama_alb_dns_name", result.Ollama.Source);
        var secrets = container.Secrets!.ToDictionary(s => s.Name, s => s.ValueFrom);
        Assert.Equal(["DATABASE_URL", "GOOGLE_APPLICATION_CREDENTIALS_JSON", "JWT_SECRET", "REDIS_URL"], secrets.Keys.Order());
        Assert.All(secrets.Values, arn => Assert.StartsWith("arn:aws:secretsmanager:eu-central-1:123456789012:secret:truecaller-backend/", arn));

        // The image carries the git SHA and latest, on the digest the service runs.
        var tags = aws.Ecr.Images("truecaller-backend")[result.Image.Digest];
        Assert.Equal([TestPipelines.GitSha, "latest"], tags);

        // No secret value anywhere in the result or the events.
        var text = TestPipelines.AllText(result, events);
        Assert.All(aws.SecretsManager.AllValues, value => Assert.DoesNotContain(value, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Twice_ReusesTheRevisionInsteadOfRegisteringADuplicate()
    {
        var aws = Seed.Truecaller();
        var context = TestPipelines.CreateContext();
        var first = (await TestPipelines.RunAsync(aws, TestPipelines.Seed(context).Build())).Result;
        var second = (await TestPipelines.RunAsync(aws, TestPipelines.Seed(context).Build())).Result;

        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Equal(first.TaskDefinitionArn, second.TaskDefinitionArn);
        Assert.True(second.TaskDefinitionReused);
        Assert.Equal(2, aws.Ecs.Revisions("truecaller-backend").Count);
        Assert.Equal(first.Image!.Digest, second.Image!.Digest);
    }

    [Fact]
    public async Task Deploy_WhenTasksFailHealthChecks_CircuitBreakerRollsBackAndRunExitsOne()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("unhealthy-tasks");
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Equal(RunOutcome.RolledBack, result.Outcome);
        Assert.True(result.RolledBack);
        Assert.EndsWith("task-definition/truecaller-backend:1", result.RolledBackTo);
        Assert.Equal("FAILED", result.Deployment!.RolloutState);
        Assert.Contains("circuit breaker", result.Deployment.RolloutStateReason, StringComparison.Ordinal);
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
        var service = aws.Ecs.Service(Cluster, Service);
        Assert.Equal("COMPLETED", Assert.Single(service.Deployments).RolloutState);
        Assert.Equal(StageStatus.Skipped, result.Stages.Single(s => s.Name == "Verify").Status);
        // The user sees why: the stopped tasks' reasons and their log lines.
        var warnings = events.Events.OfType<StageMessage>().Where(m => m.Level == MessageLevel.Warning).Select(m => m.Message).ToList();
        Assert.Contains(warnings, w => w.Contains("Task failed ELB health checks", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("ECONNREFUSED", StringComparison.Ordinal));
        Assert.Contains(events.Events.OfType<ServiceEventObserved>(), e => e.Message.Contains("rolling back to deployment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_WhenImageCannotBePulled_RollsBackAfterThresholdOfFailedStarts()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("image-pull-failure");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.True(result.RolledBack);
        Assert.Contains("tasks failed to start", result.Deployment!.RolloutStateReason, StringComparison.Ordinal);
        var failed = aws.Ecs.AllTasks().Where(t => t.StopCode == "TaskFailedToStart").ToList();
        Assert.True(failed.Count >= 3, $"the breaker's threshold for 2 tasks is 3 failures; saw {failed.Count}");
        Assert.All(failed, t => Assert.StartsWith("CannotPullContainerError", t.StoppedReason, StringComparison.Ordinal));
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
    }

    [Fact]
    public async Task Migrate_WhenMigrationTaskExitsOne_StopsBeforeTheServiceIsTouched()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("migration-failure");
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Equal(StageStatus.Failed, result.Stages.Single(s => s.Name == "Migrate").Status);
        Assert.Contains("exit code 1", result.Error, StringComparison.Ordinal);
        Assert.Empty(aws.CallsTo("UpdateService"));
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
        // The migration ran on the revision the service would have run, with the Prisma command.
        var migration = Assert.Single(aws.Ecs.AllTasks(), t => t.Group == "family:truecaller-backend");
        Assert.Equal(result.TaskDefinitionArn, migration.TaskDefinitionArn);
        Assert.Equal(["npx", "prisma", "migrate", "deploy"], migration.Overrides!.ContainerOverrides[0].Command);
        Assert.Contains(events.Events.OfType<StageMessage>(), m => m.Message.Contains("P3018", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithOllama_WhenNoTerraformOutputAndNoLoadBalancer_FailsAtPlanTimeWithTheSourcesTried()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("no-ollama");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("Could not determine Ollama URL", result.Error, StringComparison.Ordinal);
        Assert.Contains("ollama_alb_dns_name", result.Error, StringComparison.Ordinal);
        Assert.Contains("load balancers whose name contains 'ollama'", result.Error, StringComparison.Ordinal);
        Assert.Empty(aws.CallsTo("RegisterTaskDefinition"));
        Assert.Empty(aws.CallsTo("PutBlob"));
    }

    [Fact]
    public async Task WithOllama_WithoutTerraformOutput_FallsBackToTheLoadBalancerNamedOllama()
    {
        var aws = Seed.Truecaller();
        aws.Terraform.Remove("ollama_alb_dns_name");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("load balancer truecaller-backend-ollama-alb", result.Ollama!.Source);
    }

    [Fact]
    public async Task WithOllama_WhenTwoLoadBalancersMatch_FailsAndNamesBoth()
    {
        var aws = Seed.Truecaller();
        aws.Terraform.Remove("ollama_alb_dns_name");
        aws.Elbv2.CreateLoadBalancer("staging-ollama-alb");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("truecaller-backend-ollama-alb", result.Error, StringComparison.Ordinal);
        Assert.Contains("staging-ollama-alb", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WhenModelIsMissing_FailsWithThePullRemedy()
    {
        var aws = Seed.Truecaller();
        aws.Ollama.Models.Clear();
        aws.Ollama.Models.Add("mistral:7b");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.NeedsAttention, result.ExitCode);
        Assert.Contains("ollama pull llama3.2:1b", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnderThrottling_RetriesWithBackoffAndSucceeds()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("throttling");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var throttled = aws.Calls.Count(c => c.Throttled);
        Assert.True(throttled > 5, $"a third of the calls should have been throttled; saw {throttled}");
        Assert.Equal(throttled, result.AwsRetries);
        Assert.Equal(2, aws.Ecs.Revisions("truecaller-backend").Count);
    }

    [Fact]
    public async Task DryRun_PrintsThePlanWithTheDiffAndChangesNothing()
    {
        var aws = Seed.Truecaller();
        var before = aws.Ecs.Service(Cluster, Service);
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(), new RunOptions { DryRun = true, GitSha = TestPipelines.GitSha });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(RunOutcome.Planned, result.Outcome);
        var mutating = new[] { "RegisterTaskDefinition", "UpdateService", "RunTask", "PutImage", "PutBlob", "PutManifest" };
        Assert.DoesNotContain(aws.Calls, c => mutating.Contains(c.Operation));
        Assert.Single(aws.Ecs.Revisions("truecaller-backend"));
        Assert.Equal(before.Deployments.Single().Id, aws.Ecs.Service(Cluster, Service).Deployments.Single().Id);
        var diff = result.Plan.Single(p => p.Stage == "Deploy").Diff;
        Assert.Contains(diff, l => l.StartsWith("+ containerDefinitions[truecaller-backend].environment[OLLAMA_URL]", StringComparison.Ordinal));
        Assert.Contains(diff, l => l.StartsWith("+ containerDefinitions[truecaller-backend].secrets[DATABASE_URL].valueFrom", StringComparison.Ordinal));
        Assert.Contains(diff, l => l.StartsWith("~ containerDefinitions[truecaller-backend].image", StringComparison.Ordinal));
        Assert.DoesNotContain(diff, l => l.Contains("essential", StringComparison.Ordinal) || l.Contains("hostPort", StringComparison.Ordinal));
        Assert.Contains(events.Events.OfType<StagePlanned>(), p => p.Plan.Stage == "Deploy");
    }

    [Fact]
    public async Task Deploy_WhenSecretIsMissing_ListsEveryMissingSecretBeforeAnyChange()
    {
        var aws = new SimulatedAws();
        EcsDeploy.Testing.Seed.Apply(aws, SeedSpec.Truecaller with { Secrets = new Dictionary<string, string> { ["truecaller-backend/DATABASE_URL"] = "postgresql://u:p@h/db" } });
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("REDIS_URL", result.Error, StringComparison.Ordinal);
        Assert.Contains("JWT_SECRET", result.Error, StringComparison.Ordinal);
        Assert.Contains("GOOGLE_APPLICATION_CREDENTIALS_JSON", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("DATABASE_URL ->", result.Error, StringComparison.Ordinal);
        Assert.Empty(aws.CallsTo("PutBlob"));
    }

    [Fact]
    public async Task NoWait_UpdatesTheServiceButDoesNotConfirmOrVerify()
    {
        var aws = Seed.Truecaller();
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(), new RunOptions { NoWait = true, GitSha = TestPipelines.GitSha });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(RunOutcome.NotConfirmed, result.Outcome);
        Assert.False(result.Deployment!.Confirmed);
        Assert.Equal(StageStatus.Skipped, result.Stages.Single(s => s.Name == "Verify").Status);
        Assert.Single(aws.CallsTo("UpdateService"));
    }

    [Fact]
    public async Task Deploy_WhenWaitTimesOutWithBreakerOff_RollsBackItself()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("unhealthy-tasks");
        var definition = TestPipelines.Seed(TestPipelines.CreateContext(), d => d.CircuitBreaker(false).WaitTimeout(TimeSpan.FromMinutes(10))).Build();
        var (result, _) = await TestPipelines.RunAsync(aws, definition);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.True(result.RolledBack);
        Assert.Contains("did not complete within 10 min", result.Error, StringComparison.Ordinal);
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
        Assert.Equal(2, aws.CallsTo("UpdateService").Count);
    }

    [Fact]
    public async Task ImageTag_DeploysAnExistingImageWithoutBuildingOrPushing()
    {
        var aws = Seed.Truecaller();
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(),
            new RunOptions { ImageTag = "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6", GitSha = TestPipelines.GitSha });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(StageStatus.Skipped, result.Stages.Single(s => s.Name == "Build").Status);
        Assert.Empty(aws.CallsTo("PutBlob"));
        Assert.Equal(result.Image!.Reference, aws.Ecs.CurrentTaskDefinition(Cluster, Service).ContainerDefinitions![0].Image);
    }
}

/// <summary>The Build and Push stages' failures.</summary>
public sealed class BuildAndPushTests
{
    [Fact]
    public async Task Build_WhenACommandFails_NamesTheCommandAndTouchesNothing()
    {
        var aws = Seed.Truecaller();
        var context = TestPipelines.CreateContext();
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Build(b => b.WorkingDirectory(context).Run("sh", "-c", "echo compiling; echo 'error TS2304: Cannot find name' >&2; exit 2").Image("Dockerfile"))
            .Push()
            .Deploy(d => d.Service("truecaller-backend-service"))
            .Build();

        var (result, events) = await TestPipelines.RunAsync(aws, definition);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("exited with code 2", result.Error, StringComparison.Ordinal);
        Assert.Contains(events.Events.OfType<CommandOutput>(), o => o.Line.Contains("TS2304", StringComparison.Ordinal));
        Assert.Empty(aws.CallsTo("PutBlob"));
        Assert.Empty(aws.CallsTo("UpdateService"));
    }

    [Fact]
    public async Task Push_ToAnImmutableRepositoryWithLatest_IsRefusedAtPlanTimeWithTheFix()
    {
        var aws = new SimulatedAws();
        Seed.Apply(aws, SeedSpec.Truecaller);
        aws.Ecr.CreateRepository("truecaller-backend", immutableTags: true);
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("immutable tags", result.Error, StringComparison.Ordinal);
        Assert.Contains("p.Tags(PushOptions.GitSha)", result.Error, StringComparison.Ordinal);
    }
}
