using System.Text.Json;

namespace EcsDeploy.Aws;

// ECR (camelCase on the wire)

/// <summary>An ECR repository.</summary>
public sealed record EcrRepository
{
    /// <summary>The repository name.</summary>
    public required string RepositoryName { get; init; }
    /// <summary>The repository ARN.</summary>
    public string? RepositoryArn { get; init; }
    /// <summary><c>ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME</c>.</summary>
    public required string RepositoryUri { get; init; }
    /// <summary>MUTABLE or IMMUTABLE.</summary>
    public string ImageTagMutability { get; init; } = "MUTABLE";
    /// <summary>Whether images are scanned when pushed (basic scanning; absent means off).</summary>
    public ImageScanningConfiguration? ImageScanningConfiguration { get; init; }
}

/// <summary>A repository's image scanning configuration.</summary>
public sealed record ImageScanningConfiguration(bool ScanOnPush);

/// <summary>The state of an image scan: IN_PROGRESS, COMPLETE, FAILED, UNSUPPORTED_IMAGE (basic scanning), and ACTIVE, PENDING,
/// SCAN_ELIGIBILITY_EXPIRED, FINDINGS_UNAVAILABLE, LIMIT_EXCEEDED, IMAGE_ARCHIVED (enhanced scanning).</summary>
public sealed record ImageScanStatus(string? Status, string? Description = null);

/// <summary>One vulnerability of a scan.</summary>
public sealed record ImageScanFinding(string? Name, string? Severity, string? Uri = null);

/// <summary>The findings of a completed scan.</summary>
public sealed record ImageScanFindings
{
    /// <summary>When the scan completed.</summary>
    public DateTimeOffset? ImageScanCompletedAt { get; init; }
    /// <summary>When the vulnerability database was last updated.</summary>
    public DateTimeOffset? VulnerabilitySourceUpdatedAt { get; init; }
    /// <summary>Counts by severity: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED (absent keys mean zero).</summary>
    public IReadOnlyDictionary<string, int>? FindingSeverityCounts { get; init; }
    /// <summary>The findings of the first page.</summary>
    public IReadOnlyList<ImageScanFinding>? Findings { get; init; }
}

/// <summary>Answer of DescribeImageScanFindings.</summary>
public sealed record ImageScanFindingsResult
{
    /// <summary>The repository.</summary>
    public string? RepositoryName { get; init; }
    /// <summary>The image.</summary>
    public ImageIdentifier? ImageId { get; init; }
    /// <summary>The state of the scan.</summary>
    public ImageScanStatus? ImageScanStatus { get; init; }
    /// <summary>The findings (once the scan is complete).</summary>
    public ImageScanFindings? ImageScanFindings { get; init; }
}

/// <summary>A repository's lifecycle policy as GetLifecyclePolicy and PutLifecyclePolicy return it.</summary>
public sealed record EcrLifecyclePolicyText
{
    /// <summary>The repository.</summary>
    public string? RepositoryName { get; init; }
    /// <summary>The policy JSON as stored (another tool may have written it with other spacing or member order: compare normal forms).</summary>
    public required string LifecyclePolicyText { get; init; }
    /// <summary>When ECR last applied the policy (GetLifecyclePolicy only).</summary>
    public DateTimeOffset? LastEvaluatedAt { get; init; }
}

/// <summary>Identifies an image by digest, tag or both.</summary>
public sealed record ImageIdentifier(string? ImageDigest = null, string? ImageTag = null);

/// <summary>An image description from DescribeImages.</summary>
public sealed record EcrImageDetail
{
    /// <summary>The repository.</summary>
    public required string RepositoryName { get; init; }
    /// <summary>The manifest digest.</summary>
    public required string ImageDigest { get; init; }
    /// <summary>Its tags.</summary>
    public IReadOnlyList<string> ImageTags { get; init; } = [];
    /// <summary>When it was pushed.</summary>
    public DateTimeOffset? ImagePushedAt { get; init; }
    /// <summary>The compressed size in bytes.</summary>
    public long? ImageSizeInBytes { get; init; }
    /// <summary>The manifest media type.</summary>
    public string? ImageManifestMediaType { get; init; }
}

/// <summary>An image with its manifest, from BatchGetImage or PutImage.</summary>
public sealed record EcrImage
{
    /// <summary>The repository.</summary>
    public required string RepositoryName { get; init; }
    /// <summary>Digest and tag.</summary>
    public required ImageIdentifier ImageId { get; init; }
    /// <summary>The manifest JSON.</summary>
    public required string ImageManifest { get; init; }
    /// <summary>The manifest media type.</summary>
    public string? ImageManifestMediaType { get; init; }
}

