using System.Text;
using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

/// <summary>
/// ECR's image registry: a plain OCI registry whose basic credentials come from ECR's GetAuthorizationToken
/// (a base64 <c>AWS:password</c> valid for 12 hours, for the endpoint it names).
/// </summary>
public static class EcrRegistry
{
    /// <summary>Decodes the token of <paramref name="authorization"/> into basic credentials (user <c>AWS</c>).</summary>
    /// <exception cref="FormatException">The token is not base64 of <c>user:password</c>.</exception>
    public static RegistryCredentials DecodeCredentials(EcrAuthorizationData authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization.AuthorizationToken));
        }
        catch (FormatException ex)
        {
            // Never echo the token.
            throw new FormatException("The ECR authorization token is not base64.", ex);
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException("The ECR authorization token does not decode to 'user:password'.");
        }
        return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]);
    }

    /// <summary>
    /// The settings ECR needs: every blob in one streamed PUT, never in PATCH chunks (ECR answers chunked uploads
    /// with 201 and drops every chunk after the first, aws/containers-roadmap#2831), with a request timeout long
    /// enough for a large layer.
    /// </summary>
    public static OciRegistryClientOptions DefaultOptions() => new()
    {
        ChunkedUploadThreshold = long.MaxValue,
        RequestTimeout = TimeSpan.FromHours(1),
    };

    /// <summary>
    /// A registry client for the endpoint of <paramref name="authorization"/> (its ProxyEndpoint, for example
    /// <c>https://123456789012.dkr.ecr.eu-central-1.amazonaws.com</c>), with its credentials and, unless
    /// <paramref name="options"/> are given, <see cref="DefaultOptions"/>.
    /// </summary>
    public static OciRegistryClient CreateClient(EcrAuthorizationData authorization, HttpClient? httpClient = null, OciRegistryClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (string.IsNullOrWhiteSpace(authorization.ProxyEndpoint))
        {
            throw new ArgumentException("The ECR authorization data names no ProxyEndpoint.", nameof(authorization));
        }
        return new OciRegistryClient(authorization.ProxyEndpoint, DecodeCredentials(authorization), httpClient, options ?? DefaultOptions());
    }

    /// <summary>
    /// An opener for <see cref="AwsEnvironment.OpenRegistryAsync"/>: each call asks ECR for a fresh authorization
    /// token and returns a client for the endpoint it names. Pass a shared <paramref name="httpClient"/> so that
    /// the clients opened (which the port cannot dispose) share one connection pool.
    /// </summary>
    public static Func<CancellationToken, Task<IImageRegistry>> Opener(IEcrApi ecr, HttpClient? httpClient = null, OciRegistryClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ecr);
        return async cancellationToken => await CreateClientAsync(ecr, httpClient, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls GetAuthorizationToken and creates a registry client for the endpoint it names.</summary>
    public static async Task<OciRegistryClient> CreateClientAsync(IEcrApi ecr, HttpClient? httpClient, OciRegistryClientOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ecr);
        var authorization = await ecr.GetAuthorizationTokenAsync(cancellationToken).ConfigureAwait(false);
        return CreateClient(authorization, httpClient, options);
    }
}
