using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EcsDeploy.Testing.Hosting;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>skopeo (containers/image, an independent registry client) copies an image into the host's ECR registry.</summary>
public sealed class SkopeoAgainstHostTests
{
    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Writes an OCI image layout with one small layer; returns its folder.</summary>
    private static string WriteOciLayout(string tag)
    {
        var directory = Directory.CreateTempSubdirectory("ecsdeploy-oci-").FullName;
        var blobs = Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256")).FullName;
        string Put(byte[] bytes)
        {
            var digest = Digest(bytes);
            File.WriteAllBytes(Path.Combine(blobs, digest["sha256:".Length..]), bytes);
            return digest;
        }

        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "app/hello.txt") { DataStream = new MemoryStream("hello from skopeo\n"u8.ToArray()) };
            writer.WriteEntry(entry);
        }
        var uncompressed = tar.ToArray();
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(uncompressed);
        }
        var layer = gz.ToArray();
        var layerDigest = Put(layer);
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{Digest(uncompressed)}\"]}}}}");
        var configDigest = Put(config);
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}}," +
            $"\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"{layerDigest}\",\"size\":{layer.Length}}}]}}");
        var manifestDigest = Put(manifest);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(directory, "index.json"),
            $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{manifestDigest}\",\"size\":{manifest.Length},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"{tag}\"}}}}]}}");
        return directory;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> SkopeoAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(TestPeers.Require(TestPeer.Skopeo)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("HTTP_PROXY");
        start.Environment.Remove("HTTPS_PROXY");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task SkopeoCopy_IntoTheHostsRegistry_WithEcrsToken_IsSeenByEcrAndByInspect()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var token = (await AwsCli.RunAsync(host, "ecr", "get-authorization-token")).Json().GetProperty("authorizationData")[0];
        Assert.Equal(host.Endpoint.GetLeftPart(UriPartial.Authority), token.GetProperty("proxyEndpoint").GetString());
        var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(token.GetProperty("authorizationToken").GetString()!));
        var registry = host.Endpoint.Authority;
        var layout = WriteOciLayout("v1");

        var copy = await SkopeoAsync("copy", "--dest-tls-verify=false", "--dest-creds", credentials, $"oci:{layout}:v1", $"docker://{registry}/truecaller-backend:skopeo");
        Assert.True(copy.ExitCode == 0, copy.Stderr);

        var images = (await AwsCli.RunAsync(host, "ecr", "describe-images", "--repository-name", "truecaller-backend", "--image-ids", "imageTag=skopeo")).Json();
        var digest = images.GetProperty("imageDetails")[0].GetProperty("imageDigest").GetString();
        var inspect = await SkopeoAsync("inspect", "--tls-verify=false", "--creds", credentials, $"docker://{registry}/truecaller-backend:skopeo");
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        using var json = JsonDocument.Parse(inspect.Stdout);
        Assert.Equal(digest, json.RootElement.GetProperty("Digest").GetString());
        Assert.Single(json.RootElement.GetProperty("Layers").EnumerateArray());

        var refused = await SkopeoAsync("inspect", "--tls-verify=false", "--creds", "AWS:wrong-password", $"docker://{registry}/truecaller-backend:skopeo");
        Assert.NotEqual(0, refused.ExitCode);
    }
}
