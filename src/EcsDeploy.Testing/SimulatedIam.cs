using System.Text.RegularExpressions;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>
/// Simulated IAM: roles with their trust policies, read with GetRole as IAM answers it. Roles are global, so their
/// ARNs carry no region (<c>arn:aws:iam::ACCOUNT:role/NAME</c>).
/// </summary>
public sealed partial class SimulatedIam : IIamApi
{
    /// <summary>The trust policy ECS task and execution roles need: ecs-tasks.amazonaws.com may assume the role.</summary>
    public const string EcsTasksTrustPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    /// <summary>A trust policy for EC2 instances only: ECS tasks cannot assume a role that has it.</summary>
    public const string Ec2TrustPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    private readonly SimulatedAws _aws;
    private readonly Dictionary<string, IamRole> _roles = new(StringComparer.Ordinal);

    internal SimulatedIam(SimulatedAws aws) => _aws = aws;

    /// <summary>Creates (or replaces) a role with <paramref name="trustPolicy"/> (default: trusts ecs-tasks.amazonaws.com); returns its ARN.</summary>
    public string CreateRole(string roleName, string? trustPolicy = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(roleName);
        if (!RoleName().IsMatch(roleName))
        {
            throw new ArgumentException($"'{roleName}' is not an IAM role name (1-64 of letters, digits and _+=,.@-).", nameof(roleName));
        }
        lock (_aws.Gate)
        {
            var id = "AROA" + Convert.ToHexString(BitConverter.GetBytes(_aws.Random.NextInt64()))[..16];
            var role = new IamRole
            {
                RoleName = roleName,
                Arn = $"arn:aws:iam::{_aws.AccountId}:role/{roleName}",
                RoleId = id,
                AssumeRolePolicyDocument = trustPolicy ?? EcsTasksTrustPolicy,
            };
            _roles[roleName] = role;
            return role.Arn;
        }
    }

    /// <summary>Replaces a role's trust policy (as <c>iam update-assume-role-policy</c>); false when there is no such role.</summary>
    public bool SetTrustPolicy(string roleName, string trustPolicy)
    {
        ArgumentException.ThrowIfNullOrEmpty(trustPolicy);
        lock (_aws.Gate)
        {
            if (!_roles.TryGetValue(roleName, out var role))
            {
                return false;
            }
            _roles[roleName] = role with { AssumeRolePolicyDocument = trustPolicy };
            return true;
        }
    }

    /// <summary>Replaces the trust policy of every role whose name matches <paramref name="roleName"/>.</summary>
    internal void ReplaceTrust(Func<string, bool> roleName, string trustPolicy)
    {
        lock (_aws.Gate)
        {
            foreach (var name in _roles.Keys.Where(roleName).ToList())
            {
                _roles[name] = _roles[name] with { AssumeRolePolicyDocument = trustPolicy };
            }
        }
    }

    /// <summary>Deletes a role; returns whether it existed.</summary>
    public bool DeleteRole(string roleName)
    {
        lock (_aws.Gate) { return _roles.Remove(roleName); }
    }

    /// <summary>Whether a role of that name exists.</summary>
    public bool RoleExists(string roleName)
    {
        lock (_aws.Gate) { return _roles.ContainsKey(roleName); }
    }

    /// <summary>The name of the role an ARN names (<c>arn:aws:iam::1:role/path/NAME</c> gives NAME), or null when it names no role.</summary>
    public static string? RoleNameOf(string? roleArn)
    {
        if (roleArn is null || !roleArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return null;
        }
        var marker = roleArn.IndexOf(":role/", StringComparison.Ordinal);
        return marker < 0 ? null : roleArn[(roleArn.LastIndexOf('/') + 1)..];
    }

    /// <summary>Whether ECS tasks can assume the role <paramref name="roleArn"/> names (it exists and trusts ecs-tasks.amazonaws.com).</summary>
    internal bool EcsTasksCanAssume(string roleArn)
    {
        var name = RoleNameOf(roleArn);
        lock (_aws.Gate)
        {
            return name is not null && _roles.TryGetValue(name, out var role) && IamTrustPolicy.Trusts(role.AssumeRolePolicyDocument, IamTrustPolicy.EcsTasksPrincipal);
        }
    }

    /// <inheritdoc />
    public Task<IamRole> GetRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        _aws.Enter("IAM", "GetRole");
        lock (_aws.Gate)
        {
            if (string.IsNullOrEmpty(roleName) || !RoleName().IsMatch(roleName))
            {
                throw new AwsServiceException("IAM", "GetRole", "ValidationError", $"1 validation error detected: Value '{roleName}' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", 400, _aws.NewRequestId());
            }
            return _roles.TryGetValue(roleName, out var role)
                ? Task.FromResult(role)
                : throw new AwsServiceException("IAM", "GetRole", "NoSuchEntity", $"The role with name {roleName} cannot be found.", 404, _aws.NewRequestId());
        }
    }

    [GeneratedRegex(@"^[\w+=,.@-]{1,64}$", RegexOptions.None, 1000)]
    private static partial Regex RoleName();
}
