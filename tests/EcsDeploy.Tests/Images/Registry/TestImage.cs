using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Tests.Images.Registry;

/// <summary>A small, real image built in memory: gzip tar layers, an image config, a manifest (OCI or Docker).</summary>
internal sealed class TestImage
{
    private TestImage(byte[] config, OciDescriptor configDescriptor, IReadOnlyList<(OciDescriptor Descriptor, byte[] Bytes)> layers, byte[] manifest, string manifestMediaType)
    {
        Config = config;
        ConfigDescriptor = configDescriptor;
        Layers = layers;
        Manifest = manifest;
        ManifestMediaType = manifestMediaType;
    }

    public byte[] Config { get; }
    public OciDescriptor ConfigDescriptor { get; }
    public IReadOnlyList<(OciDescriptor Descriptor, byte[] Bytes)> Layers { get; }
    public byte[] Manifest { get; }
    public string ManifestMediaType { get; }
    public string Digest => OciDigest.Compute(Manifest);

    public IReadOnlyList<BlobContent> Blobs =>
        [BlobContent.FromBytes(ConfigDescriptor, Config), .. Layers.Select(l => BlobContent.FromBytes(l.Descriptor, l.Bytes))];

    public long BlobBytes => Config.Length + Layers.Sum(l => (long)l.Bytes.Length);

    /// <summary>An image whose layers each hold one file of pseudo-random bytes derived from <paramref name="seed"/>.</summary>
    public static TestImage Create(string seed, bool docker = false, params int[] layerSizes)
    {
        var layerType = docker ? RegistryMediaTypes.DockerLayerGzip : RegistryMediaTypes.OciLayerGzip;
        var layers = new List<(OciDescriptor, byte[])>();
        var diffIds = new List<string>();
        for (var i = 0; i < layerSizes.Length; i++)
        {
            var (tar, gz) = Layer($"{seed}-{i}", layerSizes[i]);
            diffIds.Add(OciDigest.Compute(tar));
            layers.Add((new OciDescriptor(layerType, OciDigest.Compute(gz), gz.Length), gz));
        }
        var config = JsonSerializer.SerializeToUtf8Bytes(new
        {
            architecture = "amd64",
            os = "linux",
            config = new { Cmd = new[] { "/bin/sh" }, Labels = new Dictionary<string, string> { ["seed"] = seed } },
            rootfs = new { type = "layers", diff_ids = diffIds },
        });
        var configDescriptor = new OciDescriptor(docker ? RegistryMediaTypes.DockerConfig : RegistryMediaTypes.OciConfig, OciDigest.Compute(config), config.Length);
        var mediaType = docker ? RegistryMediaTypes.DockerManifest : RegistryMediaTypes.OciManifest;
        var manifest = new OciImageManifest(2, mediaType, configDescriptor, layers.Select(l => l.Item1).ToList()).ToJsonBytes();
        return new TestImage(config, configDescriptor, layers, manifest, mediaType);
    }

    public static (byte[] Tar, byte[] Gzip) Layer(string name, int size)
    {
        var content = PseudoRandom(name, size);
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, $"app/{name}.bin")
            {
                DataStream = new MemoryStream(content),
                ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            };
            writer.WriteEntry(entry);
        }
        var tarBytes = tar.ToArray();
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tarBytes);
        }
        return (tarBytes, gz.ToArray());
    }

    public static byte[] PseudoRandom(string seed, int size)
    {
        var random = new Random(seed.Aggregate(17, (h, c) => unchecked((h * 31) + c)));
        var bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Writes an OCI image layout (oci-layout, index.json, blobs/sha256/...) that skopeo reads as oci:DIR:TAG.</summary>
    public void WriteOciLayout(string directory, string tag)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        void Blob(string digest, byte[] bytes) => File.WriteAllBytes(Path.Combine(blobs, digest["sha256:".Length..]), bytes);
        Blob(ConfigDescriptor.Digest, Config);
        foreach (var (descriptor, bytes) in Layers)
        {
            Blob(descriptor.Digest, bytes);
        }
        Blob(Digest, Manifest);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var index = new OciImageIndex(2, RegistryMediaTypes.OciIndex,
            [new OciDescriptor(ManifestMediaType, Digest, Manifest.Length, Annotations: new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = tag })]);
        File.WriteAllBytes(Path.Combine(directory, "index.json"), index.ToJsonBytes());
    }

    public static string Utf8(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
