namespace EcsDeploy.Aws;

// The narrow ports through which the pipeline talks to AWS: one per service, named after the API's own
// operations. Two families implement them: the wire clients (real AWS) and EcsDeploy.Testing (simulated AWS).
// AwsEnvironment.Create wraps every port in its retrying decorator (Aws/Retries/Retrying*.cs) so that both
// families share one retry policy: a new operation here needs its one line there too.

/// <summary>Amazon ECS operations the pipeline uses.</summary>
public interface IEcsApi
{
    /// <summary>DescribeServices.</summary>
    Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken);
    /// <summary>TagResource (idempotent: the same tags again change nothing).</summary>
    Task TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken);
    /// <summary>UntagResource (idempotent: a key already gone is ignored).</summary>
    Task UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken);
    /// <summary>DescribeTaskDefinition.</summary>
    Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken);
    /// <summary>ListTaskDefinitions (one page).</summary>
    Task<ListTaskDefinitionsResponse> ListTaskDefinitionsAsync(ListTaskDefinitionsRequest request, CancellationToken cancellationToken);
    /// <summary>RegisterTaskDefinition. Not idempotent: a blind retry could register two revisions.</summary>
    [NotIdempotent]
    Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken);
    /// <summary>UpdateService.</summary>
    Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken);
    /// <summary>RunTask. Safe to retry only with a ClientToken.</summary>
    Task<RunTaskResponse> RunTaskAsync(RunTaskRequest request, CancellationToken cancellationToken);
    /// <summary>DescribeTasks (at most 100 tasks).</summary>
    Task<DescribeTasksResponse> DescribeTasksAsync(DescribeTasksRequest request, CancellationToken cancellationToken);
    /// <summary>ListTasks (one page).</summary>
    Task<ListTasksResponse> ListTasksAsync(ListTasksRequest request, CancellationToken cancellationToken);
    /// <summary>StopTask (idempotent: stopping a stopped task answers it again).</summary>
    Task<StopTaskResponse> StopTaskAsync(StopTaskRequest request, CancellationToken cancellationToken);
    /// <summary>DeregisterTaskDefinition (idempotent: an INACTIVE revision stays INACTIVE).</summary>
    Task<DeregisterTaskDefinitionResponse> DeregisterTaskDefinitionAsync(DeregisterTaskDefinitionRequest request, CancellationToken cancellationToken);
    /// <summary>DeleteTaskDefinitions of INACTIVE revisions (at most 10; idempotent: a revision being deleted stays so).</summary>
    Task<DeleteTaskDefinitionsResponse> DeleteTaskDefinitionsAsync(DeleteTaskDefinitionsRequest request, CancellationToken cancellationToken);
    /// <summary>DescribeServiceDeployments (at most 20 ARNs): status, source and target revisions, rollback and breaker.</summary>
    Task<DescribeServiceDeploymentsResponse> DescribeServiceDeploymentsAsync(DescribeServiceDeploymentsRequest request, CancellationToken cancellationToken);
    /// <summary>ListServiceDeployments (one page, newest first), filtered by status and creation time.</summary>
    Task<ListServiceDeploymentsResponse> ListServiceDeploymentsAsync(ListServiceDeploymentsRequest request, CancellationToken cancellationToken);
    /// <summary>DescribeServiceRevisions (at most 20 ARNs): what a revision a service deployment names ran (its task definition).</summary>
    Task<DescribeServiceRevisionsResponse> DescribeServiceRevisionsAsync(DescribeServiceRevisionsRequest request, CancellationToken cancellationToken);
    /// <summary>ContinueServiceDeployment: resumes or rolls back a deployment paused at a PAUSE hook. Not idempotent: a re-send finds the hook no longer paused.</summary>
    [NotIdempotent]
    Task<ContinueServiceDeploymentResponse> ContinueServiceDeploymentAsync(ContinueServiceDeploymentRequest request, CancellationToken cancellationToken);
    /// <summary>StopServiceDeployment (ROLLBACK or ABORT). Not idempotent: a re-send finds the deployment already stopping.</summary>
    [NotIdempotent]
    Task<StopServiceDeploymentResponse> StopServiceDeploymentAsync(StopServiceDeploymentRequest request, CancellationToken cancellationToken);
}

/// <summary>Amazon ECR API operations the pipeline uses.</summary>
public interface IEcrApi
{
    /// <summary>DescribeRepositories for the given names; a missing one raises RepositoryNotFoundException.</summary>
    Task<IReadOnlyList<EcrRepository>> DescribeRepositoriesAsync(IReadOnlyList<string> repositoryNames, CancellationToken cancellationToken);
    /// <summary>GetAuthorizationToken.</summary>
    Task<EcrAuthorizationData> GetAuthorizationTokenAsync(CancellationToken cancellationToken);
    /// <summary>DescribeImages for the given ids (all images when empty).</summary>
    Task<IReadOnlyList<EcrImageDetail>> DescribeImagesAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken);
    /// <summary>BatchGetImage.</summary>
    Task<BatchGetImageResponse> BatchGetImageAsync(string repositoryName, IReadOnlyList<ImageIdentifier> imageIds, CancellationToken cancellationToken);
    /// <summary>PutImage: adds a tag to a manifest the registry holds, without moving any blob.</summary>
    Task<EcrImage> PutImageAsync(PutImageRequest request, CancellationToken cancellationToken);
    /// <summary>PutImageScanningConfiguration: turns scan on push on or off (idempotent).</summary>
    Task<ImageScanningConfiguration> PutImageScanningConfigurationAsync(string repositoryName, ImageScanningConfiguration configuration, CancellationToken cancellationToken);
    /// <summary>
    /// DescribeImageScanFindings (first page: the severity counts cover the whole scan). Raises ScanNotFoundException
    /// when no scan of the image exists (yet), ImageNotFoundException when the image is not in the repository.
    /// </summary>
    Task<ImageScanFindingsResult> DescribeImageScanFindingsAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken);
    /// <summary>
    /// StartImageScan (basic scanning: once per image per 24 hours, LimitExceededException after that). Not idempotent:
    /// a blind re-send would be refused by that quota.
    /// </summary>
    [NotIdempotent]
    Task<ImageScanStatus> StartImageScanAsync(string repositoryName, ImageIdentifier imageId, CancellationToken cancellationToken);
    /// <summary>GetLifecyclePolicy; raises LifecyclePolicyNotFoundException when the repository has none.</summary>
    Task<EcrLifecyclePolicyText> GetLifecyclePolicyAsync(string repositoryName, CancellationToken cancellationToken);
    /// <summary>PutLifecyclePolicy: creates or replaces the repository's lifecycle policy (idempotent for the same text).</summary>
    Task<EcrLifecyclePolicyText> PutLifecyclePolicyAsync(string repositoryName, string lifecyclePolicyText, CancellationToken cancellationToken);
}

