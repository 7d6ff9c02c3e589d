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

/// <summary>
/// Content read from (or written to) a registry does not have the digest it should have: the registry, a proxy
/// or the local source is corrupt or lying. Error code <c>DIGEST_MISMATCH</c>.
/// </summary>
public sealed class RegistryDigestMismatchException : RegistryException
{
    /// <summary>Creates the exception.</summary>
    public RegistryDigestMismatchException(string operation, string? repository, string expectedDigest, string actualDigest, string what)
        : base(operation, "DIGEST_MISMATCH", $"{what} has digest {actualDigest} but {expectedDigest} was expected", 0, repository)
    {
        ExpectedDigest = expectedDigest;
        ActualDigest = actualDigest;
    }

    /// <summary>The digest the content should have had.</summary>
    public string ExpectedDigest { get; }
    /// <summary>The digest of the content actually seen.</summary>
    public string ActualDigest { get; }
}
