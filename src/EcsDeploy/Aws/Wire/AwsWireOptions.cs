using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using EcsDeploy.Aws.Retries;
using EcsDeploy.Images.Registry;
using EcsDeploy.Rules;

namespace EcsDeploy.Aws.Wire;

/// <summary>Settings of <see cref="AwsWireEnvironment.CreateAsync(AwsWireOptions, CancellationToken)"/>.</summary>
public sealed class AwsWireOptions
{
    /// <summary>The AWS region, for example <c>eu-central-1</c>.</summary>
    public required string Region { get; init; }
    /// <summary>The clock for waits and timestamps (default: the system clock).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    /// <summary>Terraform outputs, when a state source is configured.</summary>
    public ITerraformOutputs? Terraform { get; init; }
    /// <summary>Credentials to sign with; null resolves them once through AWSSDK.Core's default chain.</summary>
    public AWSCredentials? Credentials { get; init; }
    /// <summary>Reads environment variables for endpoint overrides (default: the process environment).</summary>
    public Func<string, string?>? Environment { get; init; }
    /// <summary>
    /// Opens the OCI registry client for the registry that ECR's GetAuthorizationToken names; null uses
    /// <see cref="EcrRegistry.CreateClient"/> (basic credentials from the token, ECR's upload settings).
    /// </summary>
    public Func<EcrAuthorizationData, CancellationToken, Task<IImageRegistry>>? OpenRegistry { get; init; }
    /// <summary>The retry policy (default: the standard mode on <see cref="TimeProvider"/>).</summary>
    public AwsRetryPolicy? RetryPolicy { get; init; }
    /// <summary>
    /// The handler AWS requests go through (a proxy, instrumentation); it must not follow redirects, since a
    /// followed redirect is not re-signed. Null uses a <see cref="SocketsHttpHandler"/> without automatic redirects.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }
    /// <summary>The timeout of one HTTP attempt (default 60 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
