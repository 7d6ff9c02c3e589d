using System.Xml.Linq;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// Answers IAM Query calls from a <see cref="SimulatedAws"/> with the XML documents IAM sends: policy documents
/// URL-encoded (RFC 3986), errors in the Query protocol's <c>ErrorResponse</c>.
/// </summary>
internal sealed class IamQueryDispatcher(SimulatedAws aws)
{
    /// <summary>The XML namespace of API version 2010-05-08.</summary>
    public static readonly XNamespace Ns = "https://iam.amazonaws.com/doc/2010-05-08/";

    /// <summary>Runs the action and returns the XML answer.</summary>
    /// <exception cref="AwsServiceException">The simulated service refused the call.</exception>
    public async Task<XDocument> DispatchAsync(string action, IReadOnlyList<KeyValuePair<string, string>> form, string requestId, CancellationToken cancellationToken)
    {
        XElement result;
        switch (action)
        {
            case "GetRole":
            {
                var name = form.FirstOrDefault(p => p.Key == "RoleName").Value ?? "";
                var role = await aws.Iam.GetRoleAsync(name, cancellationToken).ConfigureAwait(false);
                result = new XElement(Ns + "GetRoleResult",
                    new XElement(Ns + "Role",
                        new XElement(Ns + "Path", role.Path),
                        new XElement(Ns + "RoleName", role.RoleName),
                        new XElement(Ns + "RoleId", role.RoleId),
                        new XElement(Ns + "Arn", role.Arn),
                        new XElement(Ns + "CreateDate", "2026-01-01T00:00:00Z"),
                        role.AssumeRolePolicyDocument is null ? null : new XElement(Ns + "AssumeRolePolicyDocument", Uri.EscapeDataString(role.AssumeRolePolicyDocument)),
                        new XElement(Ns + "MaxSessionDuration", "3600")));
                break;
            }
            default:
                throw new AwsServiceException("IAM", action, "InvalidAction", $"The action {action} is not valid for this web service.", 400);
        }
        return new XDocument(new XElement(Ns + action + "Response", result,
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", requestId))));
    }
}
