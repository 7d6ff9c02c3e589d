using EcsDeploy.Aws;

namespace EcsDeploy.Secrets;

/// <summary>
/// Resolves the Secrets Manager references a container is given (name or ARN) to the ARNs ECS injects, with read-only
/// calls that never read a value. Reached through <see cref="PipelineContext.Secrets"/>.
/// </summary>
public sealed class SecretReferenceService
{
    private readonly PipelineContext _context;

    internal SecretReferenceService(PipelineContext context) => _context = context;

    /// <summary>
    /// DescribeSecret for each reference (variable name, secret id); every missing secret is reported at once as
    /// <see cref="FailureKind.Invalid"/>, before anything changes.
    /// </summary>
    public async Task<IReadOnlyList<EcsSecret>> ResolveAsync(IEnumerable<KeyValuePair<string, string>> references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(references);
        var secrets = new List<EcsSecret>();
        var missing = new List<string>();
        foreach (var (name, secretId) in references)
        {
            try
            {
                var secret = await _context.Aws.SecretsManager.DescribeSecretAsync(secretId, cancellationToken).ConfigureAwait(false);
                secrets.Add(new EcsSecret(name, secret.ARN));
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
            {
                missing.Add($"{name} -> {secretId}");
            }
        }
        if (missing.Count > 0)
        {
            throw new PipelineStageException($"Secrets Manager has no secret for {string.Join(", ", missing)}: create them (aws secretsmanager create-secret --name ...) or fix d.Secret(...).", FailureKind.Invalid);
        }
        return secrets;
    }
}
