using System.Net;

namespace EcsDeploy.Aws.Wire;

/// <summary>The wire protocol an AWS service speaks.</summary>
internal enum AwsWireProtocol
{
    /// <summary>JSON 1.1: <c>POST /</c> with <c>X-Amz-Target</c> and a JSON body.</summary>
    Json11,
    /// <summary>The Query protocol: a form-encoded <c>Action</c> and <c>Version</c>, XML answers.</summary>
    Query,
}

/// <summary>
/// What the wire clients need to know about one AWS service: its name for messages, the endpoint prefix, the
/// SigV4 signing name, the protocol (with its target prefix or API version), and the key of its endpoint
/// override variable (<c>AWS_ENDPOINT_URL_&lt;KEY&gt;</c>, from the service id as the AWS SDKs derive it).
/// </summary>
internal sealed record AwsWireService(
    string Name,
    string EndpointPrefix,
    string SigningName,
    AwsWireProtocol Protocol,
    string TargetPrefixOrVersion,
    string EndpointVariableKey)
{
    /// <summary>Amazon ECS.</summary>
    public static readonly AwsWireService Ecs = new("ECS", "ecs", "ecs", AwsWireProtocol.Json11, "AmazonEC2ContainerServiceV20141113", "ECS");
    /// <summary>Amazon ECR's API.</summary>
    public static readonly AwsWireService Ecr = new("ECR", "api.ecr", "ecr", AwsWireProtocol.Json11, "AmazonEC2ContainerRegistry_V20150921", "ECR");
    /// <summary>Elastic Load Balancing v2.</summary>
    public static readonly AwsWireService Elbv2 = new("ELBv2", "elasticloadbalancing", "elasticloadbalancing", AwsWireProtocol.Query, "2015-12-01", "ELASTIC_LOAD_BALANCING_V2");
    /// <summary>AWS Secrets Manager.</summary>
    public static readonly AwsWireService SecretsManager = new("SecretsManager", "secretsmanager", "secretsmanager", AwsWireProtocol.Json11, "secretsmanager", "SECRETS_MANAGER");
    /// <summary>Amazon CloudWatch Logs.</summary>
    public static readonly AwsWireService Logs = new("CloudWatchLogs", "logs", "logs", AwsWireProtocol.Json11, "Logs_20140328", "CLOUDWATCH_LOGS");
    /// <summary>Amazon S3 (used through AWSSDK.S3; listed for its endpoint override).</summary>
    public static readonly AwsWireService S3 = new("S3", "s3", "s3", AwsWireProtocol.Query, "2006-03-01", "S3");
}

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
        return (new Uri($"https://{service.EndpointPrefix}.{region}.{suffix}/"), false);
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
