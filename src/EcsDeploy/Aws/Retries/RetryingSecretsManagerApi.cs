namespace EcsDeploy.Aws.Retries;

/// <summary>
/// <see cref="ISecretsManagerApi"/> with every operation sent through the environment's <see cref="AwsRetryPolicy"/>.
/// To add an operation: one line that names it as the API does and says whether a blind re-send is safe.
/// </summary>
internal sealed class RetryingSecretsManagerApi(ISecretsManagerApi inner, AwsRetryPolicy policy) : ISecretsManagerApi
{
    public Task<SecretDescription> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeSecret", idempotent: true, ct => inner.DescribeSecretAsync(secretId, ct), cancellationToken);

    public Task<SecretValue> GetSecretValueAsync(string secretId, CancellationToken cancellationToken)
        => policy.ExecuteAsync("GetSecretValue", idempotent: true, ct => inner.GetSecretValueAsync(secretId, ct), cancellationToken);
}
