using System.Globalization;
using System.Net;

namespace EcsDeploy.Testing.Hosting;

// What a client needs to reach the host: the shell variables for the AWS CLI and SDKs, and the proxy settings for the
// simulated load balancers' DNS names.
public sealed partial class LocalAwsHost
{
    /// <summary>
    /// The variables a shell (or a child process) needs to use the host: <c>AWS_ENDPOINT_URL</c>,
    /// <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_REGION</c> and <c>AWS_DEFAULT_REGION</c>; and,
    /// when the clock runs at another speed than wall time, <c>ECSDEPLOY_AWS_CLOCK_SPEED</c> (EcsDeploy's follower predicts on it).
    /// </summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables
    {
        get
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["AWS_ENDPOINT_URL"] = Endpoint.GetLeftPart(UriPartial.Authority), ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey, ["AWS_REGION"] = Region, ["AWS_DEFAULT_REGION"] = Region,
            };
            if (Speed is > 0 and not 1)
            {
                variables["ECSDEPLOY_AWS_CLOCK_SPEED"] = Speed.ToString(CultureInfo.InvariantCulture);
            }
            return variables;
        }
    }

    /// <summary>
    /// The variables that send plain-http requests to the simulated load balancers' DNS names through the host
    /// (<c>HTTP_PROXY</c>, with <c>NO_PROXY</c> keeping the host's own address direct).
    /// </summary>
    public IReadOnlyDictionary<string, string> ProxyEnvironmentVariables => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["HTTP_PROXY"] = Endpoint.GetLeftPart(UriPartial.Authority),
        ["NO_PROXY"] = "127.0.0.1,localhost",
    };

    /// <summary>
    /// An HTTP handler that sends every request to this host (as an HTTP proxy), for clients that must reach the
    /// simulated load balancers' DNS names, for example <c>AwsWireOptions.HttpHandler</c>.
    /// </summary>
    public HttpMessageHandler CreateProxyHandler() => new SocketsHttpHandler
    {
        Proxy = new WebProxy(Endpoint, BypassOnLocal: false),
        UseProxy = true,
        AllowAutoRedirect = false,
    };
}
