namespace EcsDeploy.Aws.Wire;

/// <summary>
/// IAM over the Query protocol (API version 2010-05-08, XML answers), on the global endpoint and signed for
/// us-east-1. Policy documents come URL-encoded (RFC 3986) and are decoded here.
/// </summary>
/// <param name="transport">The shared HTTP core.</param>
internal sealed class IamWireClient(AwsWireTransport transport) : IIamApi
{
    private static readonly AwsWireService Service = AwsWireService.Iam;

    /// <inheritdoc />
    public async Task<IamRole> GetRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(roleName);
        var result = await transport.QueryAsync(Service, "GetRole", [new("RoleName", roleName)], cancellationToken).ConfigureAwait(false);
        var role = result.Child(result.Root, "Role")
            ?? throw new AwsServiceException(Service.Name, "GetRole", "InvalidResponse", "The answer has no Role element.", 200);
        var document = result.Text(role, "AssumeRolePolicyDocument");
        return new IamRole
        {
            RoleName = result.Text(role, "RoleName") ?? roleName,
            Arn = result.Text(role, "Arn") ?? "",
            Path = result.Text(role, "Path") ?? "/",
            RoleId = result.Text(role, "RoleId"),
            AssumeRolePolicyDocument = document is null ? null : Uri.UnescapeDataString(document),
        };
    }
}
