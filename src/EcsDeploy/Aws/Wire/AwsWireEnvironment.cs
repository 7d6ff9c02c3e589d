using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using EcsDeploy.Aws.Retries;
using EcsDeploy.Images.Registry;
using EcsDeploy.Rules;

namespace EcsDeploy.Aws.Wire;

/// <summary>Builds an <see cref="AwsEnvironment"/> on real AWS (or an emulator) from the wire clients.</summary>
public static class AwsWireEnvironment
{
    /// <summary>Builds the environment with credentials from the default chain and endpoints from the process environment.</summary>
    /// <param name="region">The AWS region.</param>
    /// <param name="time">The clock.</param>
    /// <param name="terraform">Terraform outputs, if any.</param>
    /// <param name="cancellationToken">Cancels credential resolution.</param>
    public static Task<AwsEnvironment> CreateAsync(string region, TimeProvider time, ITerraformOutputs? terraform, CancellationToken cancellationToken)
        => CreateAsync(new AwsWireOptions { Region = region, TimeProvider = time, Terraform = terraform }, cancellationToken);

    /// <summary>Builds the environment, with the OCI registry client factory for ECR's registry.</summary>
    /// <param name="region">The AWS region.</param>
    /// <param name="time">The clock.</param>
    /// <param name="terraform">Terraform outputs, if any.</param>
    /// <param name="openRegistry">Opens the registry client from ECR's authorization data.</param>
    /// <param name="cancellationToken">Cancels credential resolution.</param>
    public static Task<AwsEnvironment> CreateAsync(string region, TimeProvider time, ITerraformOutputs? terraform,
        Func<EcrAuthorizationData, CancellationToken, Task<IImageRegistry>>? openRegistry, CancellationToken cancellationToken)
        => CreateAsync(new AwsWireOptions { Region = region, TimeProvider = time, Terraform = terraform, OpenRegistry = openRegistry }, cancellationToken);

    /// <summary>Builds the environment from <paramref name="options"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="cancellationToken">Cancels credential resolution.</param>
    public static async Task<AwsEnvironment> CreateAsync(AwsWireOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problem = AwsNamingRules.Check(AwsNameKind.Region, options.Region);
        if (problem is not null)
        {
            throw new PipelineStageException(problem, FailureKind.Invalid);
        }
        var credentials = options.Credentials ?? await ResolveCredentialsAsync(cancellationToken).ConfigureAwait(false);

        // One HttpClient for every service. Redirects are not followed: a followed redirect would not be re-signed.
        var handler = options.HttpHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var http = new HttpClient(handler, disposeHandler: options.HttpHandler is null) { Timeout = options.RequestTimeout };
        var transport = new AwsWireTransport(http, credentials, options.Region, options.Environment);

        var policy = options.RetryPolicy ?? new AwsRetryPolicy(options.TimeProvider);
        var ecr = new EcrWireClient(transport);
        var retryingEcr = new RetryingEcrApi(ecr, policy);
        var openRegistry = options.OpenRegistry ?? DefaultRegistryOpener();
        var environment = AwsEnvironment.Create(
            options.Region,
            new EcsWireClient(transport),
            ecr,
            new Elbv2WireClient(transport),
            new SecretsManagerWireClient(transport),
            new CloudWatchLogsWireClient(transport),
            async ct =>
            {
                var authorization = await retryingEcr.GetAuthorizationTokenAsync(ct).ConfigureAwait(false);
                return await openRegistry(authorization, ct).ConfigureAwait(false);
            },
            options.Terraform,
            new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
            options.TimeProvider,
            $"AWS {options.Region}",
            policy,
            isLocal: transport.EndpointFor(AwsWireService.Ecr).IsLoopback,
            iam: new IamWireClient(transport),
            autoScaling: new ApplicationAutoScalingWireClient(transport),
            cloudWatch: new CloudWatchWireClient(transport));
        // A local AWS host driven faster than wall time says how much faster; a run on its own clock (a scaled
        // TimeProvider that ticks with the host's) already runs at ECS's pace.
        if (ReferenceEquals(options.TimeProvider, TimeProvider.System)
            && double.TryParse((options.Environment ?? Environment.GetEnvironmentVariable)(ClockSpeedVariable), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var speed)
            && speed > 0 && double.IsFinite(speed))
        {
            environment.EcsClockSpeed = speed;
        }
        return environment;
    }

    /// <summary>The variable a local AWS host sets to its speed: its clock's seconds per wall second.</summary>
    internal const string ClockSpeedVariable = "ECSDEPLOY_AWS_CLOCK_SPEED";

    /// <summary>ECR's registry through <see cref="OciRegistryClient"/>; every client opened shares one HttpClient.</summary>
    private static Func<EcrAuthorizationData, CancellationToken, Task<IImageRegistry>> DefaultRegistryOpener()
    {
        var registryOptions = EcrRegistry.DefaultOptions();
        // Registries redirect blob reads to storage (S3 for ECR): follow them. The timeout is the registry options'.
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = registryOptions.RequestTimeout,
        };
        return (authorization, _) => Task.FromResult<IImageRegistry>(EcrRegistry.CreateClient(authorization, http, registryOptions));
    }

    /// <summary>Resolves credentials once through AWSSDK.Core's default chain (environment, profiles and SSO, web identity, container, instance metadata).</summary>
    /// <param name="cancellationToken">Cancels resolution (instance metadata can take seconds to answer).</param>
    public static async Task<AWSCredentials> ResolveCredentialsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await new DefaultAWSCredentialsIdentityResolver().ResolveIdentityAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonClientException ex)
        {
            throw new PipelineStageException(
                "No AWS credentials were found (environment variables, shared profile or SSO, web identity, container or instance role). " +
                "Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure an OIDC role in CI. " + ex.Message,
                FailureKind.Invalid, ex);
        }
    }
}
