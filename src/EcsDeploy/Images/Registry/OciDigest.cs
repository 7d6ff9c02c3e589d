using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images.Registry;

/// <summary>Content digests (<c>sha256:HEX</c>) as the OCI image spec defines them.</summary>
public static partial class OciDigest
{
    /// <summary>The sha256 digest of <paramref name="content"/>, as <c>sha256:</c> and 64 lowercase hex digits.</summary>
    public static string Compute(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The sha256 digest of a stream's remaining content, read in small buffers.</summary>
    public static async Task<string> ComputeAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var hash = await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false);
        return "sha256:" + Convert.ToHexStringLower(hash);
    }

    /// <summary>Whether <paramref name="digest"/> is a well-formed sha256 or sha512 digest.</summary>
    public static bool IsValid(string? digest) => digest is not null && DigestRegex().IsMatch(digest);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="digest"/> is a well-formed sha256 or sha512 digest.</summary>
    public static void Validate(string digest, string parameterName)
    {
        if (!IsValid(digest))
        {
            throw new ArgumentException($"'{digest}' is not a digest of the form sha256:<64 lowercase hex digits> (or sha512:<128>).", parameterName);
        }
    }

    /// <summary>Creates the incremental hash for the algorithm named by <paramref name="digest"/>.</summary>
    internal static IncrementalHash CreateHash(string digest) =>
        digest.StartsWith("sha512:", StringComparison.Ordinal)
            ? IncrementalHash.CreateHash(HashAlgorithmName.SHA512)
            : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Formats a finished hash with the algorithm prefix of <paramref name="digest"/>.</summary>
    internal static string Format(string digest, byte[] hash) =>
        (digest.StartsWith("sha512:", StringComparison.Ordinal) ? "sha512:" : "sha256:") + Convert.ToHexStringLower(hash);

    /// <summary>The digest of <paramref name="content"/> computed with the algorithm of <paramref name="digestLike"/>.</summary>
    internal static string ComputeLike(string digestLike, ReadOnlySpan<byte> content) =>
        digestLike.StartsWith("sha512:", StringComparison.Ordinal)
            ? "sha512:" + Convert.ToHexStringLower(SHA512.HashData(content))
            : Compute(content);

    [GeneratedRegex("^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestRegex();
}
