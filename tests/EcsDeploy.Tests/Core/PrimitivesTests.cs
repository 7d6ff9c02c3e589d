using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Images;
using EcsDeploy.Images.Builders;
using EcsDeploy.Processes;
using EcsDeploy.Reporting;
using EcsDeploy.TaskDefinitions;
using EcsDeploy.Testing;

namespace EcsDeploy.Tests.Core;

public sealed class RetryPolicyTests
{
    private sealed class Counter
    {
        public int Calls;
    }

    [Fact]
    public async Task Execute_OnThrottling_RetriesWithJitteredBackoffUpToThreeAttempts()
    {
        var clock = new VirtualClock();
        var policy = new AwsRetryPolicy(clock, random: new Random(3));
        var counter = new Counter();
        var start = clock.GetUtcNow();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => policy.ExecuteAsync<int>("DescribeServices", true, _ =>
        {
            counter.Calls++;
            throw new AwsServiceException("ECS", "DescribeServices", "ThrottlingException", "Rate exceeded");
        }, CancellationToken.None));

        Assert.Equal("ThrottlingException", error.ErrorCode);
        Assert.Equal(3, counter.Calls);
        var waited = clock.GetUtcNow() - start;
        Assert.InRange(waited, TimeSpan.Zero, TimeSpan.FromSeconds(1 + 2)); // rand x 1 s, then rand x 2 s
        Assert.Equal(500 - 10, policy.QuotaRemaining);
    }

    [Fact]
    public async Task Execute_NonIdempotentCallOnServerError_IsNotRetried()
    {
        var policy = new AwsRetryPolicy(new VirtualClock());
        var counter = new Counter();

        await Assert.ThrowsAsync<AwsServiceException>(() => policy.ExecuteAsync<int>("RegisterTaskDefinition", false, _ =>
        {
            counter.Calls++;
            throw new AwsServiceException("ECS", "RegisterTaskDefinition", "ServerException", "boom", 500);
        }, CancellationToken.None));

        Assert.Equal(1, counter.Calls);
    }

    [Fact]
    public async Task Execute_WhenARetrySucceeds_GivesItsCostBack()
    {
        var policy = new AwsRetryPolicy(new VirtualClock(), quota: 20);
        var counter = new Counter();

        // Every other attempt is throttled, many times over: a quota that only shrank would run out after four.
        for (var i = 0; i < 10; i++)
        {
            await policy.ExecuteAsync("DescribeServices", true, _ => ++counter.Calls % 2 == 1
                ? throw new AwsServiceException("ECS", "DescribeServices", "ThrottlingException", "Rate exceeded")
                : Task.FromResult(counter.Calls), CancellationToken.None);
        }

        Assert.Equal(20, counter.Calls);
        Assert.Equal(10, policy.RetriesMade);
        Assert.Equal(20, policy.QuotaRemaining);
    }

    [Fact]
    public async Task Execute_WhenQuotaIsSpent_StopsRetrying()
    {
        var policy = new AwsRetryPolicy(new VirtualClock(), quota: 7);
        var counter = new Counter();

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<AwsServiceException>(() => policy.ExecuteAsync<int>("DescribeServices", true, _ =>
            {
                counter.Calls++;
                throw new AwsServiceException("ECS", "DescribeServices", "ServiceUnavailable", "down", 503);
            }, CancellationToken.None));
        }

        // 7 tokens pay for one retry (5); after that every call is tried once.
        Assert.Equal(2 + 1 + 1, counter.Calls);
    }

    [Fact]
    public async Task CreateEnvironment_SendsThePortsThroughThePolicy()
    {
        var aws = Seed.Truecaller();
        aws.ThrottleEveryNthCall = 2;
        var environment = aws.CreateEnvironment();

        // Every second call of each operation is throttled: the second read of each goes through on its retry.
        DescribeServicesResponse response = null!;
        SecretDescription secret = null!;
        for (var read = 0; read < 2; read++)
        {
            response = await environment.Ecs.DescribeServicesAsync(new DescribeServicesRequest("truecaller-backend-cluster", ["truecaller-backend-service"]), CancellationToken.None);
            secret = await environment.SecretsManager.DescribeSecretAsync("truecaller-backend/JWT_SECRET", CancellationToken.None);
        }

        Assert.Single(response.Services);
        Assert.Contains("truecaller-backend/JWT_SECRET", secret.ARN, StringComparison.Ordinal);
        Assert.Equal(2, environment.RetryPolicy.RetriesMade);
        Assert.Equal(2, aws.Calls.Count(c => c.Throttled));
    }
}

