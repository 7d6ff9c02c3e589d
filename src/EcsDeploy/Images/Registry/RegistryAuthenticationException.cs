using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

/// <summary>
/// The registry refused our credentials (HTTP 401), or the token service refused them, or the credentials
/// do not allow the operation (HTTP 403, code <c>DENIED</c>).
/// </summary>
public sealed class RegistryAuthenticationException : RegistryException
{
    /// <summary>Creates the exception.</summary>
    public RegistryAuthenticationException(string operation, string errorCode, string message, int statusCode, string? repository = null, Exception? innerException = null)
        : base(operation, errorCode, message, statusCode, repository, innerException)
    {
    }
}
