using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EcsDeploy.Testing.Hosting;

/// <summary>What a SigV4 check concluded.</summary>
internal enum SigV4Outcome
{
    /// <summary>The signature matches.</summary>
    Valid,
    /// <summary>No Authorization header (or not SigV4).</summary>
    Missing,
    /// <summary>The header cannot be read.</summary>
    Malformed,
    /// <summary>The access key id is not the host's.</summary>
    UnknownKey,
    /// <summary>The credential scope names another region or service.</summary>
    WrongScope,
    /// <summary>The signing time is more than 15 minutes away from now.</summary>
    Expired,
    /// <summary>The signature does not match.</summary>
    Mismatch,
}

/// <summary>The parts of an HTTP request that SigV4 signs.</summary>
/// <param name="Method">The method.</param>
/// <param name="RawPath">The path as sent (percent-encoded), without the query.</param>
/// <param name="RawQuery">The query as sent, without '?', or empty.</param>
/// <param name="Headers">Reads a header's values by name (case-insensitive).</param>
/// <param name="Body">The body.</param>
internal sealed record SigV4Request(string Method, string RawPath, string RawQuery, Func<string, IReadOnlyList<string>> Headers, ReadOnlyMemory<byte> Body);

/// <summary>
/// Verifies AWS Signature Version 4 (header form) the way an AWS endpoint does: rebuilds the canonical request
/// from the request as received, derives the signing key from the host's secret, and compares signatures.
/// </summary>
internal sealed class SigV4Verifier(string accessKeyId, string secretAccessKey, string region, TimeProvider wallClock)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Reads the service of the credential scope (<c>ecs</c>, <c>elasticloadbalancing</c>, ...), or null.</summary>
    public static string? ScopeService(string? authorization)
        => Parse(authorization) is { } parsed && parsed.Scope.Length == 5 ? parsed.Scope[3] : null;

    /// <summary>Checks <paramref name="request"/>'s signature for <paramref name="expectedService"/> in <paramref name="expectedRegion"/> (default: the host's region; IAM's is us-east-1).</summary>
    public (SigV4Outcome Outcome, string Detail) Verify(SigV4Request request, string expectedService, string? expectedRegion = null)
    {
        var scopeRegion = expectedRegion ?? region;
        var authorization = request.Headers("Authorization").FirstOrDefault();
        if (authorization is null || !authorization.StartsWith(Algorithm, StringComparison.Ordinal))
        {
            return (SigV4Outcome.Missing, "Missing Authentication Token");
        }
        var parsed = Parse(authorization);
        if (parsed is null || parsed.Scope.Length != 5 || parsed.Scope[4] != "aws4_request")
        {
            return (SigV4Outcome.Malformed, "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters with a credential scope of the form KEY/DATE/REGION/SERVICE/aws4_request.");
        }
        if (!string.Equals(parsed.Scope[0], accessKeyId, StringComparison.Ordinal))
        {
            return (SigV4Outcome.UnknownKey, "The security token included in the request is invalid.");
        }
        if (!string.Equals(parsed.Scope[2], scopeRegion, StringComparison.Ordinal))
        {
            return (SigV4Outcome.WrongScope, $"Credential should be scoped to a valid region, not '{parsed.Scope[2]}'. ");
        }
        if (!string.Equals(parsed.Scope[3], expectedService, StringComparison.Ordinal))
        {
            return (SigV4Outcome.WrongScope, $"Credential should be scoped to correct service: '{expectedService}'. ");
        }
        var amzDate = request.Headers("X-Amz-Date").FirstOrDefault();
        if (amzDate is null || !DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return (SigV4Outcome.Malformed, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }
        if (!amzDate.StartsWith(parsed.Scope[1], StringComparison.Ordinal))
        {
            return (SigV4Outcome.Mismatch, $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{parsed.Scope[1]}' != '{amzDate[..8]}'");
        }
        var now = wallClock.GetUtcNow();
        if ((now - signedAt).Duration() > TimeSpan.FromMinutes(15))
        {
            return (SigV4Outcome.Expired, $"Signature expired: {amzDate} is now earlier than {now.AddMinutes(-15).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}");
        }
        if (!parsed.SignedHeaders.Contains("host"))
        {
            return (SigV4Outcome.Malformed, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var canonical = CanonicalRequest(request, parsed.SignedHeaders);
        var scope = string.Join('/', parsed.Scope[1..]);
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = SigningKey(secretAccessKey, parsed.Scope[1], parsed.Scope[2], parsed.Scope[3]);
        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        var matches = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parsed.Signature));
        return matches
            ? (SigV4Outcome.Valid, "")
            : (SigV4Outcome.Mismatch, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    /// <summary>The canonical request of SigV4 (non-S3 services: the path is encoded once more).</summary>
    internal static string CanonicalRequest(SigV4Request request, IReadOnlyList<string> signedHeaders)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(CanonicalPath(request.RawPath)).Append('\n');
        builder.Append(CanonicalQuery(request.RawQuery)).Append('\n');
        foreach (var name in signedHeaders)
        {
            var values = request.Headers(name).Select(v => CollapseSpaces(v.Trim()));
            builder.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }
        builder.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n');
        var declared = request.Headers("X-Amz-Content-SHA256").FirstOrDefault();
        builder.Append(declared == "UNSIGNED-PAYLOAD" ? declared : Hex(SHA256.HashData(request.Body.Span)));
        return builder.ToString();
    }

    /// <summary>The SigV4 signing key.</summary>
    internal static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    private static string CanonicalPath(string rawPath)
    {
        if (string.IsNullOrEmpty(rawPath))
        {
            return "/";
        }
        // botocore and the AWS SDKs encode the (already encoded) path once more for every service but S3.
        return string.Join('/', rawPath.Split('/').Select(segment => Encode(segment)));
    }

    private static string CanonicalQuery(string rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery))
        {
            return "";
        }
        var pairs = rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            return (Name: Encode(Decode(name)), Value: Encode(Decode(value)));
        });
        return string.Join('&', pairs.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => p.Name + "=" + p.Value));
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    /// <summary>RFC 3986 encoding: everything but unreserved characters, upper-case hex.</summary>
    private static string Encode(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }
                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }
        return builder.ToString();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private sealed record ParsedAuthorization(string[] Scope, IReadOnlyList<string> SignedHeaders, string Signature);

    private static ParsedAuthorization? Parse(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith(Algorithm, StringComparison.Ordinal))
        {
            return null;
        }
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[Algorithm.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }
            var name = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            switch (name)
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }
        if (credential is null || signedHeaders is null || signature is null)
        {
            return null;
        }
        return new ParsedAuthorization(credential.Split('/'), signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries), signature);
    }
}
