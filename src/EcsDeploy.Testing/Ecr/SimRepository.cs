using EcsDeploy.Aws;
using EcsDeploy.Images;

namespace EcsDeploy.Testing.Ecr;

/// <summary>A repository of the simulated ECR: blobs, images by digest, scanning and lifecycle state.</summary>
internal sealed class SimRepository(string name, bool immutable)
{
    public string Name { get; } = name;
    public bool Immutable { get; } = immutable;
    public Dictionary<string, byte[]> Blobs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, SimImage> Images { get; } = new(StringComparer.Ordinal);
    public bool ScanOnPush { get; set; }
    public Dictionary<string, SimScanResult> ScanResults { get; } = new(StringComparer.Ordinal);
    public SimScanResult? NewImageScanResult { get; set; }
    public string? LifecyclePolicyText { get; set; }
    public IReadOnlyList<LifecycleRule>? LifecycleRules { get; set; }
    public DateTimeOffset? PolicyNextEvaluationAt { get; set; }
    public DateTimeOffset? PolicyLastEvaluatedAt { get; set; }
    public int ExpiredImages { get; set; }
}

/// <summary>How a simulated image scan ends.</summary>
internal sealed record SimScanResult(string Status, string? Description, IReadOnlyDictionary<string, int> Counts)
{
    public static SimScanResult Complete(int critical = 0, int high = 0, int medium = 0, int low = 0, int informational = 0, int undefined = 0) => new("COMPLETE", null, new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["CRITICAL"] = critical, ["HIGH"] = high, ["MEDIUM"] = medium, ["LOW"] = low, ["INFORMATIONAL"] = informational, ["UNDEFINED"] = undefined,
    });

    /// <summary>The answer of DescribeImageScanFindings for a completed scan with these counts.</summary>
    public ImageScanFindingsResult ToFindings(string repositoryName, ImageIdentifier id, DateTimeOffset started, DateTimeOffset completed)
    {
        var findings = Counts.Where(c => c.Value > 0)
            .SelectMany(c => Enumerable.Range(1, c.Value).Select(n => new ImageScanFinding($"CVE-2026-{Math.Abs(StringComparer.Ordinal.GetHashCode(c.Key)) % 9000 + 1000}{n:D2}", c.Key, "https://cve.example.invalid/" + c.Key)))
            .Take(100).ToList();
        return new ImageScanFindingsResult
        {
            RepositoryName = repositoryName,
            ImageId = id,
            ImageScanStatus = new ImageScanStatus("COMPLETE", "The scan was completed successfully."),
            ImageScanFindings = new ImageScanFindings
            {
                ImageScanCompletedAt = completed,
                VulnerabilitySourceUpdatedAt = started,
                FindingSeverityCounts = Counts.Where(c => c.Value > 0).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
                Findings = findings,
            },
        };
    }
}

/// <summary>An image of a simulated repository (one manifest, its tags).</summary>
internal sealed class SimImage(string digest, byte[] manifest, string mediaType, DateTimeOffset pushedAt, long size)
{
    public string Digest { get; } = digest;
    public byte[] Manifest { get; } = manifest;
    public string MediaType { get; } = mediaType;
    public DateTimeOffset PushedAt { get; } = pushedAt;
    public long Size { get; } = size;
    public HashSet<string> Tags { get; } = new(StringComparer.Ordinal);
    public DateTimeOffset? ScanStartedAt { get; set; }
    public SimScanResult? ScanResult { get; set; }
}
