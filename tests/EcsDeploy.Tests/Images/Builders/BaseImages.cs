using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Tests.Images.Builders;

/// <summary>A tiny base image built with our own code (no binaries: FROM it, only COPY/ENV/CMD make sense), pushed as a two-platform index.</summary>
internal sealed record BaseImage(string Repository, string Tag, string AmdManifestDigest, IReadOnlyList<OciDescriptor> Layers, IReadOnlyList<string> DiffIds)
{
    public static async Task<BaseImage> PushAsync(OciRegistryClient client, string repository, string tag)
    {
        var layers = new List<(OciDescriptor Descriptor, byte[] Bytes, string DiffId)>
        {
            Layer(("etc/", null), ("etc/os-release", "ID=tiny\nVERSION_ID=1\n"), ("bin/", null), ("bin/hello", "#!/bin/sh\necho hello\n")),
            Layer(("usr/", null), ("usr/share/", null), ("usr/share/base.txt", "from the base image\n")),
        };
        var blobs = layers.Select(l => BlobContent.FromBytes(l.Descriptor, l.Bytes)).ToList();
        var entries = new List<OciDescriptor>();
        string amdDigest = "";
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var config = JsonSerializer.SerializeToUtf8Bytes(new
            {
                architecture = arch,
                os = "linux",
                created = "2024-01-01T00:00:00Z",
                config = new { Env = new[] { "PATH=/usr/local/bin:/usr/bin:/bin", "BASE_VERSION=1" }, Cmd = new[] { "/bin/hello" }, WorkingDir = "/", Labels = new Dictionary<string, string> { ["base.label"] = "kept" } },
                rootfs = new { type = "layers", diff_ids = layers.Select(l => l.DiffId) },
                history = new[] { new { created = "2024-01-01T00:00:00Z", created_by = "base layer 1" }, new { created = "2024-01-01T00:00:00Z", created_by = "base layer 2" } },
            });
            var configDescriptor = new OciDescriptor(RegistryMediaTypes.OciConfig, OciDigest.Compute(config), config.Length);
            var manifest = new OciImageManifest(2, RegistryMediaTypes.OciManifest, configDescriptor, [.. layers.Select(l => l.Descriptor)]).ToJsonBytes();
            var result = await client.PushImageAsync(repository, RegistryMediaTypes.OciManifest, manifest, [.. blobs, BlobContent.FromBytes(configDescriptor, config)], [], null, CancellationToken.None);
            entries.Add(new OciDescriptor(RegistryMediaTypes.OciManifest, result.Digest, manifest.Length, new OciPlatform(arch, "linux")));
            if (arch == "amd64")
            {
                amdDigest = result.Digest;
            }
        }
        // arm64 first, so that taking the first entry would be caught.
        entries.Reverse();
        var index = new OciImageIndex(2, RegistryMediaTypes.OciIndex, entries).ToJsonBytes();
        await client.PutManifestAsync(repository, tag, RegistryMediaTypes.OciIndex, index, CancellationToken.None);
        return new BaseImage(repository, tag, amdDigest, [.. layers.Select(l => l.Descriptor)], [.. layers.Select(l => l.DiffId)]);
    }

    private static (OciDescriptor, byte[], string) Layer(params (string Name, string? Content)[] files)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = new UstarTarEntry(content is null ? TarEntryType.Directory : TarEntryType.RegularFile, name)
                {
                    ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                    Mode = content is null || name.StartsWith("bin/", StringComparison.Ordinal) ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
                };
                if (content is not null)
                {
                    entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
                }
                writer.WriteEntry(entry);
            }
        }
        var tarBytes = tar.ToArray();
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(tarBytes);
        }
        var bytes = gz.ToArray();
        return (new OciDescriptor(RegistryMediaTypes.OciLayerGzip, OciDigest.Compute(bytes), bytes.Length), bytes, OciDigest.Compute(tarBytes));
    }
}
