using System.Net;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// Resolves service endpoints the way the AWS SDKs do: <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, then
/// <c>AWS_ENDPOINT_URL</c>, then <c>https://{prefix}.{region}.amazonaws.com</c> (<c>.amazonaws.com.cn</c> in
/// China regions). <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c> disables the overrides. Plain
/// <c>http://</c> is accepted only for loopback hosts.
/// </summary>
internal static class AwsWireEndpoints
{
    /// <summary>Resolves the endpoint of <paramref name="service"/> in <paramref name="region"/>.</summary>
    /// <param name="service">The service.</param>
    /// <param name="region">The region, for example <c>eu-central-1</c>.</param>
    /// <param name="environment">Reads an environment variable (defaults to the process environment).</param>
    /// <returns>The endpoint and whether it came from an override variable.</returns>
    public static (Uri Endpoint, bool Overridden) Resolve(AwsWireService service, string region, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        environment ??= Environment.GetEnvironmentVariable;
        var ignore = environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
        if (!string.Equals(ignore?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var variable in new[] { "AWS_ENDPOINT_URL_" + service.EndpointVariableKey, "AWS_ENDPOINT_URL" })
            {
                var value = environment(variable);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    return (Validate(value.Trim(), variable), true);
                }
            }
        }
        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        if (service.GlobalSigningRegion is not null)
        {
            // A global service has one endpoint per partition (China's carries its region: iam.cn-north-1.amazonaws.com.cn).
            return (new Uri(region.StartsWith("cn-", StringComparison.Ordinal) ? $"https://{service.EndpointPrefix}.cn-north-1.{suffix}/" : $"https://{service.EndpointPrefix}.{suffix}/"), false);
        }
        return (new Uri($"https://{service.EndpointPrefix}.{region}.{suffix}/"), false);
    }

    /// <summary>The region requests to <paramref name="service"/> are signed for: the pipeline's, or a global service's own (per partition).</summary>
    public static string SigningRegion(AwsWireService service, string region)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.GlobalSigningRegion is null ? region : region.StartsWith("cn-", StringComparison.Ordinal) ? "cn-north-1" : service.GlobalSigningRegion;
    }

    /// <summary>Whether <paramref name="uri"/> names a loopback host (localhost, 127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address);
    }

    private static Uri Validate(string value, string variable)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"{variable} is not an absolute http(s) URL: '{value}'. Set it to an endpoint such as https://ecs.eu-central-1.amazonaws.com.");
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
        {
            throw new InvalidOperationException($"{variable} uses plain http for the non-loopback host '{uri.Host}'. Credentials and secrets would travel unencrypted: use https, or http only for a local emulator on 127.0.0.1/localhost.");
        }
        if (!uri.AbsolutePath.EndsWith('/'))
        {
            uri = new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
        }
        return uri;
    }
}
