using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amazon.Runtime;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// The HTTP core shared by the wire clients: builds JSON 1.1 and Query requests, signs them with SigV4, sends
/// them on one <see cref="HttpClient"/>, and turns error answers (JSON or XML) into
/// <see cref="AwsServiceException"/>. It never retries: the environment's <see cref="AwsRetryPolicy"/> does.
/// </summary>
internal sealed class AwsWireTransport
{
    private const string JsonContentType = "application/x-amz-json-1.1";
    private const string Json10ContentType = "application/x-amz-json-1.0";
    private const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";
    private static readonly string UserAgent = "EcsDeploy/" + (typeof(AwsWireTransport).Assembly.GetName().Version?.ToString(3) ?? "0");

    private readonly HttpClient _http;
    private readonly AWSCredentials _credentials;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<AwsWireService, Uri> _endpoints = [];
    private readonly Lock _gate = new();

    /// <summary>Creates the transport.</summary>
    /// <param name="http">The client every request goes through (disable automatic redirects on its handler).</param>
    /// <param name="credentials">The credentials to sign with (refreshing credentials refresh themselves).</param>
    /// <param name="region">The AWS region.</param>
    /// <param name="environment">Reads environment variables for endpoint overrides (defaults to the process environment).</param>
    public AwsWireTransport(HttpClient http, AWSCredentials credentials, string region, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        _http = http;
        _credentials = credentials;
        Region = region;
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>The AWS region.</summary>
    public string Region { get; }

    internal IAwsWireObserver? Observer { get; set; }

    /// <summary>The endpoint requests to <paramref name="service"/> go to.</summary>
    public Uri EndpointFor(AwsWireService service)
    {
        lock (_gate)
        {
            if (!_endpoints.TryGetValue(service, out var endpoint))
            {
                endpoint = AwsWireEndpoints.Resolve(service, Region, _environment).Endpoint;
                _endpoints[service] = endpoint;
            }
            return endpoint;
        }
    }

    /// <summary>Sends a JSON 1.1 (or 1.0) request and reads the answer into <typeparamref name="TResponse"/>.</summary>
    internal async Task<TResponse> JsonAsync<TResponse>(AwsWireService service, string operation, object request, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, request.GetType(), options);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Content-Type", service.Protocol == AwsWireProtocol.Json10 ? Json10ContentType : JsonContentType),
            new("X-Amz-Target", $"{service.TargetPrefixOrVersion}.{operation}"),
        };
        if (service.Protocol == AwsWireProtocol.Json10)
        {
            // As botocore for an AWS Query compatible service: errors then carry their Query code (x-amzn-query-error).
            headers.Add(new("x-amzn-query-mode", "true"));
        }
        var answer = await SendAsync(service, operation, headers, body, cancellationToken).ConfigureAwait(false);
        Observer?.JsonResponseRead(service, operation, typeof(TResponse));
        ReadOnlySpan<byte> span = answer.AsSpan().Trim(" \t\r\n"u8);
        if (span.IsEmpty)
        {
            span = "{}"u8;
        }
        try
        {
            return JsonSerializer.Deserialize<TResponse>(span, options)
                ?? throw new JsonException("The answer is the JSON null.");
        }
        catch (JsonException ex)
        {
            throw new AwsServiceException(service.Name, operation, "InvalidResponse", $"The answer could not be read as {typeof(TResponse).Name}: {ex.Message}", 200, innerException: ex);
        }
    }

    /// <summary>Sends a Query request and returns the <c>&lt;OperationResult&gt;</c> element of the answer.</summary>
    internal async Task<XmlResult> QueryAsync(AwsWireService service, string operation, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var form = new StringBuilder();
        form.Append("Action=").Append(Uri.EscapeDataString(operation)).Append("&Version=").Append(Uri.EscapeDataString(service.TargetPrefixOrVersion));
        foreach (var (name, value) in parameters)
        {
            form.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        var headers = new List<KeyValuePair<string, string>> { new("Content-Type", FormContentType) };
        var answer = await SendAsync(service, operation, headers, Encoding.UTF8.GetBytes(form.ToString()), cancellationToken).ConfigureAwait(false);
        XDocument document;
        try
        {
            using var stream = new MemoryStream(answer);
            document = XDocument.Load(stream);
        }
        catch (System.Xml.XmlException ex)
        {
            throw new AwsServiceException(service.Name, operation, "InvalidResponse", $"The answer is not XML: {ex.Message}", 200, innerException: ex);
        }
        var result = document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == operation + "Result");
        return new XmlResult(result, service, operation, Observer);
    }

    private async Task<byte[]> SendAsync(AwsWireService service, string operation, List<KeyValuePair<string, string>> headers, byte[] body, CancellationToken cancellationToken)
    {
        var endpoint = EndpointFor(service);
        var signed = await AwsWireSigner.SignAsync(HttpMethod.Post, endpoint, headers, body, _credentials, AwsWireEndpoints.SigningRegion(service, Region), service.SigningName, null, cancellationToken).ConfigureAwait(false);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint);
        var content = new ByteArrayContent(body);
        message.Content = content;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }
        foreach (var (name, value) in signed)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        message.Headers.UserAgent.ParseAdd(UserAgent);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HttpRequestException(
                $"{service.Name} {operation}: could not reach {endpoint.GetLeftPart(UriPartial.Authority)} ({ex.Message}). Check the network, the region ({Region}) and any AWS_ENDPOINT_URL setting.",
                ex, ex.StatusCode);
        }
        using (response)
        {
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return answer;
            }
            var sessionToken = signed.FirstOrDefault(h => h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase)).Value;
            var error = AwsWireErrors.Parse(service.Name, operation, (int)response.StatusCode, HeaderValue(response.Headers, "x-amzn-RequestId") ?? HeaderValue(response.Headers, "x-amz-request-id"),
                HeaderValue(response.Headers, "x-amzn-ErrorType"), answer, sessionToken is null ? null : [sessionToken]);
            // An AWS Query compatible service names the error's Query code in x-amzn-query-error ("CODE;Sender"), as botocore reads it.
            throw HeaderValue(response.Headers, "x-amzn-query-error") is { Length: > 0 } queryError && queryError.Split(';')[0] is { Length: > 0 } queryCode && queryCode != error.ErrorCode
                ? new AwsServiceException(error.Service, error.Operation, queryCode, error.ErrorMessage, error.StatusCode, error.RequestId)
                : error;
        }
    }

    private static string? HeaderValue(HttpResponseHeaders headers, string name)
        => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