public sealed class TaskDefinitionRendererTests
{
    private static TaskDefinition Current() => JsonSerializer.Deserialize<TaskDefinition>("""
        {
          "taskDefinitionArn": "arn:aws:ecs:eu-central-1:123456789012:task-definition/app:7",
          "family": "app", "revision": 7, "status": "ACTIVE",
          "compatibilities": ["EC2", "FARGATE"], "requiresAttributes": [{"name": "ecs.capability.execution-role-awslogs"}],
          "registeredAt": "2026-01-05T09:00:00Z", "registeredBy": "arn:aws:iam::123456789012:user/ci",
          "networkMode": "awsvpc", "cpu": "256", "memory": "512",
          "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
          "containerDefinitions": [
            {"name": "app", "image": "repo/app:old", "essential": true, "cpu": 0,
             "environment": [{"name": "KEEP", "value": "me"}, {"name": "NODE_ENV", "value": "development"}, {"name": "JWT_SECRET", "value": "oops"}],
             "portMappings": [{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}],
             "linuxParameters": {"initProcessEnabled": true}},
            {"name": "sidecar", "image": "datadog/agent:7"}
          ]
        }
        """, TaskDefinitionRenderer.Json)!;

    [Fact]
    public void Render_KeepsUnknownFieldsDropsReadOnlyOnesAndMergesEnvironment()
    {
        var rendered = TaskDefinitionRenderer.Render(Current(), new TaskDefinitionChanges("app", "app", "repo/app@sha256:abc",
            [new EcsKeyValuePair("NODE_ENV", "production")], [new EcsSecret("JWT_SECRET", "arn:aws:secretsmanager:eu-central-1:1:secret:jwt-AbCdEf")]));

        var json = JsonSerializer.SerializeToNode(rendered, TaskDefinitionRenderer.Json)!.AsObject();
        Assert.Null(json["taskDefinitionArn"]);
        Assert.Null(json["revision"]);
        Assert.Null(json["status"]);
        Assert.Null(json["compatibilities"]);
        Assert.Null(json["requiresAttributes"]);
        Assert.Null(json["registeredAt"]);
        Assert.Equal("ARM64", (string?)json["runtimePlatform"]!["cpuArchitecture"]);
        var app = rendered.ContainerDefinitions!.Single(c => c.Name == "app");
        Assert.Equal("repo/app@sha256:abc", app.Image);
        Assert.Equal([new EcsKeyValuePair("KEEP", "me"), new EcsKeyValuePair("NODE_ENV", "production")], app.Environment);
        Assert.Equal("JWT_SECRET", Assert.Single(app.Secrets!).Name);
        Assert.True(app.ExtensionData!.ContainsKey("linuxParameters"));
        Assert.Equal("datadog/agent:7", rendered.ContainerDefinitions!.Single(c => c.Name == "sidecar").Image);
    }

    [Fact]
    public void Normalize_TreatsEcsDefaultsAsEqual()
    {
        var registered = Current();
        var sent = TaskDefinitionRenderer.StripReadOnly(registered) with
        {
            ContainerDefinitions = [.. registered.ContainerDefinitions!.Select(c => c with
            {
                Essential = null,
                Cpu = null,
                PortMappings = c.PortMappings?.Select(p => p with { HostPort = null, Protocol = null }).ToList(),
                Environment = c.Environment?.Reverse().ToList(),
            }).Reverse()],
        };

        Assert.True(TaskDefinitionRenderer.AreEquivalent(registered, sent));
        Assert.Empty(TaskDefinitionRenderer.Diff(registered, sent));
    }

    [Fact]
    public void Render_WithAContainerThatDoesNotExist_NamesTheContainersThereAre()
    {
        var error = Assert.Throws<PipelineStageException>(() => TaskDefinitionRenderer.Render(Current(), new TaskDefinitionChanges("app", "api", null, [], [])));

        Assert.Contains("has no container 'api' (it has: app, sidecar)", error.Message, StringComparison.Ordinal);
    }
}

