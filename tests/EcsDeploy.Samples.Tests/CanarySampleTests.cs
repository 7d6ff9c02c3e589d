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
        var result = await _samples.RunAsTheReadmeGivesItAsync("deploy-canary.cs", []);

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
        Assert.True(result.Stdout.Contains("CloudWatch alarm(s) truecaller-backend-5xx in ALARM state", StringComparison.Ordinal), result.Output);
    }

    [Fact]
    public async Task DeployCanaryTargetAws_AgainstLocalAwsSample_TheAwsCliShowsTheServiceDeploymentSuccessful()
    {
        await _samples.BuildAsync("deploy-canary.cs");
        await using var host = await LocalAwsSample.StartAsync(_samples, speed: 20);

        var result = await _samples.RunAsync("deploy-canary.cs", ["--target", "aws"], host.Exports);

        Assert.True(result.ExitCode == 0, $"deploy-canary.cs --target aws exited with {result.ExitCode}.\n{result.Output}\n{host.Output}");
        Assert.Contains("truecaller-backend on AWS eu-central-1: deployed (exit code 0)", result.Stdout, StringComparison.Ordinal);
        var service = (await host.AwsCliV1Async("ecs", "describe-services", "--cluster", "truecaller-backend-cluster", "--services", "truecaller-backend-service")).GetProperty("services")[0];
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:2", service.GetProperty("taskDefinition").GetString());
        Assert.Equal("CANARY", service.GetProperty("deploymentConfiguration").GetProperty("strategy").GetString());
        var arn = service.GetProperty("currentServiceDeployment").GetString()!;
        // An independent client, the AWS CLI v1 (the Debian v2 predates DescribeServiceDeployments), reads the final status.
        var deployment = (await host.AwsCliV1Async("ecs", "describe-service-deployments", "--service-deployment-arns", arn)).GetProperty("serviceDeployments")[0];
        Assert.Equal("SUCCESSFUL", deployment.GetProperty("status").GetString());
        Assert.Equal(100, deployment.GetProperty("targetServiceRevision").GetProperty("requestedProductionTrafficWeight").GetDouble());
    }
}
