using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images.Registry;

/// <summary>Names and references of the distribution spec: repository names, tags and digests.</summary>
internal static partial class OciReference
{
    /// <summary>Whether <paramref name="repository"/> is a valid repository name (lowercase path components).</summary>
    public static bool IsValidRepository(string? repository) =>
        repository is not null && repository.Length <= 255 && RepositoryRegex().IsMatch(repository);

    /// <summary>Whether <paramref name="tag"/> is a valid tag (at most 128 characters of <c>[A-Za-z0-9_.-]</c>, not starting with . or -).</summary>
    public static bool IsValidTag(string? tag) => tag is not null && TagRegex().IsMatch(tag);

    /// <summary>Throws unless <paramref name="repository"/> is a valid repository name.</summary>
    public static void ValidateRepository(string repository, string parameterName)
    {
        if (!IsValidRepository(repository))
        {
            throw new ArgumentException(
                $"'{repository}' is not a valid repository name: use lowercase letters, digits and separators (., _, __, -) in path components joined by '/'.",
                parameterName);
        }
    }

    /// <summary>Throws unless <paramref name="reference"/> is a valid tag or digest.</summary>
    public static void ValidateReference(string reference, string parameterName)
    {
        if (!IsValidTag(reference) && !OciDigest.IsValid(reference))
        {
            throw new ArgumentException(
                $"'{reference}' is neither a tag ([A-Za-z0-9_][A-Za-z0-9._-]{{0,127}}) nor a digest (sha256:<hex>).", parameterName);
        }
    }

    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryRegex();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