/// <summary>A per-image failure of a batch call.</summary>
public sealed record EcrImageFailure(ImageIdentifier? ImageId, string? FailureCode, string? FailureReason);

/// <summary>Answer of GetAuthorizationToken: base64 of <c>AWS:password</c>, for the registry at ProxyEndpoint.</summary>
public sealed record EcrAuthorizationData(string AuthorizationToken, DateTimeOffset ExpiresAt, string ProxyEndpoint);

/// <summary>Answer of BatchGetImage.</summary>
public sealed record BatchGetImageResponse(IReadOnlyList<EcrImage> Images, IReadOnlyList<EcrImageFailure> Failures);

/// <summary>Request of PutImage.</summary>
public sealed record PutImageRequest(string RepositoryName, string ImageManifest, string? ImageManifestMediaType, string? ImageTag, string? ImageDigest);

// ELBv2 (Query protocol, PascalCase)

/// <summary>An Application or Network Load Balancer.</summary>
public sealed record LoadBalancer
{
    /// <summary>The ARN.</summary>
    public required string LoadBalancerArn { get; init; }
    /// <summary>The name.</summary>
    public required string LoadBalancerName { get; init; }
    /// <summary>The public DNS name.</summary>
    public required string DNSName { get; init; }
    /// <summary>internet-facing or internal.</summary>
    public string? Scheme { get; init; }
    /// <summary>application, network or gateway.</summary>
    public string? Type { get; init; }
    /// <summary>active, provisioning, ...</summary>
    public string? State { get; init; }
}

/// <summary>A target group.</summary>
public sealed record TargetGroup
{
    /// <summary>The ARN.</summary>
    public required string TargetGroupArn { get; init; }
    /// <summary>The name.</summary>
    public required string TargetGroupName { get; init; }
    /// <summary>The load balancers that route to it.</summary>
    public IReadOnlyList<string> LoadBalancerArns { get; init; } = [];
    /// <summary>The health check path.</summary>
    public string? HealthCheckPath { get; init; }
    /// <summary>Seconds between health checks of a target (ALB default 30).</summary>
    public int? HealthCheckIntervalSeconds { get; init; }
    /// <summary>Seconds after which a check without answer fails (ALB default 5).</summary>
    public int? HealthCheckTimeoutSeconds { get; init; }
    /// <summary>Consecutive passing checks before an unhealthy or new target is healthy (ALB default 5).</summary>
    public int? HealthyThresholdCount { get; init; }
    /// <summary>Consecutive failing checks before a target is unhealthy (ALB default 2).</summary>
    public int? UnhealthyThresholdCount { get; init; }
}

/// <summary>One page of DescribeLoadBalancers.</summary>
public sealed record DescribeLoadBalancersResponse(IReadOnlyList<LoadBalancer> LoadBalancers, string? NextMarker);

/// <summary>One page of DescribeTargetGroups.</summary>
public sealed record DescribeTargetGroupsResponse(IReadOnlyList<TargetGroup> TargetGroups, string? NextMarker);

// Secrets Manager (PascalCase)

/// <summary>Metadata of a secret, never its value.</summary>
public sealed record SecretDescription(string ARN, string Name);

/// <summary>A secret's value. Kept out of every log and report by the pipeline's masker.</summary>
public sealed record SecretValue(string ARN, string Name, string? SecretString)
{
    /// <summary>Never prints the value.</summary>
    public override string ToString() => $"SecretValue {{ ARN = {ARN}, Name = {Name}, SecretString = *** }}";
}

// CloudWatch Logs (camelCase)

/// <summary>A log event.</summary>
public sealed record OutputLogEvent(DateTimeOffset Timestamp, string Message);

/// <summary>Request of GetLogEvents.</summary>
public sealed record GetLogEventsRequest(string LogGroupName, string LogStreamName, int? Limit = null, bool StartFromHead = false, string? NextToken = null);

/// <summary>Answer of GetLogEvents.</summary>
public sealed record GetLogEventsResponse(IReadOnlyList<OutputLogEvent> Events, string? NextForwardToken, string? NextBackwardToken);

// Terraform

/// <summary>One Terraform output, as <c>terraform output -json</c> prints it.</summary>
public sealed record TerraformOutput(JsonElement Value, bool Sensitive);

// OCI distribution

/// <summary>A manifest read from a registry, with the digest of its exact bytes.</summary>
public sealed record RegistryManifest(string MediaType, ReadOnlyMemory<byte> Content, string Digest);
