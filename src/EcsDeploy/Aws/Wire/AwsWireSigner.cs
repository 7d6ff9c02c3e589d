using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// Signs requests with AWS Signature Version 4 through AWSSDK.Core's <see cref="AWSSigV4Signer"/>. The wire
/// clients and the signer conformance test both go through <see cref="SignAsync"/>, so what is proven equal to
/// botocore is what is sent.
/// </summary>
internal static class AwsWireSigner
{
    /// <summary>
    /// Computes the SigV4 headers (<c>Authorization</c>, <c>X-Amz-Date</c>, <c>X-Amz-Content-SHA256</c> and,
    /// with session credentials, <c>X-Amz-Security-Token</c>) for a request.
    /// </summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="uri">The full request URI as sent (path and query percent-encoded).</param>
    /// <param name="headers">The headers to sign besides <c>host</c> (which comes from <paramref name="uri"/>).</param>
    /// <param name="body">The body, or empty.</param>
    /// <param name="credentials">The credentials.</param>
    /// <param name="region">The signing region.</param>
    /// <param name="signingName">The signing name, for example <c>ecs</c> or <c>elasticloadbalancing</c>.</param>
    /// <param name="signedAt">A fixed signing time; null signs with the SDK's (clock-skew corrected) current time.</param>
    /// <param name="cancellationToken">Cancels credential resolution.</param>
    /// <returns>The headers to add to the request.</returns>
    public static async Task<IDictionary<string, string>> SignAsync(
        HttpMethod method, Uri uri, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body,
        AWSCredentials credentials, string region, string signingName, DateTimeOffset? signedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var request = new AWSSigningRequest
        {
            HttpMethod = method,
            RequestUri = uri,
            Content = body.ToArray(),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers[name] = value;
        }
        var parameters = new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = RegionEndpoint.GetBySystemName(region),
            Service = signingName,
            SignPayload = true,
            SignedAt = signedAt?.UtcDateTime,
        };
        var result = await AWSSigV4Signer.SignAsync(request, parameters, cancellationToken).ConfigureAwait(false);
        return result.Headers;
    }
}
