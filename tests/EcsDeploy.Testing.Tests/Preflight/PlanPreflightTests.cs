using EcsDeploy.Iam;
using EcsDeploy.Preflight;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests.Preflight;

/// <summary>The preflight as part of every plan: before any change, exit 2 on a failed check; off with WithoutPreflight().</summary>
public sealed class PlanPreflightTests
{
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
}
