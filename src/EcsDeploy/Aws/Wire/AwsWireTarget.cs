using EcsDeploy.Discovery;
using EcsDeploy.Hosting;
using EcsDeploy.Processes;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// The scripts' <c>--target aws</c>: the wire clients in the pipeline's region, credentials from the default
/// chain, endpoints from <c>AWS_ENDPOINT_URL</c> / <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>. Terraform outputs come
/// from the pipeline's state file (an <c>s3://bucket/key</c> path reads S3 remote state) or its project folder;
/// images go to ECR's registry through <see cref="Images.Registry.OciRegistryClient"/>. Every
/// <see cref="PipelineHost"/> registers one under <c>aws</c>. No credentials found: <see cref="FailureKind.Invalid"/>
/// (exit 2), before any call.
/// </summary>
public sealed class AwsWireTarget : IDeploymentTarget
{
    /// <summary>
    /// Opens the OCI registry client from ECR's authorization data. Null (the default) uses
    /// <see cref="Images.Registry.EcrRegistry.CreateClient"/> with one HttpClient shared by every client opened.
    /// </summary>
    public Func<EcrAuthorizationData, CancellationToken, Task<IImageRegistry>>? OpenRegistry { get; init; }

    /// <inheritdoc />
    public async Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Fault is not null)
        {
            throw new PipelineStageException($"--fault {options.Fault} only applies to --target local.", FailureKind.Invalid);
        }
        var credentials = await AwsWireEnvironment.ResolveCredentialsAsync(cancellationToken).ConfigureAwait(false);
        return await AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = definition.Region,
            Credentials = credentials,
            Terraform = TerraformFor(definition.Terraform, definition.Region, credentials),
            OpenRegistry = OpenRegistry,
        }, cancellationToken).ConfigureAwait(false);
    }

    internal static ITerraformOutputs? TerraformFor(TerraformSettings settings, string region, Amazon.Runtime.AWSCredentials credentials, Func<string, string?>? environment = null)
    {
        if (settings.StateFilePath is { } path)
        {
            if (path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            {
                var location = path["s3://".Length..];
                var slash = location.IndexOf('/', StringComparison.Ordinal);
                if (slash <= 0 || slash == location.Length - 1)
                {
                    throw new PipelineStageException($"Terraform state '{path}' is not s3://BUCKET/KEY.", FailureKind.Invalid);
                }
                return new S3TerraformState(location[..slash], location[(slash + 1)..], region, credentials, environment);
            }
            return new TerraformStateFile(path);
        }
        return settings.ProjectDirectory is { } directory ? new TerraformCommandOutputs(directory, new ProcessRunner()) : null;
    }
}
