using System.Diagnostics;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// <c>--target aws</c> on a machine with no AWS credentials at all, as a real process whose environment the test
/// controls (the credential chain reads the process environment and files, so it is not tested in this process).
/// </summary>
public sealed class AwsTargetWithoutCredentialsTests
{
    [Fact]
    public async Task TargetAws_NoCredentialsAnywhere_ExitsTwoSayingHowToProvideThemAndChangesNothing()
    {
        var home = Directory.CreateTempSubdirectory("ecsdeploy-nocreds-").FullName;
        var dll = Path.Combine(AppContext.BaseDirectory.Replace("EcsDeploy.Testing.Tests", "EcsDeploy.DeployProcess", StringComparison.Ordinal), "EcsDeploy.DeployProcess.dll");
        Assert.True(File.Exists(dll), "The deploy process was not built next to the tests: " + dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, TestPipelines.CreateContext(), "--target", "aws", "--git-sha", TestPipelines.GitSha, "--output", "json" })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        // No shared files, no instance metadata (never leave 127.0.0.1), no container or web-identity credentials.
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "credentials");
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(home, "config");
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_REGION"] = "eu-central-1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(process.ExitCode == 2, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
        Assert.Contains("error: No AWS credentials were found (environment variables, shared profile or SSO, web identity, container or instance role). "
            + "Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or configure an OIDC role in CI.", await stderr, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(await stdout);
        Assert.Equal("invalid", json.RootElement.GetProperty("outcome").GetString());
        Assert.Empty(json.RootElement.GetProperty("stages").EnumerateArray());
    }
}
