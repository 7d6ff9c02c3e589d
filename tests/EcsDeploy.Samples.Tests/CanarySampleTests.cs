using System.Diagnostics;
using System.Text.Json;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Samples.Tests;

/// <summary>
/// The README's canary: `dotnet run samples/deploy-canary.cs` on the simulated AWS, and with `--target aws` against
/// `dotnet run samples/local-aws.cs`, the AWS CLI showing the service deployment SUCCESSFUL.
/// </summary>
public sealed class CanarySampleTests : IDisposable
{
    private readonly SampleCheckout _samples = new();

    public void Dispose() => _samples.Dispose();

    [Fact]
    public async Task DeployCanary_AsTheReadmeGivesIt_SmokeTestsTheTestListener_ShiftsTenPercentThenAll_Exit0()
    {
        var result = await _samples.RunAsync("deploy-canary.cs", []);

        Assert.True(result.ExitCode == 0, $"deploy-canary.cs exited with {result.ExitCode}.\n{result.Output}");
        Assert.Contains("truecaller-backend on simulated AWS: deployed (exit code 0)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(":8080/health: passed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("production 10 %, test 100 % on the new revision", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("canary deployment", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("succeeded: all traffic on truecaller-backend:2", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeployCanary_AlarmDuringBake_IsRolledBackByEcs_Exit1()
    {
        var result = await _samples.RunAsync("deploy-canary.cs", ["--fault", "alarm-during-bake"]);

        Assert.True(result.ExitCode == 1, $"deploy-canary.cs --fault alarm-during-bake exited with {result.ExitCode}.\n{result.Output}");
        Assert.Contains("CloudWatch alarm(s) truecaller-backend-5xx in ALARM state", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeployCanaryTargetAws_AgainstLocalAwsSample_TheAwsCliShowsTheServiceDeploymentSuccessful()
    {
        await _samples.BuildAsync("local-aws.cs");
        await _samples.BuildAsync("deploy-canary.cs");
        await using var host = SampleProcess.Start(_samples.Root, ["run", "samples/local-aws.cs", "--", "--speed", "20"], null);
        await host.WaitForLineAsync("# serving", TimeSpan.FromMinutes(10));
        var exports = host.Stdout.Split('\n')
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

        var result = await _samples.RunAsync("deploy-canary.cs", ["--target", "aws"], exports);

        Assert.True(result.ExitCode == 0, $"deploy-canary.cs --target aws exited with {result.ExitCode}.\n{result.Output}\n--- local-aws.cs ---\n{host.Stdout}\n{host.Stderr}");
        Assert.Contains("truecaller-backend on AWS eu-central-1: deployed (exit code 0)", result.Stdout, StringComparison.Ordinal);
        var service = (await AwsCliV1Async(exports, "ecs", "describe-services", "--cluster", "truecaller-backend-cluster", "--services", "truecaller-backend-service")).GetProperty("services")[0];
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:2", service.GetProperty("taskDefinition").GetString());
        Assert.Equal("CANARY", service.GetProperty("deploymentConfiguration").GetProperty("strategy").GetString());
        var arn = service.GetProperty("currentServiceDeployment").GetString()!;
        // An independent client reads the service deployment's final status (the AWS CLI v1 of the pyenv Python: its
        // botocore knows DescribeServiceDeployments, which the Debian AWS CLI v2 predates).
        var deployment = (await AwsCliV1Async(exports, "ecs", "describe-service-deployments", "--service-deployment-arns", arn)).GetProperty("serviceDeployments")[0];
        Assert.Equal("SUCCESSFUL", deployment.GetProperty("status").GetString());
        Assert.Equal(100, deployment.GetProperty("targetServiceRevision").GetProperty("requestedProductionTrafficWeight").GetDouble());
    }

    private static async Task<JsonElement> AwsCliV1Async(IReadOnlyDictionary<string, string> exports, params string[] arguments)
    {
        var aws = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv", "shims", "aws");
        Assert.True(File.Exists(aws), $"the AWS CLI v1 of the pyenv Python is missing at {aws} (see /work/shared/FACTS.md)");
        var start = new ProcessStartInfo(aws) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Concat(["--endpoint-url", exports["AWS_ENDPOINT_URL"], "--output", "json"]))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy" })
        {
            start.Environment.Remove(name);
        }
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = "";
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION" })
        {
            start.Environment[name] = exports[name];
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"aws {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        using var json = JsonDocument.Parse(await stdout);
        return json.RootElement.Clone();
    }
}
