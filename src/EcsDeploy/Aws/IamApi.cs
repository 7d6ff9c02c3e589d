namespace EcsDeploy.Aws;

/// <summary>
/// AWS Identity and Access Management operations the pipeline uses (read-only). IAM is a global service: its wire
/// client signs for us-east-1 and talks to the global endpoint, whatever the pipeline's region.
/// </summary>
public interface IIamApi
{
    /// <summary>
    /// GetRole: the role and its trust policy (URL-decoded JSON). A role that does not exist raises
    /// <see cref="AwsServiceException"/> with error code <c>NoSuchEntity</c>.
    /// </summary>
    Task<IamRole> GetRoleAsync(string roleName, CancellationToken cancellationToken);
}

/// <summary>An IAM role as GetRole answers it.</summary>
public sealed record IamRole
{
    /// <summary>The role name.</summary>
    public required string RoleName { get; init; }
    /// <summary>The role's ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>The role's path (<c>/</c> by default).</summary>
    public string Path { get; init; } = "/";
    /// <summary>The role's stable id.</summary>
    public string? RoleId { get; init; }
    /// <summary>The trust policy (who may assume the role) as JSON text, already URL-decoded; null when absent.</summary>
    public string? AssumeRolePolicyDocument { get; init; }
}
