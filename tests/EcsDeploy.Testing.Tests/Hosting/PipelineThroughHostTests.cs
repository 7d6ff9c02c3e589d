using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Images.Registry;
using EcsDeploy.Reporting;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// The seed pipeline through EcsDeploy's own wire clients (JSON 1.1, Query, SigV4, the OCI registry client)
/// against the local AWS host, in real time at a high speed factor; the AWS CLI then checks what it left.
/// </summary>
public sealed class PipelineThroughHostTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";
    private const double Speed = 60;

    private static async Task<AwsEnvironment> WireEnvironmentAsync(LocalAwsHost host, int maxAttempts = 3)
    {
        var time = new ScaledTimeProvider(host.Speed);
        var wire = await AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = host.Region,
            TimeProvider = time,
            RetryPolicy = new AwsRetryPolicy(time, maxAttempts),
            Credentials = new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey),
            Environment = name => host.EnvironmentVariables.GetValueOrDefault(name),
            Terraform = host.Aws.Terraform,
            OpenRegistry = (authorization, _) => Task.FromResult<IImageRegistry>(EcrRegistry.CreateClient(authorization)),
            RequestTimeout = TimeSpan.FromSeconds(20),
        }, CancellationToken.None);
        // The load balancers' DNS names are reached through the host used as an HTTP proxy.
        return new AwsEnvironment
        {
            Region = wire.Region,
            Ecs = wire.Ecs,
            Ecr = wire.Ecr,
            Elbv2 = wire.Elbv2,
            SecretsManager = wire.SecretsManager,
            Logs = wire.Logs,
            OpenRegistryAsync = wire.OpenRegistryAsync,
            Terraform = wire.Terraform,
            HttpHandler = host.CreateProxyHandler(),
            TimeProvider = wire.TimeProvider,
            RetryPolicy = wire.RetryPolicy,
            Description = "local AWS host",
            IsLocal = wire.IsLocal,
        };
    }

    private static async Task<(PipelineResult Result, RecordingReporter Events)> RunSeedAsync(LocalAwsHost host, int maxAttempts = 3)
    {
        var reporter = new RecordingReporter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await PipelineRunner.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()).Build(), await WireEnvironmentAsync(host, maxAttempts),
            new RunOptions { GitSha = TestPipelines.GitSha }, reporter, timeout.Token);
        return (result, reporter);
    }

    private static string Describe(PipelineResult result, RecordingReporter events) => TestPipelines.AllText(result, events);

    [Fact]
    public async Task SeedPipeline_DeploysThroughTheWire_PushesToTheHostsRegistry_AndVerifiesThroughTheLoadBalancer()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = Speed }, CancellationToken.None);

        var (result, events) = await RunSeedAsync(host);

        Assert.True(result.ExitCode == 0, Describe(result, events));
        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        Assert.EndsWith("task-definition/truecaller-backend:2", result.TaskDefinitionArn);
        Assert.Contains(TestPipelines.GitSha, aws.Ecr.Images("truecaller-backend").Values.SelectMany(t => t));
        var statistics = host.Statistics;
        Assert.True(statistics.RegistryRequests > 0, "the image went through the host's OCI endpoint");
        Assert.True(statistics.LoadBalancerRequests >= 2, "Verify reached /health and Ollama through the host");
        Assert.Equal(0, statistics.SignatureFailures);
        Assert.Contains(aws.Calls, c => c.Operation == "RunTask");

        var service = (await AwsCli.RunAsync(host, "ecs", "describe-services", "--cluster", Cluster, "--services", Service)).Json().GetProperty("services")[0];
        Assert.Equal(result.TaskDefinitionArn, service.GetProperty("taskDefinition").GetString());
        var images = (await AwsCli.RunAsync(host, "ecr", "describe-images", "--repository-name", "truecaller-backend", "--image-ids", $"imageTag={TestPipelines.GitSha}")).Json();
        Assert.Equal(result.Image!.Digest, images.GetProperty("imageDetails")[0].GetProperty("imageDigest").GetString());
    }

    [Fact]
    public async Task UnhealthyTasks_ExitsOne_AndTheAwsCliSeesTheServiceBackOnThePreviousRevision()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("unhealthy-tasks");
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = Speed * 2 }, CancellationToken.None);

        var (result, events) = await RunSeedAsync(host);

        Assert.True(result.ExitCode == 1, Describe(result, events));
        Assert.True(result.RolledBack);
        Assert.EndsWith("task-definition/truecaller-backend:1", result.RolledBackTo);
        var service = (await AwsCli.RunAsync(host, "ecs", "describe-services", "--cluster", Cluster, "--services", Service)).Json().GetProperty("services")[0];
        Assert.EndsWith("task-definition/truecaller-backend:1", service.GetProperty("taskDefinition").GetString());
        var revisions = (await AwsCli.RunAsync(host, "ecs", "describe-task-definition", "--task-definition", "truecaller-backend:2")).Json();
        Assert.Equal(2, revisions.GetProperty("taskDefinition").GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task HostFaults_ThrottlingAnd503OnAShareOfCalls_AreRetriedAndTheRunDeploys()
    {
        var aws = Seed.Truecaller();
        var faults = new HostFaults().WithNamed("throttling", 0.06).WithNamed("http-503", 0.04);
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = Speed, Faults = faults, RandomSeed = 8 }, CancellationToken.None);

        // Eight attempts per call: a call faulted eight times in a row (one in 10^8) is out of reach, so the outcome is exact.
        var (result, events) = await RunSeedAsync(host, maxAttempts: 8);

        Assert.True(result.ExitCode == 0, Describe(result, events));
        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        Assert.EndsWith("task-definition/truecaller-backend:2", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
        Assert.Equal(2, aws.Ecs.Revisions("truecaller-backend").Count);
        var statistics = host.Statistics;
        Assert.True(statistics.FaultsInjected > 0, "no call was faulted");
        // Every faulted call was sent again, once per fault, and no other call was.
        Assert.True(statistics.FaultsInjected == result.AwsRetries, $"{statistics.FaultsInjected} faults, {result.AwsRetries} retries:\n" + string.Join("\n", events.Events.OfType<StageMessage>().Where(m => m.Message.StartsWith("AWS ", StringComparison.Ordinal)).Select(m => m.Message)));
    }

    [Fact]
    public async Task HostFaults_EveryCallAnswers503_TheFirstCallGivesUpAfterThreeAttempts_NothingChanged()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = Speed, Faults = new HostFaults { Http503 = 1 } }, CancellationToken.None);

        var (result, events) = await RunSeedAsync(host);

        Assert.True(result.ExitCode == ExitCodes.Invalid, Describe(result, events));
        Assert.Equal(RunOutcome.Invalid, result.Outcome);
        Assert.Contains("ServiceUnavailable", result.Error, StringComparison.Ordinal);
        Assert.Equal(3, host.Statistics.ApiCalls);
        Assert.Equal(3, host.Statistics.FaultsInjected);
        Assert.Single(aws.Ecs.Revisions("truecaller-backend"));
    }

    [Fact]
    public async Task CancelledAtRandomMoments_EveryReRunAgainstTheSameHostConverges_WithoutADuplicateRevision()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = Speed }, CancellationToken.None);
        var context = TestPipelines.CreateContext();
        var random = new Random(20260105);
        var cancelledResults = new List<PipelineResult>();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(random.Next(50, 2500)));
            var cancelled = await PipelineRunner.RunAsync(TestPipelines.Seed(context).Build(), await WireEnvironmentAsync(host),
                new RunOptions { GitSha = TestPipelines.GitSha }, new RecordingReporter(), cancel.Token);
            Assert.True(cancelled.ExitCode is 0 or 130, $"attempt {attempt}: {cancelled.Outcome} ({cancelled.ExitCode}) {cancelled.Error}");
            cancelledResults.Add(cancelled);
        }

        Assert.Contains(cancelledResults, r => r.ExitCode == 130);
        var cancelledIn = string.Join(", ", cancelledResults.Select(r => r.Stages.FirstOrDefault(s => s.Status != StageStatus.Succeeded)?.Name ?? "none"));

        var reporter = new RecordingReporter();
        var final = await PipelineRunner.RunAsync(TestPipelines.Seed(context).Build(), await WireEnvironmentAsync(host),
            new RunOptions { GitSha = TestPipelines.GitSha }, reporter, CancellationToken.None);

        Assert.True(final.ExitCode == 0, $"after cancels in {cancelledIn}: " + Describe(final, reporter));
        Assert.Equal(["truecaller-backend:1", "truecaller-backend:2"], aws.Ecs.Revisions("truecaller-backend").Select(r => $"{r.Family}:{r.Revision}"));
        Assert.EndsWith("task-definition/truecaller-backend:2", aws.Ecs.CurrentTaskDefinition(Cluster, Service).TaskDefinitionArn);
        var service = aws.Ecs.Service(Cluster, Service);
        Assert.Equal("COMPLETED", Assert.Single(service.Deployments).RolloutState);
        // A later run that found revision 2 registered says it reused it.
        if (cancelledResults.Any(r => r.TaskDefinitionArn is not null))
        {
            Assert.True(final.TaskDefinitionReused, Describe(final, reporter));
        }
        // No one-off (migration) task is left running once the final run is done.
        Assert.DoesNotContain(aws.Ecs.AllTasks(), t => t.Group?.StartsWith("family:", StringComparison.Ordinal) == true && t.LastStatus != "STOPPED");
    }

    [Fact]
    public async Task ScanGateAndLifecycle_ThroughTheWire_BlockACriticalImage_AndTheAwsCliReadsThePolicyAndTheFindings()
    {
        var aws = Seed.Truecaller();
        aws.Ecr.ScanFindingsForNewImages("truecaller-backend", critical: 1, medium: 2);
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = Speed }, CancellationToken.None);
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(Cluster)
            .Build(b => b.WorkingDirectory(TestPipelines.CreateContext()).Image("Dockerfile"))
            .Push(p => p.ScanGate().KeepLastImages(10))
            .Deploy(d => d.Service(Service).Container("truecaller-backend"))
            .Build();
        var reporter = new RecordingReporter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var result = await PipelineRunner.RunAsync(definition, await WireEnvironmentAsync(host), new RunOptions { GitSha = TestPipelines.GitSha }, reporter, timeout.Token);

        Assert.True(result.ExitCode == ExitCodes.Failed, Describe(result, reporter));
        Assert.Equal(1, result.ImageScan!.SeverityCounts["CRITICAL"]);
        Assert.Equal(2, result.ImageScan.SeverityCounts["MEDIUM"]);
        Assert.Empty(aws.CallsTo("UpdateService"));
        Assert.True(aws.Ecr.ScanOnPush("truecaller-backend"));

        var policy = (await AwsCli.RunAsync(host, "ecr", "get-lifecycle-policy", "--repository-name", "truecaller-backend")).Json();
        Assert.True(EcsDeploy.Images.EcrLifecyclePolicy.AreEquivalent(EcsDeploy.Images.EcrLifecyclePolicy.KeepLastImages(10), policy.GetProperty("lifecyclePolicyText").GetString()!));
        var findings = (await AwsCli.RunAsync(host, "ecr", "describe-image-scan-findings", "--repository-name", "truecaller-backend", "--image-id", $"imageDigest={result.Image!.Digest}")).Json();
        Assert.Equal("COMPLETE", findings.GetProperty("imageScanStatus").GetProperty("status").GetString());
        Assert.Equal(1, findings.GetProperty("imageScanFindings").GetProperty("findingSeverityCounts").GetProperty("CRITICAL").GetInt32());
    }
}
