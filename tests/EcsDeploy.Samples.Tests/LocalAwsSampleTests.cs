using System.Text.Json;

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
        await _samples.BuildAsync("deploy.cs");
        await using var host = await LocalAwsSample.StartAsync(_samples, speed: 10);
        var exports = host.Exports;
        Assert.StartsWith("http://127.0.0.1:", exports["AWS_ENDPOINT_URL"], StringComparison.Ordinal);

        var result = await _samples.RunAsync("deploy.cs", ["--target", "aws"], exports);

        Assert.True(result.ExitCode == 0, $"deploy.cs --target aws exited with {result.ExitCode}.\n{result.Output}\n{host.Output}");
        Assert.Contains("truecaller-backend on AWS eu-central-1: deployed (exit code 0)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("task definition: arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:2", result.Stdout, StringComparison.Ordinal);
        Assert.False(host.Process.HasExited, "local-aws.cs ended during the deploy");

        // An independent client (the AWS CLI v2) sees the service on the new revision, rolled out.
        var service = (await host.AwsCliV2Async("ecs", "describe-services", "--cluster", "truecaller-backend-cluster", "--services", "truecaller-backend-service"))
            .GetProperty("services")[0];
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:2", service.GetProperty("taskDefinition").GetString());
        Assert.Equal("COMPLETED", Assert.Single(service.GetProperty("deployments").EnumerateArray()).GetProperty("rolloutState").GetString());
        var groups = await host.AwsCliV2Async("logs", "describe-log-groups", "--log-group-name-prefix", "/ecs/truecaller-backend");
        Assert.Contains(groups.GetProperty("logGroups").EnumerateArray(), g => g.GetProperty("logGroupName").GetString() == "/ecs/truecaller-backend" && g.GetProperty("retentionInDays").GetInt32() == 7);
    }

    [Fact]
    public async Task DeployTargetAws_DeployOllama_AgainstLocalAwsSample_TheAwsCliSeesBothServicesOnTheirNewRevisions()
    {
        await _samples.BuildAsync("deploy.cs");
        await using var host = await LocalAwsSample.StartAsync(_samples, speed: 10);
        var exports = host.Exports;
        // The state file deploy.cs reads its names from (Pipeline.FromTerraform).
        Assert.True(File.Exists(exports["ECSDEPLOY_TERRAFORM_STATE"]), exports["ECSDEPLOY_TERRAFORM_STATE"]);

        var result = await _samples.RunAsync("deploy.cs", ["--target", "aws", "--deploy-ollama", "--output", "json"], exports);

        Assert.True(result.ExitCode == 0, $"deploy.cs --target aws --deploy-ollama exited with {result.ExitCode}.\n{result.Output}\n{host.Output}");
        using var json = JsonDocument.Parse(result.Stdout);
        var names = json.RootElement.GetProperty("plan")[0];
        Assert.Equal("Names", names.GetProperty("stage").GetString());
        Assert.StartsWith("from terraform state file " + exports["ECSDEPLOY_TERRAFORM_STATE"], names.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var ollamaImage = json.RootElement.GetProperty("ollamaService").GetProperty("image");

        // An independent client (the AWS CLI v2) sees both services on their new revisions, rolled out, and the Ollama image.
        var services = (await host.AwsCliV2Async("ecs", "describe-services", "--cluster", "truecaller-backend-cluster", "--services", "truecaller-backend-service", "truecaller-backend-ollama-service"))
            .GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("serviceName").GetString()!);
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:2", services["truecaller-backend-service"].GetProperty("taskDefinition").GetString());
        Assert.Equal("arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend-ollama:2", services["truecaller-backend-ollama-service"].GetProperty("taskDefinition").GetString());
        foreach (var service in services.Values)
        {
            Assert.Equal("COMPLETED", Assert.Single(service.GetProperty("deployments").EnumerateArray()).GetProperty("rolloutState").GetString());
        }
        var images = await host.AwsCliV2Async("ecr", "describe-images", "--repository-name", "truecaller-backend-ollama", "--image-ids", "imageTag=latest");
        var image = Assert.Single(images.GetProperty("imageDetails").EnumerateArray());
        Assert.Equal(ollamaImage.GetProperty("digest").GetString(), image.GetProperty("imageDigest").GetString());
        Assert.Contains(_samples.GitSha, image.GetProperty("imageTags").EnumerateArray().Select(t => t.GetString()));
        var backend = await host.AwsCliV2Async("ecs", "describe-task-definition", "--task-definition", "truecaller-backend:2");
        Assert.Contains(backend.GetProperty("taskDefinition").GetProperty("containerDefinitions")[0].GetProperty("environment").EnumerateArray(),
            e => e.GetProperty("name").GetString() == "OLLAMA_URL" && e.GetProperty("value").GetString() == json.RootElement.GetProperty("ollama").GetProperty("url").GetString());
    }
}