public sealed class ProcessRunnerTests
{
    [Fact]
    public async Task Run_PassesArgumentsAsAListWithoutAShell()
    {
        var lines = new List<string>();
        var result = await new ProcessRunner().RunAsync(new CommandSpec("printf", ["%s|", "a b", "$HOME", "; echo no"]), lines.Add, CancellationToken.None);

        Assert.Equal("a b|$HOME|; echo no|", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Run_WhenTheCommandFails_NamesItWithExitCodeAndOutputTail()
    {
        var error = await Assert.ThrowsAsync<CommandExecutionException>(() => new ProcessRunner().RunAsync(
            new CommandSpec("sh", ["-c", "echo first; echo broken >&2; exit 3"]), null, CancellationToken.None));

        Assert.Equal(3, error.CommandExitCode);
        Assert.Contains("'sh -c 'echo first; echo broken >&2; exit 3'' exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("broken", error.LastLines);
    }

    [Fact]
    public async Task Run_WhenTheProgramDoesNotExist_SaysSo()
    {
        var error = await Assert.ThrowsAsync<CommandExecutionException>(() => new ProcessRunner().RunAsync(new CommandSpec("no-such-program-xyz", []), null, CancellationToken.None));

        Assert.Contains("could not start", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DaemonlessImageBuilderDeterminismTests
{
    [Fact]
    public async Task Build_ProducesADeterministicImageWhoseDigestsMatchItsBytes()
    {
        var context = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM node:20\nWORKDIR /app\nENV NODE_ENV=production\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"dist/server.js\"]\n");
        Directory.CreateDirectory(Path.Combine(context, "dist"));
        File.WriteAllText(Path.Combine(context, "dist", "server.js"), "console.log(1)");
        Directory.CreateDirectory(Path.Combine(context, "node_modules"));
        File.WriteAllText(Path.Combine(context, "node_modules", "x.js"), "ignored");
        File.WriteAllText(Path.Combine(context, ".dockerignore"), "node_modules\n");

        // The daemonless builder with no base (Skip): the application layer alone, so the test needs no registry.
        var request = new ImageBuildRequest(context, Path.Combine(context, "Dockerfile"), Directory.CreateTempSubdirectory().FullName)
        {
            BaseImage = new BaseImageSettings { Policy = BaseImagePolicy.Skip },
        };
        var first = (await new DaemonlessImageBuilder().BuildAsync(request, CancellationToken.None)).Image;
        // Later, with the files touched again: nothing about the clock or the file times may reach the digest.
        await Task.Delay(1100);
        File.SetLastWriteTimeUtc(Path.Combine(context, "dist", "server.js"), DateTime.UnixEpoch.AddDays(400));
        var second = (await new DaemonlessImageBuilder().BuildAsync(request with { OutputDirectory = Directory.CreateTempSubdirectory().FullName }, CancellationToken.None)).Image;

        Assert.Equal(first.ManifestDigest, second.ManifestDigest);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(first.Manifest)), first.ManifestDigest);
        var layer = Assert.Single(first.Layers);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(layer.Path))), layer.Digest);

        var names = new List<string>();
        await using (var gzip = new GZipStream(layer.Open(), CompressionMode.Decompress))
        {
            using var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                names.Add(entry.Name);
            }
        }
        Assert.Contains("app/dist/server.js", names);
        Assert.DoesNotContain(names, n => n.Contains("node_modules", StringComparison.Ordinal));

        using var config = JsonDocument.Parse(File.ReadAllBytes(first.Config.Path));
        Assert.Equal("/app", config.RootElement.GetProperty("config").GetProperty("WorkingDir").GetString());
        Assert.Equal(["node", "dist/server.js"], config.RootElement.GetProperty("config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
    }
}

public sealed class SecretMaskerTests
{
    [Fact]
    public void Mask_HidesValuesAndTheirConnectionStringPasswords()
    {
        var masker = new SecretMasker();
        masker.Add("postgresql://app:p%40ss-word@db:5432/app");

        Assert.Equal("url=*** pw=***", masker.Apply("url=postgresql://app:p%40ss-word@db:5432/app pw=p@ss-word"));
    }

    [Fact]
    public void SecretValue_ToString_NeverPrintsTheValue()
    {
        Assert.DoesNotContain("hunter2", new SecretValue("arn", "name", "hunter2").ToString(), StringComparison.Ordinal);
    }
}

public sealed class VirtualClockTests
{
    [Fact]
    public async Task Sleep_MovesTimeAndFiresDueTimersInOrder()
    {
        var clock = new VirtualClock();
        var fired = new List<int>();
        using var late = clock.CreateTimer(_ => fired.Add(2), null, TimeSpan.FromSeconds(20), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(1), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        var start = clock.GetUtcNow();

        await Clock.DelayAsync(clock, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal([1, 2], fired);
        Assert.Equal(TimeSpan.FromSeconds(30), clock.GetUtcNow() - start);
    }
}
