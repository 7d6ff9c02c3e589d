using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

/// <summary>
/// An error answer from an OCI registry: the registry's own error code (for example <c>BLOB_UNKNOWN</c>,
/// <c>MANIFEST_INVALID</c>, <c>DENIED</c>) and message, the operation, the repository and the HTTP status.
/// Service is always <c>Registry</c>. Never carries passwords or tokens.
/// </summary>
public class RegistryException : AwsServiceException
{
    /// <summary>Creates the exception.</summary>
    public RegistryException(string operation, string errorCode, string message, int statusCode, string? repository = null, Exception? innerException = null)
        : base(ServiceName, operation, errorCode, message, statusCode, requestId: null, innerException)
    {
        Repository = repository;
    }

    /// <summary>The <see cref="AwsServiceException.Service"/> value of every registry error.</summary>
    public const string ServiceName = "Registry";

    /// <summary>The repository the operation addressed, when it addressed one.</summary>
    public string? Repository { get; }
}
