using EcsDeploy.Aws;

namespace EcsDeploy.Secrets;

/// <summary>
/// Resolves the Secrets Manager references a container is given (name or ARN) to the ARNs ECS injects, with read-only
/// calls that never read a value. Reached through <see cref="PipelineContext.Secrets"/>.
/// </summary>
public sealed class SecretReferenceService
{
    private readonly PipelineContext _context;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<string?>>> _arns = new(StringComparer.Ordinal);

    internal SecretReferenceService(PipelineContext context) => _context = context;

    /// <summary>
    /// DescribeSecret for each reference (variable name, secret id); every missing secret is reported at once as
    /// <see cref="FailureKind.Invalid"/>, before anything changes.
    /// </summary>
    public async Task<IReadOnlyList<EcsSecret>> ResolveAsync(IEnumerable<KeyValuePair<string, string>> references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(references);
        // Independent reads: side by side, each secret id at most once a run (its ARN does not change under a run).
        var lookups = references.Select(r => (Name: r.Key, Id: r.Value, Arn: ArnAsync(r.Value, cancellationToken))).ToList();
        await Task.WhenAll(lookups.Select(l => l.Arn)).ConfigureAwait(false);
        var secrets = new List<EcsSecret>();
        var missing = new List<string>();
        foreach (var (name, secretId, arn) in lookups)
        {
            if (await arn.ConfigureAwait(false) is { } found)
            {
                secrets.Add(new EcsSecret(name, found));
            }
            else
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

    /// <summary>The secret's ARN, or null when Secrets Manager has no such secret; asked once per secret id and run.</summary>
    private Task<string?> ArnAsync(string secretId, CancellationToken cancellationToken)
        => _arns.GetOrAdd(secretId, id => new Lazy<Task<string?>>(async () =>
        {
            try
            {
                return (await _context.Aws.SecretsManager.DescribeSecretAsync(id, cancellationToken).ConfigureAwait(false)).ARN;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
            {
                return null;
            }
        })).Value;
}
