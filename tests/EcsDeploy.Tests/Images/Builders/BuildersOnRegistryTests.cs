using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Retries;
using EcsDeploy.Images;
using EcsDeploy.Images.Builders;
using EcsDeploy.Images.Registry;
using EcsDeploy.Processes;
using EcsDeploy.Reporting;
using EcsDeploy.Testing;
using EcsDeploy.Tests.Images.Registry;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Tests.Images.Builders;

/// <summary>
/// The builders against the real CNCF registry (basic auth) on 127.0.0.1: a base image built and pushed with our
/// own client, an application built FROM it, pushed with our pusher, and inspected by skopeo.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class BuildersOnRegistryTests(RegistryFixture registry)
{
    private static CancellationToken Ct => CancellationToken.None;

    private static string AppContext(string from, string? extraDockerfile = null)
    {
        var context = Directory.CreateTempSubdirectory("ecsdeploy-builder-").FullName;
        File.WriteAllText(Path.Combine(context, "Dockerfile"), $"""
            FROM {from}
            WORKDIR /app
            ENV NODE_ENV=production BASE_VERSION=2
            COPY package.json ./
            COPY dist ./dist
            EXPOSE 3000
            {extraDockerfile ?? ""}
            CMD ["node", "dist/server.js"]
            """);
        File.WriteAllText(Path.Combine(context, "package.json"), "{\"name\":\"app\"}\n");
        Directory.CreateDirectory(Path.Combine(context, "dist"));
        File.WriteAllText(Path.Combine(context, "dist", "server.js"), "console.log('hi');\n");
        Directory.CreateDirectory(Path.Combine(context, "src"));
        File.WriteAllText(Path.Combine(context, "src", "server.ts"), "not shipped");
        File.WriteAllText(Path.Combine(context, ".dockerignore"), "src\n");
        return context;
    }

    private static ImageBuildRequest Request(string context, BaseImageSettings settings) =>
        new(context, Path.Combine(context, "Dockerfile"), Path.Combine(Directory.CreateTempSubdirectory("ecsdeploy-out-").FullName, "image")) { BaseImage = settings };

    private async Task<JsonDocument> SkopeoConfigAsync(string repositoryAndTag) => JsonDocument.Parse(
        await registry.SkopeoAsync("inspect", "--config", "--tls-verify=false", "--creds", $"{RegistryFixture.User}:{RegistryFixture.Password}", $"docker://{registry.Address}/{repositoryAndTag}"));

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<List<string>> LayerNamesAsync(OciBlob layer)
    {
        var names = new List<string>();
        await using var gzip = new GZipStream(layer.Open(), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            names.Add(entry.Name);
        }
        return names;
    }

    [Fact]
    public async Task Daemonless_FromBaseInRegistry_PushedWithOurPusher_SkopeoSeesBaseLayersPlusOursAndMergedConfig()
    {
        using var client = registry.CreateClient();
        var baseImage = await BaseImage.PushAsync(client, "base/daemonless", "1");
        var context = AppContext($"{registry.Address}/base/daemonless:1");
        var settings = new BaseImageSettings { Credentials = registry.Credentials, Policy = BaseImagePolicy.Required };

        var built = await new DaemonlessImageBuilder().BuildAsync(Request(context, settings), Ct);
        var image = built.Image;
        var push = await client.PushImageAsync("app/daemonless", image.MediaType, image.Manifest, image.ToBlobContents(client.Host), ["v1"], null, Ct);

        Assert.Empty(built.Warnings);
        Assert.Contains(baseImage.AmdManifestDigest, built.BaseImage, StringComparison.Ordinal);
        Assert.Equal(image.ManifestDigest, push.Digest);
        Assert.Equal((2, 2), (push.BlobsMounted, push.BlobsUploaded)); // base layers mounted; our layer and config uploaded
        using var inspect = JsonDocument.Parse(await registry.SkopeoInspectAsync("app/daemonless:v1"));
        Assert.Equal(image.ManifestDigest, inspect.RootElement.GetProperty("Digest").GetString());
        var layers = Strings(inspect.RootElement.GetProperty("Layers"));
        Assert.Equal([.. baseImage.Layers.Select(l => l.Digest), image.Layers[^1].Digest], layers);
        Assert.Equal("amd64", inspect.RootElement.GetProperty("Architecture").GetString());
        using var config = await SkopeoConfigAsync("app/daemonless:v1");
        var diffIds = Strings(config.RootElement.GetProperty("rootfs").GetProperty("diff_ids"));
        Assert.Equal(baseImage.DiffIds, diffIds.Take(2));
        Assert.Equal(3, diffIds.Count);
        var c = config.RootElement.GetProperty("config");
        Assert.Equal(["PATH=/usr/local/bin:/usr/bin:/bin", "BASE_VERSION=2", "NODE_ENV=production"], Strings(c.GetProperty("Env")));
        Assert.Equal(["node", "dist/server.js"], Strings(c.GetProperty("Cmd")));
        Assert.Equal("/app", c.GetProperty("WorkingDir").GetString());
        Assert.True(c.GetProperty("ExposedPorts").TryGetProperty("3000/tcp", out _));
        Assert.Equal("kept", c.GetProperty("Labels").GetProperty("base.label").GetString());
        Assert.Equal(baseImage.AmdManifestDigest, c.GetProperty("Labels").GetProperty("org.opencontainers.image.base.digest").GetString());
        var history = config.RootElement.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(3, history.Count(h => !(h.TryGetProperty("empty_layer", out var e) && e.GetBoolean())));
        Assert.Equal(["app/", "app/dist/", "app/dist/server.js", "app/package.json"], await LayerNamesAsync(image.Layers[^1]));

        // The same context and base: the same bytes, the same digest.
        var again = await new DaemonlessImageBuilder().BuildAsync(Request(context, settings), Ct);
        Assert.Equal(image.ManifestDigest, again.Image.ManifestDigest);
    }

    [Fact]
    public async Task Daemonless_PushToAnotherRegistryHost_StreamsBaseLayersAndMountsThroughTheRetryingRegistry()
    {
        using var client = registry.CreateClient();
        var baseImage = await BaseImage.PushAsync(client, "base/stream", "1");
        var built = await new DaemonlessImageBuilder().BuildAsync(
            Request(AppContext($"{registry.Address}/base/stream:1"), new BaseImageSettings { Credentials = registry.Credentials }), Ct);
        var policy = new AwsRetryPolicy(TimeProvider.System);
        // "localhost:PORT" is the same registry under another host name: a mount cannot apply, so layers are streamed.
        using var other = new OciRegistryClient($"localhost:{registry.Port}", registry.Credentials);
        var copyTarget = new RetryingImageRegistry(other, policy);
        var mountTarget = new RetryingImageRegistry(client, policy);

        var copied = new List<BlobTransferKind>();
        foreach (var blob in built.Image.Blobs)
        {
            copied.Add(await BlobTransfer.SendAsync(copyTarget, "app/streamed", blob, Ct));
        }
        await copyTarget.PutManifestAsync("app/streamed", "v1", built.Image.MediaType, built.Image.Manifest, Ct);
        var mounted = await BlobTransfer.SendAsync(mountTarget, "app/mounted", built.Image.Layers[0], Ct);

        Assert.Equal([BlobTransferKind.Copied, BlobTransferKind.Copied, BlobTransferKind.Uploaded, BlobTransferKind.Uploaded], copied);
        Assert.Equal(BlobTransferKind.Mounted, mounted);
        Assert.True(await client.BlobExistsAsync("app/mounted", baseImage.Layers[0].Digest, Ct));
        using var inspect = JsonDocument.Parse(await registry.SkopeoInspectAsync("app/streamed:v1"));
        Assert.Equal(built.Image.ManifestDigest, inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(baseImage.Layers.Sum(l => l.Size), other.Counters.Snapshot().BlobBytesSent - built.Image.Layers[^1].Size - built.Image.Config.Size);
    }

    [Fact]
    public async Task Daemonless_BaseUnreachable_RequiredFailsNamingTheRegistryAndFix_IfReachableBuildsAppOnlyAndWarns()
    {
        var closed = $"127.0.0.1:{RegistryFixture.FreePort()}";
        var context = AppContext($"{closed}/base/gone:1");
        var credentials = new RegistryCredentials("someone", "Never-Shown-Pa55");

        var ex = await Assert.ThrowsAsync<BaseImageUnavailableException>(() => new DaemonlessImageBuilder().BuildAsync(
            Request(context, new BaseImageSettings { Credentials = credentials, Policy = BaseImagePolicy.Required }), Ct));
        var fallback = await new DaemonlessImageBuilder().BuildAsync(
            Request(context, new BaseImageSettings { Credentials = credentials, Policy = BaseImagePolicy.IfReachable }), Ct);

        Assert.Equal(FailureKind.Failed, ex.Kind);
        Assert.Contains($"base image {closed}/base/gone:1 could not be fetched from {closed}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("b.BaseImageRegistry(", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Never-Shown-Pa55", ex.ToString(), StringComparison.Ordinal);
        var warning = Assert.Single(fallback.Warnings);
        Assert.StartsWith($"base image {closed}/base/gone:1 not fetched from {closed}: ", warning, StringComparison.Ordinal);
        Assert.EndsWith("the image holds the application layer only", warning, StringComparison.Ordinal);
        Assert.Null(fallback.BaseImage);
        Assert.Single(fallback.Image.Layers);
        using var config = JsonDocument.Parse(File.ReadAllBytes(fallback.Image.Config.Path));
        var labels = config.RootElement.GetProperty("config").GetProperty("Labels");
        Assert.Equal($"{closed}/base/gone:1", labels.GetProperty("io.ecsdeploy.base-image.not-applied").GetString());
        Assert.False(labels.TryGetProperty("org.opencontainers.image.base.name", out _));
    }

    [Fact]
    public async Task Pipeline_OnSimulatedAws_BaseOnLoopbackRegistry_PlanSaysWhyAndPushCopiesBaseLayersIntoEcr()
    {
        using var client = registry.CreateClient();
        var baseImage = await BaseImage.PushAsync(client, "base/pipeline", "1");
        var context = AppContext($"{registry.Address}/base/pipeline:1");
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Build(b => b.WorkingDirectory(context).Image("Dockerfile").BaseImageCredentials(registry.Credentials))
            .Push()
            .Build();
        var aws = Seed.Truecaller();
        var reporter = new RecordingReporter();

        var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions { GitSha = "1111111111111111111111111111111111111111" }, reporter);

        var text = JsonSerializer.Serialize(result) + "\n" + string.Join("\n", reporter.Events.Select(e => e.ToString()));
        Assert.True(result.ExitCode == 0, text);
        var plan = reporter.Events.OfType<StagePlanned>().Single(p => p.Plan.Stage == "Build").Plan;
        Assert.Contains(plan.Details, d => d.Key == "builder" && d.Value.StartsWith("daemonless: auto: the local target", StringComparison.Ordinal));
        Assert.Contains(plan.Details, d => d.Key == "builder not picked" && d.Value.StartsWith("docker: ", StringComparison.Ordinal));
        Assert.Contains(plan.Details, d => d.Key == "base image" && d.Value.StartsWith($"{registry.Address}/base/pipeline:1: layers from {registry.Address}/base/pipeline:1", StringComparison.Ordinal));
        foreach (var layer in baseImage.Layers)
        {
            Assert.True(await aws.Ecr.Registry.BlobExistsAsync("truecaller-backend", layer.Digest, Ct), $"base layer {layer.Digest} not in ECR");
        }
        Assert.DoesNotContain(RegistryFixture.Password, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_OnSimulatedAws_BaseOnDockerHub_IsNotFetchedAndThePlanAndAWarningSaySo()
    {
        var context = AppContext("node:20-alpine");
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Build(b => b.WorkingDirectory(context).Image("Dockerfile"))
            .Push()
            .Build();
        var aws = Seed.Truecaller();
        var reporter = new RecordingReporter();

        var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions { GitSha = "1111111111111111111111111111111111111111" }, reporter);

        var text = JsonSerializer.Serialize(result) + "\n" + string.Join("\n", reporter.Events.Select(e => e.ToString()));
        Assert.True(result.ExitCode == 0, text);
        var plan = reporter.Events.OfType<StagePlanned>().Single(p => p.Plan.Stage == "Build").Plan;
        Assert.Contains(plan.Details, d => d.Key == "base image" && d.Value.StartsWith("node:20-alpine not fetched: the local target reaches nothing beyond 127.0.0.1", StringComparison.Ordinal)
            && d.Value.EndsWith("the image holds the application layer only", StringComparison.Ordinal));
        Assert.Contains(reporter.Events.OfType<StageMessage>(), m => m.Level == MessageLevel.Warning && m.Message.StartsWith("base image node:20-alpine not fetched", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Buildah_FromBaseInRegistry_PushedWithOurPusher_SkopeoSeesBaseLayersPlusOursAndConfig()
    {
        TestPeers.Require(TestPeer.Buildah);
        using var client = registry.CreateClient();
        var baseImage = await BaseImage.PushAsync(client, "base/buildah", "1");
        var context = AppContext($"{registry.Address}/base/buildah:1");
        var request = Request(context, new BaseImageSettings { Credentials = registry.Credentials });
        var lines = new List<string>();

        var built = await new BuildahImageBuilder(new ProcessRunner()).BuildAsync(request with { OnOutput = l => { lock (lines) { lines.Add(l); } } }, Ct);
        var image = built.Image;
        var push = await client.PushImageAsync("app/buildah", image.MediaType, image.Manifest, image.ToBlobContents(client.Host), ["v1"], null, Ct);

        Assert.Equal(image.ManifestDigest, push.Digest);
        Assert.False(Directory.Exists(Path.Combine(request.OutputDirectory, "buildah-storage")), "the private buildah storage was not removed");
        Assert.False(File.Exists(Path.Combine(request.OutputDirectory, "auth.json")), "the auth file was not removed");
        Assert.DoesNotContain(lines, l => l.Contains(RegistryFixture.Password, StringComparison.Ordinal));
        using var inspect = JsonDocument.Parse(await registry.SkopeoInspectAsync("app/buildah:v1"));
        Assert.Equal(image.ManifestDigest, inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(3, inspect.RootElement.GetProperty("Layers").GetArrayLength());
        using var config = await SkopeoConfigAsync("app/buildah:v1");
        var diffIds = Strings(config.RootElement.GetProperty("rootfs").GetProperty("diff_ids"));
        Assert.Equal(baseImage.DiffIds, diffIds.Take(2));
        Assert.Equal(3, diffIds.Count);
        var c = config.RootElement.GetProperty("config");
        Assert.Contains("BASE_VERSION=2", Strings(c.GetProperty("Env")));
        Assert.Contains("NODE_ENV=production", Strings(c.GetProperty("Env")));
        Assert.Equal(["node", "dist/server.js"], Strings(c.GetProperty("Cmd")));
        Assert.Equal("/app", c.GetProperty("WorkingDir").GetString());
        Assert.Equal("amd64", config.RootElement.GetProperty("architecture").GetString());

        // --timestamp 0 and no identity label: the same inputs give the same image.
        var again = await new BuildahImageBuilder(new ProcessRunner()).BuildAsync(Request(context, new BaseImageSettings { Credentials = registry.Credentials }), Ct);
        Assert.Equal(image.ManifestDigest, again.Image.ManifestDigest);
    }

    [Fact]
    public async Task Mirror_DockerHubName_IsFetchedFromTheMirrorByDaemonlessAndByBuildah()
    {
        TestPeers.Require(TestPeer.Buildah);
        using var client = registry.CreateClient();
        // "tiny:1" names Docker Hub's library/tiny; the mirror serves it as library/tiny.
        var baseImage = await BaseImage.PushAsync(client, "library/tiny", "1");
        var context = AppContext("tiny:1");
        var settings = new BaseImageSettings { Mirror = registry.Address, Credentials = registry.Credentials, Policy = BaseImagePolicy.Required };

        var daemonless = await new DaemonlessImageBuilder().BuildAsync(Request(context, settings), Ct);
        var buildahRequest = Request(context, settings);
        var buildah = await new BuildahImageBuilder(new ProcessRunner()).BuildAsync(buildahRequest, Ct);

        Assert.Equal($"tiny:1 ({registry.Address}/library/tiny@{baseImage.AmdManifestDigest})", daemonless.BaseImage);
        Assert.Equal(baseImage.Layers.Select(l => l.Digest), daemonless.Image.Layers.Take(2).Select(l => l.Digest));
        Assert.Empty(buildah.Warnings);
        Assert.False(File.Exists(Path.Combine(buildahRequest.OutputDirectory, "registries.conf")), "the private registries.conf was not removed");
        using var config = JsonDocument.Parse(File.ReadAllBytes(buildah.Image.Config.Path));
        Assert.Equal(baseImage.DiffIds, Strings(config.RootElement.GetProperty("rootfs").GetProperty("diff_ids")).Take(2));
    }

    [Fact]
    public async Task Pipeline_DockerfileWithRun_OnDaemonless_StopsWithExitCode2BeforeAnyAwsCall()
    {
        var context = AppContext("node:20-alpine", "RUN npm ci");
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Build(b => b.WorkingDirectory(context).Image("Dockerfile").Builder(ImageBuilderKind.Daemonless))
            .Push()
            .Build();
        var aws = Seed.Truecaller();
        var reporter = new RecordingReporter();

        var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), new RunOptions { GitSha = "1111111111111111111111111111111111111111" }, reporter);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("Dockerfile line 7: RUN is not supported by the daemonless builder", result.Error, StringComparison.Ordinal);
        Assert.Contains("use buildah or docker", result.Error, StringComparison.Ordinal);
        Assert.Empty(aws.Calls);
    }
}
