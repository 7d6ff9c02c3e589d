using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests.Preflight;

/// <summary>The seeded simulated AWS of the day-2 tests, with ways to break what the preflight checks.</summary>
internal sealed class PreflightWorld
{
    public DayTwo Day2 { get; } = new();

    public SimulatedAws Aws => Day2.Aws;

    /// <summary>The revision the seeded service runs.</summary>
    public TaskDefinition Current => Aws.Ecs.CurrentTaskDefinition(DayTwo.Cluster, DayTwo.Service);

    /// <summary>
    /// Registers <paramref name="change"/> of the running revision and points the service at it (as another tool would),
    /// and lets the rollout finish unless <paramref name="wait"/> is false (a revision whose tasks cannot start would roll back).
    /// </summary>
    public async Task RunAsync(Func<TaskDefinition, TaskDefinition> change, bool wait = true)
    {
        var arn = Aws.Ecs.Register(change(TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(Current)));
        if (wait)
        {
            await Day2.DeployAsync(arn);
            return;
        }
        await Aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = DayTwo.Cluster, Service = DayTwo.Service, TaskDefinition = arn }, CancellationToken.None);
    }

    /// <summary>The deployed container with <paramref name="change"/> applied.</summary>
    public static TaskDefinition WithContainer(TaskDefinition definition, Func<ContainerDefinition, ContainerDefinition> change)
        => definition with { ContainerDefinitions = [.. definition.ContainerDefinitions!.Select(c => c.Name == DayTwo.Family ? change(c) : c)] };

    /// <summary>Pushes an image whose config says <paramref name="platform"/> (os/architecture), or an index of several; returns its reference.</summary>
    public string PushImage(string tag, params string[] platforms)
    {
        var registry = Aws.Ecr.Registry;
        var manifests = new List<(string Digest, int Size, string Platform)>();
        foreach (var platform in platforms)
        {
            var (os, architecture) = (platform.Split('/')[0], platform.Split('/')[1]);
            var config = JsonSerializer.SerializeToUtf8Bytes(new { architecture, os, config = new { }, rootfs = new { type = "layers", diff_ids = Array.Empty<string>() } });
            var configDigest = Digest(config);
            registry.PushBlobAsync(DayTwo.Family, configDigest, new MemoryStream(config), config.Length, CancellationToken.None).GetAwaiter().GetResult();
            var manifest = JsonSerializer.SerializeToUtf8Bytes(new
            {
                schemaVersion = 2,
                mediaType = "application/vnd.oci.image.manifest.v1+json",
                config = new { mediaType = "application/vnd.oci.image.config.v1+json", digest = configDigest, size = config.Length },
                layers = Array.Empty<object>(),
            });
            var digest = registry.PutManifestAsync(DayTwo.Family, platforms.Length == 1 ? tag : Digest(manifest), "application/vnd.oci.image.manifest.v1+json", manifest, CancellationToken.None).GetAwaiter().GetResult();
            manifests.Add((digest, manifest.Length, platform));
        }
        if (platforms.Length > 1)
        {
            var index = JsonSerializer.Serialize(new
            {
                schemaVersion = 2,
                mediaType = "application/vnd.oci.image.index.v1+json",
                manifests = manifests.Select(m => new { mediaType = "application/vnd.oci.image.manifest.v1+json", digest = m.Digest, size = m.Size, platform = new { os = m.Platform.Split('/')[0], architecture = m.Platform.Split('/')[1] } }),
            });
            registry.PutManifestAsync(DayTwo.Family, tag, "application/vnd.oci.image.index.v1+json", Encoding.UTF8.GetBytes(index), CancellationToken.None).GetAwaiter().GetResult();
        }
        return $"{Aws.Ecr.Host}/{DayTwo.Family}:{tag}";
    }

    /// <summary>Runs <c>verify --output json</c> and returns the exit code, the report and stderr.</summary>
    public async Task<(int ExitCode, JsonElement Report, string Stderr)> VerifyAsync(PipelineBuilder? pipeline = null, params string[] args)
    {
        var (code, stdout, stderr) = await Day2.RunAsync(pipeline ?? DayTwo.Pipeline(), ["verify", "--output", "json", .. args]);
        Assert.True(stdout.Length > 0, $"no JSON (exit {code}): {stderr}");
        return (code, JsonDocument.Parse(stdout).RootElement.Clone(), stderr);
    }

    /// <summary>The check named <paramref name="name"/> anywhere in the report (the first one).</summary>
    public static JsonElement Check(JsonElement report, string name)
        => All(report).FirstOrDefault(c => c.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } found
            ? found : throw new Xunit.Sdk.XunitException($"no check '{name}' in {report}");

    public static IEnumerable<JsonElement> All(JsonElement report)
    {
        IEnumerable<JsonElement> Walk(JsonElement node)
        {
            yield return node;
            if (node.TryGetProperty("checks", out var children))
            {
                foreach (var child in children.EnumerateArray().SelectMany(Walk))
                {
                    yield return child;
                }
            }
        }
        return report.GetProperty("services").EnumerateArray().SelectMany(Walk);
    }

    public static string Status(JsonElement check) => check.GetProperty("status").GetString()!;

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
