using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

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
