using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Hosting;
using EcsDeploy.Iam;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests.Images;

/// <summary>The Push stage's ECR scan gate and lifecycle policy, end to end against the simulated AWS.</summary>
public sealed class ScanGateAndLifecycleTests
{
    private const string Repo = "truecaller-backend";
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";
    private const string SeedKeepLast10 = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}""";
    private static readonly string[] Mutations = ["PutImageScanningConfiguration", "PutLifecyclePolicy", "PutBlob", "PutManifest", "PutImage", "RegisterTaskDefinition", "UpdateService", "RunTask", "PutRetentionPolicy"];

    /// <summary>The seed pipeline with the Push stage configured by <paramref name="push"/>.</summary>
    private static PipelineDefinition Pipeline(Action<PushOptions> push, string? context = null) => EcsDeploy.Pipeline.For("truecaller-backend")
        .InRegion("eu-central-1")
        .OnCluster(Cluster)
        .Build(b => b.WorkingDirectory(context ?? TestPipelines.CreateContext()).Image("Dockerfile"))
        .Push(push)
        .Migrate(m => m.Prisma())
        .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds(30)))
        .Deploy(d => d.Service(Service).Container("truecaller-backend").Environment("NODE_ENV", "production").Environment("PORT", "3000")
            .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL"))
        .Verify(v => v.Http("/health").Ollama())
        .Build();

    private static IReadOnlyList<string> MutationsMade(SimulatedAws aws) => [.. aws.Calls.Where(c => !c.Throttled && Mutations.Contains(c.Operation)).Select(c => c.Operation)];

    [Fact]
    public async Task ScanGate_WithNoFindings_TurnsOnScanOnPush_WaitsForTheScan_ReportsCountsAndDeploys()
    {
        var aws = Seed.Truecaller();
        Assert.False(aws.Ecr.ScanOnPush(Repo));

        var (result, events) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate()));

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.True(aws.Ecr.ScanOnPush(Repo));
        // Scan on push is turned on before the image is pushed, so that the push is scanned.
        var calls = aws.Calls.Select(c => c.Operation).ToList();
        Assert.True(calls.IndexOf("PutImageScanningConfiguration") < calls.IndexOf("PutManifest"));
        // Right after the push there is no scan yet (ScanNotFoundException), then IN_PROGRESS, then COMPLETE: several polls.
        Assert.True(aws.CallsTo("DescribeImageScanFindings").Count >= 3);
        Assert.Empty(aws.CallsTo("StartImageScan"));
        var scan = result.ImageScan!;
        Assert.Equal("COMPLETE", scan.Status);
        Assert.Equal(["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"], scan.SeverityCounts.Keys);
        Assert.All(scan.SeverityCounts.Values, v => Assert.Equal(0, v));
        Assert.False(scan.Blocked);
        Assert.Equal(result.Image!.Digest, scan.Digest);
        Assert.Single(events.Events.OfType<ImageScanned>());
        // The JSON result carries the counts.
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(result, ScriptHost.ResultJson));
        Assert.Equal(0, json.RootElement.GetProperty("imageScan").GetProperty("severityCounts").GetProperty("CRITICAL").GetInt32());
        // The plan said so.
        var plan = result.Plan.Single(p => p.Stage == "Push");
        Assert.Contains(plan.Details, d => d.Key == "scan on push" && d.Value.StartsWith("off: will be turned on", StringComparison.Ordinal));
        Assert.Contains(plan.Details, d => d.Key == "scan gate" && d.Value.Contains("fail at CRITICAL or above", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScanGate_WhenScanOnPushIsAlreadyOn_DoesNotSetItAgain()
    {
        var aws = Seed.Truecaller();
        var definition = Pipeline(p => p.ScanGate());
        Assert.Equal(0, (await TestPipelines.RunAsync(aws, definition)).Result.ExitCode);
        var (second, _) = await TestPipelines.RunAsync(aws, definition);

        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Single(aws.CallsTo("PutImageScanningConfiguration"));
        Assert.Contains(second.Plan.Single(p => p.Stage == "Push").Details, d => d.Key == "scan on push" && d.Value == "on");
        Assert.Equal("COMPLETE", second.ImageScan!.Status);
    }

    [Fact]
    public async Task ScanGate_WhenACriticalFindingIsFound_FailsWithExitOneBeforeMigrateAndDeployChangeAnything()
    {
        var aws = Seed.Truecaller();
        aws.Ecr.ScanFindingsForNewImages(Repo, critical: 1, high: 3);

        var (result, events) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate(ScanSeverity.Critical)));

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("found 1 CRITICAL (threshold CRITICAL; all findings: CRITICAL 1, HIGH 3, MEDIUM 0, LOW 0, INFORMATIONAL 0, UNDEFINED 0)", result.Error, StringComparison.Ordinal);
        Assert.Contains("p.ScanGate(ScanSeverity.X)", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was deployed", result.Error, StringComparison.Ordinal);
        Assert.Equal(StageStatus.Failed, result.Stages.Single(s => s.Name == "Push").Status);
        Assert.All(result.Stages.SkipWhile(s => s.Name != "Migrate"), s => Assert.Equal(StageStatus.Skipped, s.Status));
        Assert.True(result.ImageScan!.Blocked);
        Assert.Equal(3, result.ImageScan.SeverityCounts["HIGH"]);
        Assert.True(events.Events.OfType<ImageScanned>().Single().Report.Blocked);
        Assert.Contains("| Image scan | COMPLETE: CRITICAL 1, HIGH 3, MEDIUM 0, LOW 0, INFORMATIONAL 0, UNDEFINED 0 (blocked: threshold CRITICAL) |", GitHubActionsReporter.StepSummary(result), StringComparison.Ordinal);
        // Nothing migrated or deployed: no task ran, no revision registered, the service is untouched.
        Assert.Empty(aws.CallsTo("RunTask"));
        Assert.Empty(aws.CallsTo("RegisterTaskDefinition"));
        Assert.Empty(aws.CallsTo("UpdateService"));
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
    }

    [Theory]
    [InlineData(ScanSeverity.Critical, true)]   // HIGH is below CRITICAL: passes
    [InlineData(ScanSeverity.High, false)]      // at the threshold: fails
    [InlineData(ScanSeverity.Medium, false)]    // above the threshold: fails
    public async Task ScanGate_FailsAtOrAboveTheThreshold_AndPassesBelowIt(ScanSeverity failAt, bool passes)
    {
        var aws = Seed.Truecaller();
        aws.Ecr.ScanFindingsForNewImages(Repo, high: 2, low: 5);

        var (result, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate(failAt)));

        Assert.True((passes ? ExitCodes.Success : ExitCodes.Failed) == result.ExitCode, result.Error);
        Assert.Equal(2, result.ImageScan!.SeverityCounts["HIGH"]);
        Assert.Equal(!passes, result.ImageScan.Blocked);
        Assert.Equal(passes ? 1 : 0, aws.CallsTo("UpdateService").Count);
        if (!passes)
        {
            Assert.Contains("found 2 HIGH", result.Error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("UNSUPPORTED_IMAGE", "The operating system and/or package manager are not supported.")]
    [InlineData("FAILED", "Unable to retrieve the image's layers.")]
    public async Task ScanGate_WhenTheScanDoesNotComplete_FailsByDefault_AndWarnsWhenTold(string status, string description)
    {
        var aws = Seed.Truecaller();
        aws.Ecr.ScanStatusForNewImages(Repo, status, description);
        var (failed, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate()));

        Assert.Equal(ExitCodes.Failed, failed.ExitCode);
        Assert.Contains($"ended {status} ({description})", failed.Error, StringComparison.Ordinal);
        Assert.Contains("WhenScanFails(ScanFailureAction.Warn)", failed.Error, StringComparison.Ordinal);
        Assert.Empty(aws.CallsTo("UpdateService"));

        var (warned, events) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate(configure: s => s.WhenScanFails(ScanFailureAction.Warn))));
        Assert.True(warned.ExitCode == ExitCodes.Success, warned.Error);
        Assert.Equal(status, warned.ImageScan!.Status);
        Assert.Contains(events.Events.OfType<StageMessage>(), m => m.Level == MessageLevel.Warning && m.Message.Contains(status, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScanGate_WhenTheImageWasPushedBeforeScanOnPush_StartsOneScanAndGatesOnIt()
    {
        var aws = Seed.Truecaller();
        var context = TestPipelines.CreateContext();
        // First run without the gate: the image is in ECR, unscanned. The gated re-run pushes the same digest: no new scan.
        Assert.Equal(0, (await TestPipelines.RunAsync(aws, Pipeline(_ => { }, context))).Result.ExitCode);
        var digest = aws.Ecr.Images(Repo).Keys.Single(d => aws.Ecr.Images(Repo)[d].Contains("latest"));
        aws.Ecr.ScanFindings(Repo, digest, critical: 2);

        var (result, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate(), context));

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Single(aws.CallsTo("StartImageScan"));
        Assert.Contains("found 2 CRITICAL", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanGate_WhenTheScanOutlastsTheTimeout_FailsNamingTheTimeoutAndTheFix()
    {
        var aws = Seed.Truecaller();
        aws.Ecr.ScanDuration = TimeSpan.FromHours(2);
        var started = aws.Clock.GetUtcNow();

        var (result, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate(configure: s => s.Timeout(TimeSpan.FromMinutes(3)))));

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("did not complete within 3 min (last status IN_PROGRESS)", result.Error, StringComparison.Ordinal);
        Assert.Contains("s.Timeout(", result.Error, StringComparison.Ordinal);
        Assert.InRange(aws.Clock.GetUtcNow() - started, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(10));
        Assert.Empty(aws.CallsTo("UpdateService"));
    }

    [Fact]
    public async Task ScanGate_WithImageTag_ChecksTheExistingImagesFindingsAtPlanTime()
    {
        var aws = Seed.Truecaller();
        var context = TestPipelines.CreateContext();
        Assert.Equal(0, (await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate(), context))).Result.ExitCode);
        var digest = aws.Ecr.Images(Repo).Keys.Single(d => aws.Ecr.Images(Repo)[d].Contains(TestPipelines.GitSha));
        aws.Ecr.ScanFindings(Repo, digest, critical: 1);

        var (result, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate(), context), new RunOptions { GitSha = TestPipelines.GitSha, ImageTag = TestPipelines.GitSha });

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("found 1 CRITICAL", result.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", result.Error, StringComparison.Ordinal);
        Assert.Single(aws.CallsTo("UpdateService"));
        Assert.Empty(aws.CallsTo("StartImageScan"));
    }

    [Fact]
    public async Task NoScanGate_TurnsTheGateOffExplicitly()
    {
        var aws = Seed.Truecaller();
        aws.Ecr.ScanFindingsForNewImages(Repo, critical: 5);

        var (result, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate().NoScanGate()));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Null(result.ImageScan);
        Assert.Empty(aws.CallsTo("DescribeImageScanFindings"));
        Assert.Empty(aws.CallsTo("PutImageScanningConfiguration"));
    }

    [Fact]
    public void ScanGateAndKeepLastImages_InvalidSettings_AreAllReportedWithTheirFix()
    {
        var error = Assert.Throws<PipelineValidationException>(() => EcsDeploy.Pipeline.For("app").InRegion("eu-central-1").OnCluster("c")
            .Push(p => p.ScanGate(configure: s => s.Timeout(TimeSpan.Zero).PollEvery(TimeSpan.FromSeconds(-1))).KeepLastImages(0))
            .Build());

        Assert.Contains(error.Problems, p => p.Contains("scan gate timeout", StringComparison.Ordinal) && p.Contains("s.Timeout(TimeSpan.FromMinutes(10))", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("poll interval", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("KeepLastImages(0)", StringComparison.Ordinal) && p.Contains("p.KeepLastImages(10)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeepLastImages_SetsTheSeedsPolicyOnce_AndAReRunMakesNoPut()
    {
        var aws = Seed.Truecaller();
        var context = TestPipelines.CreateContext();
        var (first, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.KeepLastImages(10), context));
        var (second, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.KeepLastImages(10), context));

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Equal(SeedKeepLast10, aws.Ecr.LifecyclePolicy(Repo));
        Assert.Single(aws.CallsTo("PutLifecyclePolicy"));
        // Each run reads the policy at plan time and before it would put it.
        Assert.Equal(4, aws.CallsTo("GetLifecyclePolicy").Count);
        Assert.Contains(first.Plan.Single(p => p.Stage == "Push").Details, d => d.Key == "lifecycle policy" && d.Value.EndsWith("will be set (the repository has none)", StringComparison.Ordinal));
        Assert.Contains(second.Plan.Single(p => p.Stage == "Push").Details, d => d.Key == "lifecycle policy" && d.Value.EndsWith("already in place", StringComparison.Ordinal));
        Assert.Contains(second.Plan.Single(p => p.Stage == "Push").Details, d => d is { Key: "lifecycle would expire", Value: "no image" });
    }

    [Fact]
    public async Task KeepLastImages_WhenTheRepositoryHasAnotherPolicy_ReplacesIt()
    {
        var aws = Seed.Truecaller();
        await aws.Ecr.PutLifecyclePolicyAsync(Repo, SeedKeepLast10.Replace(":10}", ":30}", StringComparison.Ordinal), CancellationToken.None);

        var (result, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.KeepLastImages(10)));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(result.Plan.Single(p => p.Stage == "Push").Details, d => d.Key == "lifecycle policy" && d.Value.Contains("will replace the repository's current policy", StringComparison.Ordinal));
        Assert.Equal(SeedKeepLast10, aws.Ecr.LifecyclePolicy(Repo));
    }

    [Fact]
    public async Task KeepLastImages_Plan_ListsTheImagesThePolicyWouldExpire_CountingThePushedImage()
    {
        var aws = Seed.Truecaller();
        var old = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            aws.Clock.Advance(TimeSpan.FromMinutes(1));
            old.Add(aws.Ecr.PushTestImage(Repo, $"build-{i}"));
        }
        // Push-only pipeline: no service whose rollback image must be kept.
        var definition = EcsDeploy.Pipeline.For(Repo).InRegion("eu-central-1").OnCluster(Cluster)
            .Build(b => b.WorkingDirectory(TestPipelines.CreateContext()).Image("Dockerfile"))
            .Push(p => p.KeepLastImages(3))
            .Build();

        var (result, _) = await TestPipelines.RunAsync(aws, definition, new RunOptions { GitSha = TestPipelines.GitSha, DryRun = true });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var expire = result.Plan.Single(p => p.Stage == "Push").Details.Single(d => d.Key == "lifecycle would expire").Value;
        // 6 images with the one being pushed: the 3 oldest go (the seed's image and build-0, build-1).
        Assert.StartsWith("3 image(s): ", expire, StringComparison.Ordinal);
        Assert.Contains(old[0], expire, StringComparison.Ordinal);
        Assert.Contains(old[1], expire, StringComparison.Ordinal);
        Assert.DoesNotContain(old[2], expire, StringComparison.Ordinal);
        Assert.Empty(MutationsMade(aws));
    }

    [Fact]
    public async Task KeepLastImages_WhenTheRollbackImageWouldExpire_PlanFailsNamingTheImageAndTheFix_AndChangesNothing()
    {
        var aws = Seed.Truecaller();
        // The service runs the seed's image; ten newer builds were pushed since (for example by PR builds).
        var running = aws.Ecr.Images(Repo).Keys.Single();
        for (var i = 0; i < 10; i++)
        {
            aws.Clock.Advance(TimeSpan.FromMinutes(1));
            aws.Ecr.PushTestImage(Repo, $"pr-{i}");
        }

        var (result, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.ScanGate().KeepLastImages(10)));

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains($"KeepLastImages(10) would expire {running}", result.Error, StringComparison.Ordinal);
        Assert.Contains("truecaller-backend:1 that truecaller-backend-service runs now and a rollback returns to", result.Error, StringComparison.Ordinal);
        Assert.Contains("p.KeepLastImages(12)", result.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", result.Error, StringComparison.Ordinal);
        Assert.Empty(MutationsMade(aws));
        Assert.Null(aws.Ecr.LifecyclePolicy(Repo));

        // The count the message gives works.
        var (raised, _) = await TestPipelines.RunAsync(aws, Pipeline(p => p.KeepLastImages(12)));
        Assert.True(raised.ExitCode == ExitCodes.Success, raised.Error);
    }

    [Fact]
    public async Task SimulatedEcr_AppliesThePolicyAfterItsEvaluationDelay_KeepingTheNewestImages()
    {
        var aws = Seed.Truecaller();
        var digests = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            aws.Clock.Advance(TimeSpan.FromMinutes(1));
            digests.Add(aws.Ecr.PushTestImage(Repo, $"v{i}"));
        }
        await aws.Ecr.PutLifecyclePolicyAsync(Repo, SeedKeepLast10.Replace(":10}", ":2}", StringComparison.Ordinal), CancellationToken.None);
        Assert.Equal(6, aws.Ecr.Images(Repo).Count);
        Assert.Null((await aws.Ecr.GetLifecyclePolicyAsync(Repo, CancellationToken.None)).LastEvaluatedAt);

        aws.Clock.Advance(aws.Ecr.LifecycleEvaluationDelay);

        Assert.Equal(digests.TakeLast(2).Order(), aws.Ecr.Images(Repo).Keys.Order());
        Assert.NotNull((await aws.Ecr.GetLifecyclePolicyAsync(Repo, CancellationToken.None)).LastEvaluatedAt);
    }

    [Theory]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}""",
        "InvalidParameterException", "must have the highest rulePriority")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}},{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":3},"action":{"type":"expire"}}]}""",
        "InvalidParameterException", "rulePriority 1 is used by 2 rules")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan"}}]}""", "ValidationException", "length between 100 and 30720")]
    public async Task SimulatedEcr_PutLifecyclePolicy_ValidatesLikeEcr(string policy, string code, string message)
    {
        var aws = Seed.Truecaller();
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Ecr.PutLifecyclePolicyAsync(Repo, policy, CancellationToken.None));

        Assert.Equal(code, error.ErrorCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Null(aws.Ecr.LifecyclePolicy(Repo));
    }

    [Fact]
    public async Task CriticalVulnerabilityFault_ThroughTheScriptHost_ExitsOneWithNothingDeployed()
    {
        var stdout = new StringWriter();
        var builder = EcsDeploy.Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
            .Build(b => b.WorkingDirectory(TestPipelines.CreateContext()).Image("Dockerfile"))
            .Push(p => p.ScanGate().KeepLastImages(10))
            .Migrate(m => m.Prisma())
            .Deploy(d => d.Service(Service).Container("truecaller-backend"));

        var local = new LocalTarget();
        var host = new PipelineHost();
        host.Targets.Add("local", local);

        var code = await host.RunAsync(builder, ["--fault", "critical-vulnerability", "--output", "json", "--git-sha", TestPipelines.GitSha], stdout, new StringWriter(), _ => null);

        Assert.Equal(ExitCodes.Failed, code);
        using var json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("failed", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("imageScan").GetProperty("severityCounts").GetProperty("CRITICAL").GetInt32());
        var aws = local.Created!;
        Assert.Empty(aws.CallsTo("RunTask"));
        Assert.Empty(aws.CallsTo("UpdateService"));
        Assert.Single(aws.Ecs.Revisions("truecaller-backend"));
    }

    [Fact]
    public async Task IamPolicy_OfAScannedAndLifecycledPipeline_EqualsTheActionsItsRunsPerform()
    {
        var options = new RunOptions { GitSha = TestPipelines.GitSha };
        var context = TestPipelines.CreateContext();
        var definition = Pipeline(p => p.ScanGate().KeepLastImages(10), context);
        var calls = new List<AwsCall>();

        // A clean run and a re-run; a run that starts a scan (image pushed before scan on push); a blocked run;
        // a plan that protects the rollback image (reads the running task definition); --image-tag.
        var aws = Seed.Truecaller();
        Assert.Equal(0, (await TestPipelines.RunAsync(aws, definition, options)).Result.ExitCode);
        Assert.Equal(0, (await TestPipelines.RunAsync(aws, definition, options)).Result.ExitCode);
        Assert.Equal(0, (await TestPipelines.RunAsync(aws, definition, options with { ImageTag = TestPipelines.GitSha })).Result.ExitCode);
        calls.AddRange(aws.Calls);

        aws = Seed.Truecaller();
        Assert.Equal(0, (await TestPipelines.RunAsync(aws, Pipeline(_ => { }, context), options)).Result.ExitCode);
        var before = aws.Calls.Count;
        Assert.Equal(0, (await TestPipelines.RunAsync(aws, definition, options)).Result.ExitCode);
        Assert.Single(aws.CallsTo("StartImageScan"));
        calls.AddRange(aws.Calls.Skip(before));

        aws = Seed.Truecaller();
        aws.Faults.CriticalVulnerability();
        Assert.Equal(1, (await TestPipelines.RunAsync(aws, definition, options)).Result.ExitCode);
        for (var i = 0; i < 10; i++)
        {
            aws.Clock.Advance(TimeSpan.FromMinutes(1));
            aws.Ecr.PushTestImage(Repo, $"pr-{i}");
        }
        Assert.Equal(2, (await TestPipelines.RunAsync(aws, definition, options)).Result.ExitCode);
        calls.AddRange(aws.Calls);

        var used = calls.Where(c => c.Service == "ECR").Select(c => "ecr:" + c.Operation).Where(a => !IsRegistryAction(a)).Distinct().Order(StringComparer.Ordinal).ToList();
        var policy = IamPolicy.Actions(new IamScope(definition, "123456789012")).Where(a => a.StartsWith("ecr:", StringComparison.Ordinal) && !IsRegistryAction(a)).ToList();
        Assert.Equal(used, policy);

        using var document = JsonDocument.Parse(IamPolicy.For(new IamScope(definition, "123456789012")));
        var scanStatement = document.RootElement.GetProperty("Statement").EnumerateArray()
            .Single(s => s.GetProperty("Action").ToString().Contains("ecr:DescribeImageScanFindings", StringComparison.Ordinal));
        Assert.Equal("arn:aws:ecr:eu-central-1:123456789012:repository/truecaller-backend", scanStatement.GetProperty("Resource").GetString());
        var lifecycleStatement = document.RootElement.GetProperty("Statement").EnumerateArray()
            .Single(s => s.GetProperty("Action").ToString().Contains("ecr:PutLifecyclePolicy", StringComparison.Ordinal));
        Assert.Equal("arn:aws:ecr:eu-central-1:123456789012:repository/truecaller-backend", lifecycleStatement.GetProperty("Resource").GetString());
    }

    /// <summary>Actions of the registry API (the simulated registry records those calls as "Registry").</summary>
    private static bool IsRegistryAction(string action) => action is "ecr:BatchCheckLayerAvailability" or "ecr:InitiateLayerUpload" or "ecr:UploadLayerPart"
        or "ecr:CompleteLayerUpload" or "ecr:GetAuthorizationToken" or "ecr:BatchGetImage" or "ecr:GetDownloadUrlForLayer";
}
