using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests.Ollama;

/// <summary>--deploy-ollama against the simulated AWS seeded as the seed's Terraform leaves it.</summary>
public sealed class OllamaRolloutTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Backend = "truecaller-backend-service";
    private const string Ollama = "truecaller-backend-ollama-service";

    private static async Task<string> OutputAsync(SimulatedAws aws, string name) =>
        (await aws.Terraform.ReadAsync(CancellationToken.None))![name].Value.GetString()!;

    [Fact]
    public async Task Seed_ServicesRunWithTheCircuitBreakerAndRollbackOn_AndTheTerraformOutputsTheSeedLists()
    {
        var aws = Seed.Truecaller();

        foreach (var service in new[] { Backend, Ollama })
        {
            Assert.Equal(new DeploymentCircuitBreaker(true, true), aws.Ecs.Service(Cluster, service).DeploymentConfiguration!.DeploymentCircuitBreaker);
        }
        Assert.NotEmpty(aws.Ecr.Images("truecaller-backend-ollama"));
        foreach (var output in new[] { "ecs_cluster_name", "ecs_service_name", "ollama_service_name", "ecr_repository_url", "ecr_ollama_repository_url", "ollama_alb_dns_name" })
        {
            Assert.NotEmpty(await OutputAsync(aws, output));
        }
    }

    [Fact]
    public async Task DeployOllama_RollsOutANewOllamaRevisionFirst_ThenTheBackendPointingAtIt()
    {
        var aws = Seed.Truecaller();
        var (result, events) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(),
            new RunOptions { GitSha = TestPipelines.GitSha, DeployOllama = true });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var ollama = aws.Ecs.CurrentTaskDefinition(Cluster, Ollama);
        Assert.Equal(2, ollama.Revision);
        var ollamaContainer = Assert.Single(ollama.ContainerDefinitions!);
        Assert.StartsWith(await OutputAsync(aws, "ecr_ollama_repository_url"), ollamaContainer.Image, StringComparison.Ordinal);
        Assert.Contains(ollamaContainer.Environment!, e => e.Name == "OLLAMA_MODEL" && e.Value == "llama3.2:1b");
        Assert.DoesNotContain(ollamaContainer.Environment!, e => e.Name == "OLLAMA_URL");
        Assert.Equal(2, aws.Ecs.CurrentTaskDefinition(Cluster, Backend).Revision);

        // Ollama first: its deployment was created before the backend's.
        var ollamaDeployment = Assert.Single(aws.Ecs.Service(Cluster, Ollama).Deployments);
        var backendDeployment = Assert.Single(aws.Ecs.Service(Cluster, Backend).Deployments);
        Assert.True(ollamaDeployment.CreatedAt < backendDeployment.CreatedAt);
        Assert.EndsWith("truecaller-backend-ollama:2", ollamaDeployment.TaskDefinition, StringComparison.Ordinal);

        var ollamaDns = await OutputAsync(aws, "ollama_alb_dns_name");
        var backendEnvironment = Assert.Single(aws.Ecs.CurrentTaskDefinition(Cluster, Backend).ContainerDefinitions!).Environment!;
        Assert.Contains(backendEnvironment, e => e.Name == "OLLAMA_URL" && e.Value == "http://" + ollamaDns);
        Assert.Contains(events.Events.OfType<StageMessage>(), m => m.Message.Contains("/api/tags lists llama3.2:1b", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeployOllama_WhenTheNewOllamaRevisionIsUnhealthy_RollsOllamaBackAndLeavesTheBackendUntouched()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("unhealthy-ollama");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(),
            new RunOptions { GitSha = TestPipelines.GitSha, DeployOllama = true });

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("back on truecaller-backend-ollama:1", result.Error, StringComparison.Ordinal);
        Assert.Contains("backend was not touched", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, aws.Ecs.CurrentTaskDefinition(Cluster, Ollama).Revision);
        Assert.Equal(1, aws.Ecs.CurrentTaskDefinition(Cluster, Backend).Revision);
        // The backend service was not updated: one deployment, still on revision 1 (Migrate, which runs first, registered the revision it migrated with).
        Assert.EndsWith("truecaller-backend:1", Assert.Single(aws.Ecs.Service(Cluster, Backend).Deployments).TaskDefinition, StringComparison.Ordinal);
        Assert.Equal(StageStatus.Skipped, result.Stages.Single(s => s.Name == "Deploy").Status);
    }

    [Fact]
    public async Task DeployOllama_WhenTheModelIsNotListed_RollsOllamaBackBeforeTheBackendIsDeployed()
    {
        var aws = Seed.Truecaller();
        aws.Ollama.Models.Clear();
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(),
            new RunOptions { GitSha = TestPipelines.GitSha, DeployOllama = true });

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("does not list the model 'llama3.2:1b'", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, aws.Ecs.CurrentTaskDefinition(Cluster, Ollama).Revision);
        Assert.Equal(1, aws.Ecs.CurrentTaskDefinition(Cluster, Backend).Revision);
    }
}
