using EcsDeploy.Testing.Hosting;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>Runs the AWS CLI against a <see cref="LocalAwsHost"/>, with the host's endpoint and credentials.</summary>
internal static class AwsCli
{
    /// <summary>The AWS CLI v2 of Debian's awscli package (2.9: it predates AWS_ENDPOINT_URL, so it gets --endpoint-url).</summary>
    private const string V2Executable = "/usr/bin/aws";

    /// <summary>Runs the AWS CLI v1 of the pyenv Python: <c>aws ARGS --output json</c> with the host's environment (optionally overridden).</summary>
    public static Task<AwsCliResult> RunAsync(LocalAwsHost host, IReadOnlyDictionary<string, string>? overrides, params string[] arguments)
        => AwsCliProcess.RunAsync(AwsCliProcess.V1Executable, Environment(host, overrides), arguments);

    /// <inheritdoc cref="RunAsync(LocalAwsHost, IReadOnlyDictionary{string, string}?, string[])"/>
    public static Task<AwsCliResult> RunAsync(LocalAwsHost host, params string[] arguments) => RunAsync(host, null, arguments);

    /// <summary>Runs the AWS CLI v2 with <c>--endpoint-url</c>.</summary>
    public static Task<AwsCliResult> RunV2Async(LocalAwsHost host, IReadOnlyDictionary<string, string>? overrides, params string[] arguments)
        => AwsCliProcess.RunAsync(V2Executable, Environment(host, overrides), [.. arguments, "--endpoint-url", host.Endpoint.GetLeftPart(UriPartial.Authority)]);

    private static Dictionary<string, string> Environment(LocalAwsHost host, IReadOnlyDictionary<string, string>? overrides)
    {
        var environment = new Dictionary<string, string>(host.EnvironmentVariables);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        return environment;
    }
}
