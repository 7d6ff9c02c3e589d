using System.Diagnostics;
using System.Text.Json;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Samples.Tests;

/// <summary>
/// The README's local AWS: `dotnet run samples/local-aws.cs -- --speed 10` (on a free 127.0.0.1 port, its default), then,
/// with the export lines it prints, `dotnet run samples/deploy.cs -- --target aws` through the real wire clients.
/// </summary>
public sealed class LocalAwsSampleTests : IDisposable
{
    private readonly SampleCheckout _samples = new();

    public void Dispose() => _samples.Dispose();

    [Fact]
    public async Task DeployTargetAws_AgainstLocalAwsSample_DeploysTheNewRevision_Exit0()
    {
        await _samples.BuildAsync("local-aws.cs");
        await _samples.BuildAsync("deploy.cs");
        await using var host = SampleProcess.Start(_samples.Root, ["run", "samples/local-aws.cs", "--", "--speed", "10"], null);
        await host.WaitForLineAsync("# serving", TimeSpan.FromMinutes(10));
        var exports = host.Stdout.Split('\n')
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        Assert.StartsWith("http://127.0.0.1:", exports["AWS_ENDPOINT_URL"], StringComparison.Ordinal);

        var result = await _samples.RunAsync("deploy.cs", ["--target", "aws"], exports);

        Assert.True(result.ExitCode == 0, $"deploy.cs --target aws exited with {result.ExitCode}.\n{result.Output}\n--- local-aws.cs ---\n{host.Stdout}\n{host.Stderr}");
        Assert.Contains("truecaller-backend on AWS eu-central-1: deployed (exit code 0)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("task definition: arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:2", result.Stdout, StringComparison.Ordinal);
        Assert.False(host.HasExited, "local-aws.cs ended during the deploy");

        // An independent client (the AWS CLI v2) sees the service on the new revision, rolled out.
        var service = (await AwsCliAsync(exports, "ecs", "describe-services", "--cluster", "truecaller-backend-cluster", "--services", "truecaller-backend-service"))
            .GetProperty("services")[0];
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:2", service.GetProperty("taskDefinition").GetString());
        Assert.Equal("COMPLETED", Assert.Single(service.GetProperty("deployments").EnumerateArray()).GetProperty("rolloutState").GetString());
        var groups = await AwsCliAsync(exports, "logs", "describe-log-groups", "--log-group-name-prefix", "/ecs/truecaller-backend");
        Assert.Contains(groups.GetProperty("logGroups").EnumerateArray(), g => g.GetProperty("logGroupName").GetString() == "/ecs/truecaller-backend" && g.GetProperty("retentionInDays").GetInt32() == 7);
    }

    [Fact]
    public async Task DeployTargetAws_DeployOllama_AgainstLocalAwsSample_TheAwsCliSeesBothServicesOnTheirNewRevisions()
    {
        await _samples.BuildAsync("local-aws.cs");
        await _samples.BuildAsync("deploy.cs");
        await using var host = SampleProcess.Start(_samples.Root, ["run", "samples/local-aws.cs", "--", "--speed", "10"], null);
        await host.WaitForLineAsync("# serving", TimeSpan.FromMinutes(10));
        var exports = host.Stdout.Split('\n')
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        // The state file deploy.cs reads its names from (Pipeline.FromTerraform).
        Assert.True(File.Exists(exports["ECSDEPLOY_TERRAFORM_STATE"]), exports["ECSDEPLOY_TERRAFORM_STATE"]);

        var result = await _samples.RunAsync("deploy.cs", ["--target", "aws", "--deploy-ollama", "--output", "json"], exports);

        Assert.True(result.ExitCode == 0, $"deploy.cs --target aws --deploy-ollama exited with {result.ExitCode}.\n{result.Output}\n--- local-aws.cs ---\n{host.Stdout}\n{host.Stderr}");
        using var json = JsonDocument.Parse(result.Stdout);
        var names = json.RootElement.GetProperty("plan")[0];
        Assert.Equal("Names", names.GetProperty("stage").GetString());
        Assert.StartsWith("from terraform state file " + exports["ECSDEPLOY_TERRAFORM_STATE"], names.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var ollamaImage = json.RootElement.GetProperty("ollamaService").GetProperty("image");

        // An independent client (the AWS CLI v2) sees both services on their new revisions, rolled out, and the Ollama image.
        var services = (await AwsCliAsync(exports, "ecs", "describe-services", "--cluster", "truecaller-backend-cluster", "--services", "truecaller-backend-service", "truecaller-backend-ollama-service"))
            .GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("serviceName").GetString()!);
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:2", services["truecaller-backend-service"].GetProperty("taskDefinition").GetString());
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend-ollama:2", services["truecaller-backend-ollama-service"].GetProperty("taskDefinition").GetString());
        foreach (var service in services.Values)
        {
            Assert.Equal("COMPLETED", Assert.Single(service.GetProperty("deployments").EnumerateArray()).GetProperty("rolloutState").GetString());
        }
        var images = await AwsCliAsync(exports, "ecr", "describe-images", "--repository-name", "truecaller-backend-ollama", "--image-ids", "imageTag=latest");
        var image = Assert.Single(images.GetProperty("imageDetails").EnumerateArray());
        Assert.Equal(ollamaImage.GetProperty("digest").GetString(), image.GetProperty("imageDigest").GetString());
        Assert.Contains(_samples.GitSha, image.GetProperty("imageTags").EnumerateArray().Select(t => t.GetString()));
        var backend = await AwsCliAsync(exports, "ecs", "describe-task-definition", "--task-definition", "truecaller-backend:2");
        Assert.Contains(backend.GetProperty("taskDefinition").GetProperty("containerDefinitions")[0].GetProperty("environment").EnumerateArray(),
            e => e.GetProperty("name").GetString() == "OLLAMA_URL" && e.GetProperty("value").GetString() == json.RootElement.GetProperty("ollama").GetProperty("url").GetString());
    }

    private static async Task<JsonElement> AwsCliAsync(IReadOnlyDictionary<string, string> exports, params string[] arguments)
    {
        var start = new ProcessStartInfo(TestPeers.Require(TestPeer.AwsCliV2)) { RedirectStandardOutput = true, RedirectStandardError = true };
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
