using System.Text.Json;

namespace EcsDeploy.Images.Registry;

/// <summary>
/// The errors of one registry: its answers read as distribution-spec error bodies (<c>{"errors":[{"code","message"}]}</c>)
/// and turned into <see cref="RegistryException"/>s that name the operation, repository and host, with every secret
/// removed by <paramref name="scrub"/>.
/// </summary>
/// <param name="host">The registry host, for messages.</param>
/// <param name="counters">Counts the bytes of the error bodies read.</param>
/// <param name="scrub">Removes the password and tokens from a message (<see cref="RegistryAuthentication.Scrub"/>).</param>
internal sealed class RegistryErrors(string host, RegistryTransferCounters counters, Func<string, string> scrub)
{
    /// <summary>
    /// The exception for an answer the operation did not expect: the registry's error code and messages (or the HTTP
    /// status), the repository and host, no secret.
    /// </summary>
    public async Task<RegistryException> CreateAsync(string operation, string? repository, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await RegistryHttp.ReadLimitedAsync(operation, repository, response, 64 * 1024, counters, cancellationToken).ConfigureAwait(false);
        var (code, message) = Parse(body);
        code ??= status switch
        {
            401 => "UNAUTHORIZED",
            403 => "DENIED",
            404 => "NOT_FOUND",
            405 => "UNSUPPORTED",
            429 => "TOOMANYREQUESTS",
            _ => "HTTP_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        message ??= $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        if (repository is not null)
        {
            message += $" (repository '{repository}' on {host})";
        }
        message = scrub(message);
        return status is 401 or 403
            ? new RegistryAuthenticationException(operation, code, message, status, repository)
            : new RegistryException(operation, code, message, status, repository);
    }

    /// <summary>The first error code and the messages of a distribution-spec error body.</summary>
    public static (string? Code, string? Message) Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
            {
                return (null, null);
            }
            string? code = null;
            var messages = new List<string>();
            foreach (var error in errors.EnumerateArray())
            {
                if (error.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                var thisCode = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                code ??= thisCode;
                if (error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text)
                {
                    messages.Add(text);
                }
            }
            return (code, messages.Count == 0 ? null : string.Join("; ", messages));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
