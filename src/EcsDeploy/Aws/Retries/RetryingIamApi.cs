namespace EcsDeploy.Aws.Retries;

/// <summary><see cref="IIamApi"/> with every operation sent through the environment's <see cref="AwsRetryPolicy"/>.</summary>
internal sealed class RetryingIamApi(IIamApi inner, AwsRetryPolicy policy) : IIamApi
{
    public Task<IamRole> GetRoleAsync(string roleName, CancellationToken cancellationToken)
        => policy.ExecuteAsync("GetRole", idempotent: true, ct => inner.GetRoleAsync(roleName, ct), cancellationToken);
}
