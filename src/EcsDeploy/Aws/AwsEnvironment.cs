using EcsDeploy.Aws.Retries;

namespace EcsDeploy.Aws;

/// <summary>
/// Everything a pipeline run talks to: the AWS ports, the image registry, Terraform outputs, the HTTP
/// handler used to verify the deployed services, and the clock. Built by a deployment target
/// (the simulated AWS for <c>--target local</c>, the wire clients for <c>--target aws</c>).
/// </summary>
public sealed class AwsEnvironment
{
    /// <summary>The AWS region.</summary>
    public required string Region { get; init; }
    /// <summary>Amazon ECS.</summary>
    public required IEcsApi Ecs { get; init; }
    /// <summary>Amazon ECR's API.</summary>
    public required IEcrApi Ecr { get; init; }
    /// <summary>Elastic Load Balancing v2.</summary>
    public required IElbv2Api Elbv2 { get; init; }
    /// <summary>AWS Secrets Manager.</summary>
    public required ISecretsManagerApi SecretsManager { get; init; }
    /// <summary>Amazon CloudWatch Logs.</summary>
    public required ICloudWatchLogsApi Logs { get; init; }
    /// <summary>IAM (read-only: the preflight reads the task's roles); null when the target has none, and the checks that need it are skipped.</summary>
    public IIamApi? Iam { get; init; }
    /// <summary>Amazon CloudWatch (read-only: the preflight reads the alarms a deployment names); null when the target has none, and the alarm checks are skipped.</summary>
    public ICloudWatchApi? CloudWatch { get; init; }
    /// <summary>Application Auto Scaling; null for an environment built without it (then nothing can be suspended or checked).</summary>
    public IApplicationAutoScalingApi? AutoScaling { get; init; }
    /// <summary>Opens the image registry that ECR names in GetAuthorizationToken.</summary>
    public required Func<CancellationToken, Task<IImageRegistry>> OpenRegistryAsync { get; init; }
    /// <summary>Terraform outputs, when a state source is configured or discovered; null otherwise.</summary>
    public ITerraformOutputs? Terraform { get; init; }
    /// <summary>The handler for HTTP checks of deployed services (/health, Ollama's /api/tags).</summary>
    public required HttpMessageHandler HttpHandler { get; init; }
    /// <summary>The clock for every wait and timestamp.</summary>
    public required TimeProvider TimeProvider { get; init; }
    /// <summary>The retry policy every port goes through.</summary>
    public required AwsRetryPolicy RetryPolicy { get; init; }
    /// <summary>A short description for reports, for example <c>simulated AWS</c>.</summary>
    public required string Description { get; init; }
    /// <summary>
    /// True for a local environment (the simulated AWS, or AWS endpoints on 127.0.0.1): its images never run on
    /// Fargate, and a run against it reaches nothing beyond 127.0.0.1 on its own (so base images on public
    /// registries are not fetched unless asked for).
    /// </summary>
    public bool IsLocal { get; init; }

    /// <summary>
    /// How many seconds pass on ECS's clock (the one it stamps events with) per second of <see cref="TimeProvider"/>:
    /// 1 on AWS; the speed of a local AWS host driven faster than wall time (its <c>ECSDEPLOY_AWS_CLOCK_SPEED</c>).
    /// The rollout follower predicts on ECS's clock and sleeps on ours.
    /// </summary>
    internal double EcsClockSpeed { get; set; } = 1;

    /// <summary>
    /// Builds an environment whose ports all go through one <see cref="AwsRetryPolicy"/>. Implementations pass
    /// raw ports; this is the single place retries are added. <paramref name="isLocal"/> sets <see cref="IsLocal"/>;
    /// <paramref name="iam"/> sets <see cref="Iam"/>; <paramref name="autoScaling"/> sets <see cref="AutoScaling"/>;
    /// <paramref name="cloudWatch"/> sets <see cref="CloudWatch"/>.
    /// </summary>
    public static AwsEnvironment Create(
        string region, IEcsApi ecs, IEcrApi ecr, IElbv2Api elbv2, ISecretsManagerApi secretsManager, ICloudWatchLogsApi logs,
        Func<CancellationToken, Task<IImageRegistry>> openRegistry, ITerraformOutputs? terraform, HttpMessageHandler httpHandler,
        TimeProvider timeProvider, string description, AwsRetryPolicy? retryPolicy = null, bool isLocal = false, IIamApi? iam = null, IApplicationAutoScalingApi? autoScaling = null,
        ICloudWatchApi? cloudWatch = null)
    {
        ArgumentNullException.ThrowIfNull(ecs);
        ArgumentNullException.ThrowIfNull(ecr);
        ArgumentNullException.ThrowIfNull(elbv2);
        ArgumentNullException.ThrowIfNull(secretsManager);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(openRegistry);
        var policy = retryPolicy ?? new AwsRetryPolicy(timeProvider);
        return new AwsEnvironment
        {
            Region = region,
            Ecs = new RetryingEcsApi(ecs, policy),
            Ecr = new RetryingEcrApi(ecr, policy),
            Elbv2 = new RetryingElbv2Api(elbv2, policy),
            SecretsManager = new RetryingSecretsManagerApi(secretsManager, policy),
            Logs = new RetryingCloudWatchLogsApi(logs, policy),
            Iam = iam is null ? null : new RetryingIamApi(iam, policy),
            AutoScaling = autoScaling is null ? null : new RetryingApplicationAutoScalingApi(autoScaling, policy),
            CloudWatch = cloudWatch is null ? null : new RetryingCloudWatchApi(cloudWatch, policy),
            OpenRegistryAsync = async ct => new RetryingImageRegistry(await openRegistry(ct).ConfigureAwait(false), policy),
            Terraform = terraform,
            HttpHandler = httpHandler,
            TimeProvider = timeProvider,
            RetryPolicy = policy,
            Description = description,
            IsLocal = isLocal,
        };
    }
}
