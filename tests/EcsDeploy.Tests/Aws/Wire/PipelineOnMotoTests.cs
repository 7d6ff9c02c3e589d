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

    private static PipelineBuilder SeedPipeline(bool withMigrations) => Pipeline.For("truecaller-backend")
        .InRegion(MotoServerFixture.Region)
        .OnCluster(Cluster)
        .Build(b => b.WorkingDirectory(SampleBackend).Run("npm", "ci").Run("npm", "run", "build").Image("Dockerfile"))
        .Push(p => p.Repository("truecaller-backend").Tags(PushOptions.GitSha, "latest"))
        .Migrate(m => { if (withMigrations) { m.Prisma(); } })
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
        Assert.Equal("planned", result.Outcome);
        Assert.Contains(moto.Seed.GetProperty("truecaller").GetProperty("ollamaDns").GetString()!, result.Ollama?.Url, StringComparison.Ordinal);
        Assert.NotEmpty(result.Plan);
        Assert.Equal(before, await SnapshotAsync(aws));
    }
}
