using System.Globalization;
using System.Text.Json;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Samples.Tests;

/// <summary>
/// `dotnet run samples/local-aws.cs -- --speed N` as the README gives it (on a free 127.0.0.1 port, its default; built
/// under the checkout's build lock, then run without a second build), the export lines it prints, and the AWS CLI
/// pointed at it by those exports alone.
/// </summary>
internal sealed class LocalAwsSample : IAsyncDisposable
{
    private LocalAwsSample(SampleProcess process, IReadOnlyDictionary<string, string> exports)
    {
        Process = process;
        Exports = exports;
    }

    /// <summary>The running local-aws.cs.</summary>
    public SampleProcess Process { get; }

    /// <summary>The variables of its <c>export NAME=VALUE</c> lines, which a user pastes into the shell that deploys.</summary>
    public IReadOnlyDictionary<string, string> Exports { get; }

    /// <summary>What local-aws.cs printed, for failure messages.</summary>
    public string Output => $"--- local-aws.cs ---\n{Process.Stdout}\n{Process.Stderr}";

    /// <summary>Builds and starts local-aws.cs in <paramref name="samples"/>, and waits until it serves.</summary>
    public static async Task<LocalAwsSample> StartAsync(SampleCheckout samples, double speed)
    {
        await samples.BuildAsync("local-aws.cs");
        var process = SampleProcess.Start(samples.Root, SampleCheckout.RunCommand("local-aws.cs", ["--speed", speed.ToString(CultureInfo.InvariantCulture)], build: false), null);
        try
        {
            await process.WaitForLineAsync("# serving", TimeSpan.FromMinutes(10));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        var exports = process.Stdout.Split('\n')
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        return new LocalAwsSample(process, exports);
    }

    /// <summary>The AWS CLI v1 of the pyenv Python (its botocore knows DescribeServiceDeployments, which the Debian AWS CLI v2 predates).</summary>
    public Task<JsonElement> AwsCliV1Async(params string[] arguments) => RunAsync(AwsCliProcess.V1Executable, arguments);

    /// <summary>The AWS CLI v2 of Debian's awscli package.</summary>
    public Task<JsonElement> AwsCliV2Async(params string[] arguments) => RunAsync(TestPeers.Require(TestPeer.AwsCliV2), arguments);

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private async Task<JsonElement> RunAsync(string executable, string[] arguments)
    {
        var environment = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION" }.ToDictionary(n => n, n => Exports[n]);
        var result = await AwsCliProcess.RunAsync(executable, environment, [.. arguments, "--endpoint-url", Exports["AWS_ENDPOINT_URL"]]);
        return result.Json();
    }
}
