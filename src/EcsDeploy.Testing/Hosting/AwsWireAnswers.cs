using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using EcsDeploy.Aws.Wire;
using Microsoft.AspNetCore.Http;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// How the local AWS host answers on the wire when it does not dispatch: errors in the JSON 1.1 or Query protocol's
/// own shape (as the SDKs parse them), the SigV4 failures AWS gives for each protocol, and Query form bodies.
/// </summary>
internal static class AwsWireAnswers
{
    private const string JsonContentType = "application/x-amz-json-1.1";

    /// <summary>
    /// The service and operation a request names: the JSON 1.1 protocol's <c>X-Amz-Target</c>, else the Query protocol's
    /// form <c>Action</c> (served for elasticloadbalancing and iam, told apart by the credential scope). A request the host does not serve gets the error to answer.
    /// </summary>
    internal static (AwsWireService? Service, string Operation, List<KeyValuePair<string, string>>? Form, (bool Query, string Code, string Message)? Problem)
        ResolveOperation(string? target, byte[] body, string authorization)
    {
        if (!string.IsNullOrEmpty(target))
        {
            var dot = target.LastIndexOf('.');
            return dot > 0 && JsonApiDispatcher.ByTargetPrefix.TryGetValue(target[..dot], out var service)
                ? (service, target[(dot + 1)..], null, null)
                : (null, "", null, (false, "UnknownOperationException", $"The target {target} is not served by the local AWS host."));
        }
        var form = ParseForm(body);
        var operation = form.FirstOrDefault(p => p.Key == "Action").Value ?? "";
        if (operation.Length == 0)
        {
            return (null, "", null, (false, "UnknownOperationException", "The request names no X-Amz-Target and no Action."));
        }
        var scope = SigV4Verifier.ScopeService(authorization);
        if (scope == AwsWireService.Iam.SigningName)
        {
            return (AwsWireService.Iam, operation, form, null);
        }
        if (scope is not null && scope != AwsWireService.Elbv2.SigningName)
        {
            return (null, "", null, (true, "InvalidAction", $"The Query protocol is served for elasticloadbalancing and iam only, not {scope}."));
        }
        return (AwsWireService.Elbv2, operation, form, null);
    }

    /// <summary>The status and error code AWS answers a request whose signature failed, per protocol.</summary>
    internal static (int Status, string Code) SignatureError(SigV4Outcome outcome, bool query) => (outcome, query) switch
    {
        (SigV4Outcome.Missing, false) => (400, "MissingAuthenticationTokenException"),
        (SigV4Outcome.Missing, true) => (403, "MissingAuthenticationToken"),
        (SigV4Outcome.Malformed, false) => (400, "IncompleteSignatureException"),
        (SigV4Outcome.Malformed, true) => (400, "IncompleteSignature"),
        (SigV4Outcome.UnknownKey, false) => (400, "UnrecognizedClientException"),
        (SigV4Outcome.UnknownKey, true) => (403, "InvalidClientTokenId"),
        (_, false) => (403, "InvalidSignatureException"),
        (_, true) => (403, "SignatureDoesNotMatch"),
    };

    internal static Task ErrorAsync(HttpResponse response, bool query, int status, string code, string message, string requestId, CancellationToken cancellationToken)
        => query
            ? QueryErrorAsync(response, status, code, message, requestId, cancellationToken)
            : JsonErrorAsync(response, status, code, message, cancellationToken);

    internal static async Task JsonErrorAsync(HttpResponse response, int status, string code, string message, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>(StringComparer.Ordinal) { ["__type"] = code, ["message"] = message });
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task QueryErrorAsync(HttpResponse response, int status, string code, string message, string requestId, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "text/xml";
        var document = Elbv2QueryDispatcher.Error(code, message, requestId, sender: status < 500);
        await response.WriteAsync(document.ToString(SaveOptions.DisableFormatting), cancellationToken).ConfigureAwait(false);
    }

    internal static List<KeyValuePair<string, string>> ParseForm(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add(new(Uri.UnescapeDataString(name.Replace('+', ' ')), Uri.UnescapeDataString(value.Replace('+', ' '))));
        }
        return pairs;
    }
}