/// <summary>Elastic Load Balancing v2 operations the pipeline uses.</summary>
public interface IElbv2Api
{
    /// <summary>DescribeLoadBalancers (one page; all when both filters are empty).</summary>
    Task<DescribeLoadBalancersResponse> DescribeLoadBalancersAsync(IReadOnlyList<string>? names, IReadOnlyList<string>? loadBalancerArns, string? marker, CancellationToken cancellationToken);
    /// <summary>DescribeTargetGroups by ARN (one page).</summary>
    Task<DescribeTargetGroupsResponse> DescribeTargetGroupsAsync(IReadOnlyList<string> targetGroupArns, string? marker, CancellationToken cancellationToken);
    /// <summary>DescribeTargetGroupAttributes: the target group's attributes by key (for example <c>deregistration_delay.timeout_seconds</c>).</summary>
    Task<IReadOnlyDictionary<string, string>> DescribeTargetGroupAttributesAsync(string targetGroupArn, CancellationToken cancellationToken);
}

/// <summary>AWS Secrets Manager operations the pipeline uses.</summary>
public interface ISecretsManagerApi
{
    /// <summary>DescribeSecret: the ARN and name, never the value.</summary>
    Task<SecretDescription> DescribeSecretAsync(string secretId, CancellationToken cancellationToken);
    /// <summary>GetSecretValue: only for stages that run a command here (local migrations).</summary>
    Task<SecretValue> GetSecretValueAsync(string secretId, CancellationToken cancellationToken);
}

/// <summary>Amazon CloudWatch Logs operations the pipeline uses.</summary>
public interface ICloudWatchLogsApi
{
    /// <summary>GetLogEvents.</summary>
    Task<GetLogEventsResponse> GetLogEventsAsync(GetLogEventsRequest request, CancellationToken cancellationToken);
    /// <summary>DescribeLogGroups (one page).</summary>
    Task<DescribeLogGroupsResponse> DescribeLogGroupsAsync(DescribeLogGroupsRequest request, CancellationToken cancellationToken);
    /// <summary>PutRetentionPolicy (idempotent: setting the same period again changes nothing).</summary>
    Task PutRetentionPolicyAsync(PutRetentionPolicyRequest request, CancellationToken cancellationToken);
}

/// <summary>An OCI distribution (registry HTTP API v2) client for one registry.</summary>
public interface IImageRegistry
{
    /// <summary>The registry host, for example <c>123456789012.dkr.ecr.eu-central-1.amazonaws.com</c>.</summary>
    string Host { get; }
    /// <summary>HEAD /v2/NAME/blobs/DIGEST.</summary>
    Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken);
    /// <summary>Uploads a blob and verifies that the registry stored it under <paramref name="digest"/>.</summary>
    Task PushBlobAsync(string repository, string digest, Stream content, long length, CancellationToken cancellationToken);
    /// <summary>PUT /v2/NAME/manifests/REFERENCE; returns the manifest digest.</summary>
    Task<string> PutManifestAsync(string repository, string reference, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);
    /// <summary>GET /v2/NAME/manifests/REFERENCE, or null when it does not exist.</summary>
    Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken);
    /// <summary>
    /// Mounts a blob of <paramref name="fromRepository"/> (same registry) into <paramref name="repository"/> without moving
    /// its bytes; false when the registry declined or cannot mount (the default), and the caller then uploads.
    /// </summary>
    Task<bool> MountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken) => Task.FromResult(false);
    /// <summary>
    /// GET /v2/NAME/blobs/DIGEST into <paramref name="destination"/>; returns its length. A registry client that cannot
    /// read blobs answers <see cref="NotSupportedException"/> (the default), and what needs the blob says so.
    /// </summary>
    Task<long> GetBlobAsync(string repository, string digest, Stream destination, CancellationToken cancellationToken)
        => Task.FromException<long>(new NotSupportedException($"The registry client {GetType().Name} cannot read blobs."));
}

/// <summary>Reads Terraform outputs (from a state file, remote state, or the terraform binary).</summary>
public interface ITerraformOutputs
{
    /// <summary>Where the outputs come from, for messages (for example <c>terraform state file infra/terraform.tfstate</c>).</summary>
    string Source { get; }
    /// <summary>All outputs, or null when the source is not there at all.</summary>
    Task<IReadOnlyDictionary<string, TerraformOutput>?> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>Marks a port operation that must not be blindly re-sent after an ambiguous failure.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NotIdempotentAttribute : Attribute;
