using EcsDeploy.Iam;
using EcsDeploy.Preflight;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests.Preflight;

/// <summary>The preflight as part of every plan: before any change, exit 2 on a failed check; off with WithoutPreflight().</summary>
public sealed class PlanPreflightTests
{
    private const string Cluster = "truecaller-backend-cluster";

    private static readonly string[] Mutations = ["RegisterTaskDefinition", "UpdateService", "RunTask", "PutImage", "PutManifest", "PutBlob", "PutRetentionPolicy", "PutLifecyclePolicy"];

    [Fact]
    public async Task SeedPipeline_ExecutionRoleWithoutTrust_Exits2NamingTheRole_BeforeAnyChange()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("untrusted-execution-role");
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build());

        Assert.Equal(RunOutcome.Invalid, result.Outcome);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("role truecaller-backend-execution does not trust ecs-tasks.amazonaws.com", result.Error);
        Assert.Contains("Nothing was changed", result.Error);
        Assert.Empty(result.Stages);
        Assert.True(result.Preflight!.Failed);
        Assert.Equal("arn:aws:iam::123456789012:role/truecaller-backend-execution", Assert.Single(result.Preflight.Failures).Resource);
        Assert.Contains(events.Events.OfType<global::EcsDeploy.Reporting.StageMessage>(), m => m.Stage == "Preflight" && m.Level == global::EcsDeploy.Reporting.MessageLevel.Error && m.Message.Contains("truecaller-backend-execution", StringComparison.Ordinal));
        Assert.DoesNotContain(aws.Calls, c => Mutations.Contains(c.Operation));
    }

    [Fact]
    public async Task SeedScript_WithTheFault_Exits2_OnTheCommandLine()
    {
        var day2 = new DayTwo();
        var (code, stdout, stderr) = await day2.RunAsync(DayTwo.Pipeline(), "--fault", "untrusted-execution-role");

        Assert.Equal(2, code);
        Assert.Contains("truecaller-backend-execution", stdout + stderr);
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task UntrustedExecutionRole_WithoutPreflight_FailsAtLaunch_WhileThePreflightCatchesItBeforeAnyChange()
    {
        var checkedFirst = new DayTwo();
        var (code, stdout, stderr) = await checkedFirst.RunAsync(DayTwo.Pipeline(d => d.Environment("RELEASE", "2")), "--fault", "untrusted-execution-role");
        Assert.Equal(2, code);
        Assert.Contains("role truecaller-backend-execution does not trust ecs-tasks.amazonaws.com", stdout + stderr);
        Assert.Empty(checkedFirst.Mutations);

        // The same run without the preflight: the revision is registered and rolled out, ECS cannot assume the role, so
        // no task launches, the breaker trips and the service rolls back.
        var unchecked_ = new DayTwo();
        var before = unchecked_.Running;
        (code, stdout, stderr) = await unchecked_.RunAsync(DayTwo.Pipeline(d => d.Environment("RELEASE", "2")).WithoutPreflight(), "--fault", "untrusted-execution-role");
        Assert.Equal(1, code);
        Assert.Contains("failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::123456789012:role/truecaller-backend-execution' that was provided for this task.", stdout + stderr);
        Assert.Contains("rolled back", stdout + stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("UpdateService", unchecked_.Mutations);
        Assert.Equal(before, unchecked_.Running);
        Assert.Empty(unchecked_.Aws.CallsTo("GetRole"));
    }

    [Fact]
    public async Task SeedPipeline_WithoutPreflight_TheMigrationsRunTaskIsRefused_AndTheServiceIsUntouched()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("untrusted-execution-role");
        var before = aws.Ecs.Service(Cluster, "truecaller-backend-service").TaskDefinition;
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).WithoutPreflight().Build(), new RunOptions { GitSha = TestPipelines.GitSha });

        Assert.False(result.Outcome is RunOutcome.Deployed or RunOutcome.Planned or RunOutcome.Invalid, $"{result.Outcome}: {result.Error}");
        Assert.Contains("ECS was unable to assume the role 'arn:aws:iam::123456789012:role/truecaller-backend-execution'", result.Error);
        Assert.Single(aws.CallsTo("RunTask"));
        Assert.Empty(aws.CallsTo("UpdateService"));
        Assert.Equal(before, aws.Ecs.Service(Cluster, "truecaller-backend-service").TaskDefinition);
    }

    [Fact]
    public async Task SeedPipeline_OnAHealthyAccount_PassesThePreflight_ImageSkippedAsTheRunBuildsIt()
    {
        var aws = Seed.Truecaller();
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(), new RunOptions { GitSha = TestPipelines.GitSha, DryRun = true });

        Assert.Equal(RunOutcome.Planned, result.Outcome);
        Assert.False(result.Preflight!.Failed);
        var image = result.Preflight.Services[0].Checks.Single(c => c.Name == "images").Checks.Single();
        Assert.Equal(PreflightStatus.Skipped, image.Status);
        Assert.Contains("the run builds and pushes the image", image.Detail);
        Assert.Contains(events.Events.OfType<global::EcsDeploy.Reporting.StageMessage>(), m => m.Stage == "Preflight" && m.Message.StartsWith("preflight: ", StringComparison.Ordinal) && m.Message.Contains(" 0 failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeployOllama_AlsoChecksTheOllamaService()
    {
        var aws = Seed.Truecaller();
        aws.Iam.DeleteRole("truecaller-backend-ollama-task");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(), new RunOptions { GitSha = TestPipelines.GitSha, DeployOllama = true, DryRun = true });

        Assert.Equal(RunOutcome.Invalid, result.Outcome);
        Assert.Equal(["service truecaller-backend-service", "service truecaller-backend-ollama-service"], result.Preflight!.Services.Select(s => s.Name));
        Assert.Contains("role truecaller-backend-ollama-task does not exist", result.Error);
    }

    /// <summary>The seed with services worker and vector-db, each running a revision with roles of its own (NAME-execution, NAME-task).</summary>
    private static SimulatedAws WithDependencies()
    {
        var aws = Seed.Truecaller();
        var template = aws.Ecs.Revisions("truecaller-backend")[0];
        foreach (var service in new[] { "worker", "vector-db" })
        {
            var arn = aws.Ecs.Register(global::EcsDeploy.TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(template) with
            {
                Family = service,
                ExecutionRoleArn = aws.Iam.CreateRole($"{service}-execution"),
                TaskRoleArn = aws.Iam.CreateRole($"{service}-task"),
            });
            aws.Ecs.CreateRunningService(Cluster, service, arn, 1);
        }
        return aws;
    }

    private static PipelineDefinition Graph() => TestPipelines.Seed(TestPipelines.CreateContext(), d => d.DependsOn("worker").Dependency("worker", "vector-db")).Build();

    [Fact]
    public async Task DeployDependencies_ChecksEveryServiceOfTheGraph_EachInItsOwnSubtree_BeforeAnyChange()
    {
        var aws = WithDependencies();
        aws.Iam.SetTrustPolicy("vector-db-execution", SimulatedIam.Ec2TrustPolicy);
        var (result, _) = await TestPipelines.RunAsync(aws, Graph(), new RunOptions { GitSha = TestPipelines.GitSha, DeployDependencies = true });

        Assert.Equal(RunOutcome.Invalid, result.Outcome);
        Assert.Equal(2, result.ExitCode);
        // The deployed service, then the graph in the order it is deployed (the Ollama service of WithOllama last).
        Assert.Equal(["service truecaller-backend-service", "service vector-db", "service worker", "service truecaller-backend-ollama-service"],
            result.Preflight!.Services.Select(s => s.Name));
        var vectorDb = result.Preflight.Services.Single(s => s.Name == "service vector-db");
        Assert.Equal(PreflightStatus.Failed, vectorDb.Status);
        Assert.Equal("arn:aws:iam::123456789012:role/vector-db-execution", Assert.Single(result.Preflight.Failures).Resource);
        Assert.All(result.Preflight.Services.Where(s => s != vectorDb), s => Assert.Equal(PreflightStatus.Ok, s.Status));
        Assert.Contains(result.Preflight.Services.Single(s => s.Name == "service worker").Checks.Single(c => c.Name == "roles").Checks,
            c => c.Name == "task role" && c.Detail == "worker-task exists and trusts ecs-tasks.amazonaws.com");
        Assert.Contains("role vector-db-execution does not trust ecs-tasks.amazonaws.com", result.Error);
        Assert.DoesNotContain(aws.Calls, c => Mutations.Contains(c.Operation));
    }

    [Fact]
    public async Task DeployDependencies_OnAHealthyGraph_PassesAndDeploysIt_WithoutTheFlag_OnlyTheServiceIsChecked()
    {
        var aws = WithDependencies();
        var (result, _) = await TestPipelines.RunAsync(aws, Graph(), new RunOptions { GitSha = TestPipelines.GitSha, DeployDependencies = true });
        Assert.True(RunOutcome.Deployed == result.Outcome, result.Error);
        Assert.Equal(4, result.Preflight!.Services.Count);
        // Two roles per service, all read before the first change.
        var calls = aws.Calls.Select(c => c.Operation).ToList();
        Assert.Equal(8, calls.Count(c => c == "GetRole"));
        Assert.True(calls.LastIndexOf("GetRole") < calls.IndexOf("RegisterTaskDefinition"), string.Join(", ", calls));
        Assert.Equal(4, aws.CallsTo("UpdateService").Count);

        var broken = WithDependencies();
        broken.Iam.DeleteRole("worker-task");
        (result, _) = await TestPipelines.RunAsync(broken, Graph(), new RunOptions { GitSha = TestPipelines.GitSha, DryRun = true });
        Assert.Equal(RunOutcome.Planned, result.Outcome);
        Assert.Equal(["service truecaller-backend-service"], result.Preflight!.Services.Select(s => s.Name));
    }

    [Fact]
    public async Task VerifyCommand_WithDeployDependencies_ChecksTheGraph()
    {
        var aws = WithDependencies();
        aws.Iam.DeleteRole("worker-task");
        var day2 = new DayTwo(aws);
        static PipelineBuilder Pipeline() => DayTwo.Pipeline(d => d.DependsOn("worker"));

        var (code, stdout, _) = await day2.RunAsync(Pipeline(), "verify");
        Assert.Equal(0, code);
        Assert.DoesNotContain("service worker", stdout);

        (code, stdout, _) = await day2.RunAsync(Pipeline(), "verify", "--deploy-dependencies");
        Assert.Equal(2, code);
        Assert.Contains("ok      service truecaller-backend-service", stdout);
        Assert.Contains("FAILED  service worker: 1 of ", stdout);
        Assert.Contains("    FAILED  task role: role worker-task does not exist", stdout);
        Assert.Empty(day2.Mutations);
    }

    [Fact]
    public async Task WithoutPreflight_ThePlanDoesNotRunIt()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("untrusted-execution-role");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).WithoutPreflight().Build(), new RunOptions { GitSha = TestPipelines.GitSha, DryRun = true });

        Assert.Equal(RunOutcome.Planned, result.Outcome);
        Assert.Null(result.Preflight);
        Assert.Empty(aws.CallsTo("GetRole"));
    }

    [Fact]
    public void IamPolicy_GrantsThePreflightsReadOnlyActions_OnlyWhenItRuns()
    {
        var with = IamPolicy.Actions(new IamScope(TestPipelines.Seed(TestPipelines.CreateContext()).Build(), "123456789012"));
        var without = IamPolicy.Actions(new IamScope(TestPipelines.Seed(TestPipelines.CreateContext()).WithoutPreflight().Build(), "123456789012"));

        Assert.Contains("iam:GetRole", with);
        Assert.Contains("ecr:GetDownloadUrlForLayer", with);
        Assert.DoesNotContain("iam:GetRole", without);
        Assert.DoesNotContain("secretsmanager:GetSecretValue", with.Except(without));
    }

    [Fact]
    public async Task IamPolicy_LetsThePreflightReadTheDependenciesRoles_WithoutPassingThem()
    {
        var aws = WithDependencies();
        var scope = await IamPolicy.ResolveAsync(new IamScope(Graph(), "123456789012"), aws.CreateEnvironment(), CancellationToken.None);
        using var policy = System.Text.Json.JsonDocument.Parse(IamPolicy.For(scope));
        IReadOnlyList<string> Resources(string action) => [.. policy.RootElement.GetProperty("Statement").EnumerateArray()
            .Where(s => Strings(s.GetProperty("Action")).Contains(action))
            .SelectMany(s => Strings(s.GetProperty("Resource")))
            .Order(StringComparer.Ordinal)];

        string[] dependencyRoles = ["arn:aws:iam::123456789012:role/vector-db-execution", "arn:aws:iam::123456789012:role/vector-db-task",
            "arn:aws:iam::123456789012:role/worker-execution", "arn:aws:iam::123456789012:role/worker-task"];
        Assert.All(dependencyRoles, role => Assert.Contains(role, Resources("iam:GetRole")));
        Assert.Contains("arn:aws:iam::123456789012:role/truecaller-backend-execution", Resources("iam:GetRole"));
        Assert.All(dependencyRoles, role => Assert.DoesNotContain(role, Resources("iam:PassRole")));
    }

    private static IEnumerable<string> Strings(System.Text.Json.JsonElement element)
        => element.ValueKind == System.Text.Json.JsonValueKind.Array ? element.EnumerateArray().Select(e => e.GetString()!) : [element.GetString()!];
}
