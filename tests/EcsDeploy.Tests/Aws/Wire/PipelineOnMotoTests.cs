using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Reporting;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>The seed's pipeline through the wire clients against moto seeded with the seed's environment.</summary>
[Collection(MotoCollection.Name)]
public sealed class PipelineOnMotoTests(MotoServerFixture moto)
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    private static string SampleBackend
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "samples", "sample-backend")))
            {
                directory = directory.Parent;
            }
            return Path.Combine(directory?.FullName ?? ".", "samples", "sample-backend");
        }
    }

    private static PipelineBuilder SeedPipeline(bool withMigrations)
    {
        var builder = Pipeline.For("truecaller-backend")
            .InRegion(MotoServerFixture.Region)
            .OnCluster(Cluster)
            .Build(b => b.WorkingDirectory(SampleBackend).Run("npm", "ci").Run("npm", "run", "build").Image("Dockerfile"))
            .Push(p => p.Repository("truecaller-backend").Tags(PushOptions.GitSha, "latest"));
        return (withMigrations ? builder.Migrate(m => m.Prisma()) : builder)
        .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds(30)).Service("truecaller-backend-ollama-service"))
        .Deploy(d => d
            .Service(Service)
            .Container("truecaller-backend")
            .Environment("NODE_ENV", "production")
            .Environment("PORT", "3000")
            .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")
            .Secret("REDIS_URL", "truecaller-backend/REDIS_URL")
            .Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET")
            .Secret("GOOGLE_APPLICATION_CREDENTIALS_JSON", "truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON")
            .RollbackOnFailure())
        .Verify(v => v.Http("/health").Ollama());
    }

    private Task<AwsEnvironment> EnvironmentAsync() => AwsWireEnvironment.CreateAsync(new AwsWireOptions
    {
        Region = MotoServerFixture.Region,
        Credentials = new BasicAWSCredentials(moto.AccessKeyId, moto.SecretAccessKey),
        Environment = moto.EnvironmentFor(moto.Endpoint),
    }, CancellationToken.None);

    private async Task<string> SnapshotAsync(AwsEnvironment aws)
    {
        var revisions = await aws.Ecs.ListTaskDefinitionsAsync(new ListTaskDefinitionsRequest("truecaller-backend"), CancellationToken.None);
        var services = await aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None);
        var images = await aws.Ecr.DescribeImagesAsync("truecaller-backend", [], CancellationToken.None);
        return string.Join("\n", revisions.TaskDefinitionArns.Order(StringComparer.Ordinal)) + "\nservice: " + services.Services[0].TaskDefinition
            + "\nimages: " + string.Join(",", images.SelectMany(i => i.ImageTags).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DryRun_PlansFromTheRealAnswers_AndChangesNothing()
    {
        var aws = await EnvironmentAsync();
        var before = await SnapshotAsync(aws);
        var reporter = new RecordingReporter();
        var result = await PipelineRunner.RunAsync(SeedPipeline(withMigrations: true).Build(), aws, new RunOptions { DryRun = true }, reporter, CancellationToken.None);

        Assert.True(result.ExitCode == 0, $"{result.Outcome}: {result.Error}\n" + string.Join("\n", result.Stages.Select(s => $"{s.Name} {s.Status} {s.Message}")));
        Assert.Equal(RunOutcome.Planned, result.Outcome);
        Assert.Contains(moto.Seed.GetProperty("truecaller").GetProperty("ollamaDns").GetString()!, result.Ollama?.Url, StringComparison.Ordinal);
        var planText = string.Join("\n", result.Plan.SelectMany(p => p.Details.Select(d => $"{p.Stage} {d.Key}={d.Value}").Concat(p.Diff)));
        Assert.Contains(":secret:truecaller-backend/DATABASE_URL-", planText, StringComparison.Ordinal);
        Assert.DoesNotContain("moto-database_url", planText, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(aws));
    }

    [Fact]
    public async Task DryRun_WithScanGateAndKeepLastImages_PlansFromEcrsAnswers_AndChangesNothing()
    {
        var aws = await EnvironmentAsync();
        var before = await SnapshotAsync(aws);
        var definition = Pipeline.For("truecaller-backend")
            .InRegion(MotoServerFixture.Region)
            .OnCluster(Cluster)
            .Build(b => b.WorkingDirectory(SampleBackend).Image("Dockerfile"))
            .Push(p => p.Repository("truecaller-backend").ScanGate().KeepLastImages(10))
            .Deploy(d => d.Service(Service).Container("truecaller-backend"))
            .Build();

        var result = await PipelineRunner.RunAsync(definition, aws, new RunOptions { DryRun = true, GitSha = "2222222222222222222222222222222222222222" }, new RecordingReporter(), CancellationToken.None);

        Assert.True(result.ExitCode == 0, $"{result.Outcome}: {result.Error}");
        var push = result.Plan.Single(p => p.Stage == "Push").Details.ToDictionary(d => d.Key, d => d.Value);
        Assert.StartsWith("off: will be turned on", push["scan on push"], StringComparison.Ordinal);
        Assert.Equal("keep the last 10 images: will be set (the repository has none)", push["lifecycle policy"]);
        Assert.Equal("no image", push["lifecycle would expire"]);
        Assert.Equal(before, await SnapshotAsync(aws));
        var repository = Assert.Single(await aws.Ecr.DescribeRepositoriesAsync(["truecaller-backend"], CancellationToken.None));
        Assert.False(repository.ImageScanningConfiguration?.ScanOnPush);
    }

    [Fact]
    public async Task ImageTagNoWait_RegistersTheRevisionTheSeedDescribes_AndPointsTheServiceAtIt()
    {
        var aws = await EnvironmentAsync();
        var reporter = new RecordingReporter();
        // moto 5.2 cannot RunTask an awsvpc task (HTTP 500), so this run leaves the migration out.
        var result = await PipelineRunner.RunAsync(SeedPipeline(withMigrations: false).Build(), aws, new RunOptions { ImageTag = "v2", NoWait = true }, reporter, CancellationToken.None);

        Assert.True(result.Outcome == RunOutcome.NotConfirmed, $"{result.Outcome} ({result.ExitCode}): {result.Error}\n" + string.Join("\n", result.Stages.Select(s => $"{s.Name} {s.Status} {s.Message}")));
        var registered = (await aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(result.TaskDefinitionArn!), CancellationToken.None)).TaskDefinition;
        Assert.NotEqual(moto.Seed.GetProperty("truecaller").GetProperty("backendTaskDefinitionArn").GetString(), registered.TaskDefinitionArn);
        var container = Assert.Single(registered.ContainerDefinitions!);
        Assert.StartsWith(moto.Seed.GetProperty("truecaller").GetProperty("repositoryUri").GetString()!, container.Image, StringComparison.Ordinal);
        Assert.Contains(new EcsKeyValuePair("NODE_ENV", "production"), container.Environment!);
        Assert.Contains(container.Environment!, e => e.Name == "OLLAMA_URL" && e.Value.Contains("truecaller-backend-ollama-alb", StringComparison.Ordinal));
        Assert.Equal(["DATABASE_URL", "GOOGLE_APPLICATION_CREDENTIALS_JSON", "JWT_SECRET", "REDIS_URL"], container.Secrets!.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(container.Secrets!, s => Assert.StartsWith("arn:aws:secretsmanager:eu-central-1:123456789012:secret:truecaller-backend/", s.ValueFrom, StringComparison.Ordinal));
        var service = (await aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None)).Services[0];
        Assert.Equal(registered.TaskDefinitionArn, service.TaskDefinition);
    }
}
