using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// Turns an AWS error answer into an <see cref="AwsServiceException"/>: JSON 1.1 (<c>__type</c> with any
/// <c>namespace#</c> prefix removed, <c>message</c> or <c>Message</c>), or XML
/// (<c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code&gt;</c>, which moto and AWS's signature checks also send for JSON
/// services). The request id comes from <c>x-amzn-RequestId</c> / <c>x-amz-request-id</c> or the XML body.
/// </summary>
internal static class AwsWireErrors
{
    /// <summary>Parses an error answer.</summary>
    /// <param name="service">The service name, for the message.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="requestId">The request id from the headers, if any.</param>
    /// <param name="errorTypeHeader">The <c>x-amzn-ErrorType</c> header, if any.</param>
    /// <param name="body">The answer's body.</param>
    /// <param name="redact">
    /// Values to remove from the message: a signature error can quote the canonical request, session token included.
    /// </param>
    public static AwsServiceException Parse(string service, string operation, int statusCode, string? requestId, string? errorTypeHeader, ReadOnlySpan<byte> body, IReadOnlyList<string>? redact = null)
    {
        string? code = null;
        string? message = null;
        var trimmed = body.Trim(" \t\r\n"u8);
        if (!trimmed.IsEmpty && trimmed[0] == (byte)'{')
        {
            try
            {
                using var json = JsonDocument.Parse(trimmed.ToArray());
                var root = json.RootElement;
                code = StringMember(root, "__type") ?? StringMember(root, "code") ?? StringMember(root, "Code");
                message = StringMember(root, "message") ?? StringMember(root, "Message") ?? StringMember(root, "errorMessage");
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through to the defaults.
            }
        }
        else if (!trimmed.IsEmpty && trimmed[0] == (byte)'<')
        {
            try
            {
                var document = XDocument.Parse(Encoding.UTF8.GetString(trimmed));
                var error = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error") ?? document.Root;
                code = ChildText(error, "Code");
                message = ChildText(error, "Message");
                requestId ??= document.Descendants().FirstOrDefault(e => e.Name.LocalName is "RequestId" or "RequestID")?.Value;
            }
            catch (System.Xml.XmlException)
            {
                // Not XML after all: fall through to the defaults.
            }
        }
        code ??= errorTypeHeader;
        code = Normalize(code) ?? DefaultCode(statusCode);
        message = string.IsNullOrWhiteSpace(message) ? $"HTTP {statusCode} with no error message" : message.Trim();
        foreach (var value in redact ?? [])
        {
            if (!string.IsNullOrEmpty(value))
            {
                message = message.Replace(value, "***", StringComparison.Ordinal);
            }
        }
        if (Hints.TryGetValue(code, out var hint))
        {
            message += " " + hint;
        }
        return new AwsServiceException(service, operation, code, message, statusCode, string.IsNullOrWhiteSpace(requestId) ? null : requestId.Trim());
    }

    /// <summary>What a user can do about the errors that mean "these credentials are not accepted".</summary>
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["SignatureDoesNotMatch"] = "(Hint: the secret access key does not match the access key id; check AWS_PROFILE / AWS_SECRET_ACCESS_KEY and that this machine's clock is right.)",
        ["InvalidSignatureException"] = "(Hint: the secret access key does not match the access key id; check AWS_PROFILE / AWS_SECRET_ACCESS_KEY and that this machine's clock is right.)",
        ["InvalidClientTokenId"] = "(Hint: AWS does not know this access key id; check AWS_PROFILE / AWS_ACCESS_KEY_ID, or that the key was not deleted.)",
        ["UnrecognizedClientException"] = "(Hint: AWS does not know this access key id or session token; check AWS_PROFILE / AWS_ACCESS_KEY_ID / AWS_SESSION_TOKEN.)",
        ["ExpiredToken"] = "(Hint: the session credentials expired; sign in again (aws sso login) or refresh the CI role.)",
        ["ExpiredTokenException"] = "(Hint: the session credentials expired; sign in again (aws sso login) or refresh the CI role.)",
        ["AccessDenied"] = "(Hint: the credentials are valid but their policy does not allow this operation.)",
        ["AccessDeniedException"] = "(Hint: the credentials are valid but their policy does not allow this operation.)",
    };

    private static string? Normalize(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }
        code = code.Trim();
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }
        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }
        return code.Length == 0 ? null : code;
    }

    private static string DefaultCode(int statusCode) => statusCode switch
    {
        400 => "BadRequest",
        403 => "AccessDenied",
        404 => "NotFound",
        429 => "TooManyRequestsException",
        500 => "InternalFailure",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => $"Http{statusCode}",
    };

    private static string? StringMember(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? ChildText(XElement? element, string name)
        => element?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
