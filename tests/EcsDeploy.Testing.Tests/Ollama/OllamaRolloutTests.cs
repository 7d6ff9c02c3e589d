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

    /// <summary>An Ollama image folder as the sample's: a baking Dockerfile (RUN) and a pull-at-start one (no RUN).</summary>
    private static string OllamaImageFolder()
    {
        var directory = Directory.CreateTempSubdirectory("ecsdeploy-ollama-").FullName;
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), "FROM ollama/ollama:latest\nARG OLLAMA_MODEL=llama3.2:1b\nRUN ollama pull \"$OLLAMA_MODEL\"\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/bin/sh\", \"/entrypoint.sh\"]\n");
        File.WriteAllText(Path.Combine(directory, "Dockerfile.pull"), "FROM ollama/ollama:latest\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/bin/sh\", \"/entrypoint.sh\"]\n");
        File.WriteAllText(Path.Combine(directory, "entrypoint.sh"), "#!/bin/sh\nollama serve & ollama pull \"$OLLAMA_MODEL\"; wait\n");
        return directory;
    }

    [Fact]
    public async Task DeployOllama_WithAnImageFolder_PushesTheOllamaImageAndRollsItOutFirst_ThenTheBackendPointingAtIt()
    {
        var aws = Seed.Truecaller();
        var definition = TestPipelines.Seed(TestPipelines.CreateContext(), ollama: o => o.Image(OllamaImageFolder())).Build();
        var (result, events) = await TestPipelines.RunAsync(aws, definition, new RunOptions { GitSha = TestPipelines.GitSha, DeployOllama = true });

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        // Two pushed images: the backend's and Ollama's, each tagged with the git SHA and latest.
        var ollamaImage = result.OllamaService!.Image!;
        Assert.Equal("truecaller-backend-ollama", ollamaImage.RepositoryName);
        Assert.Equal([TestPipelines.GitSha, "latest"], ollamaImage.Tags);
        Assert.Equal([TestPipelines.GitSha, "latest"], result.Image!.Tags);
        Assert.Contains(TestPipelines.GitSha, aws.Ecr.Images("truecaller-backend-ollama")[ollamaImage.Digest]);
        Assert.Contains("latest", aws.Ecr.Images("truecaller-backend-ollama")[ollamaImage.Digest]);

        // Two new revisions; Ollama's runs the pushed image, pulled at start (the local target builds with the daemonless
        // builder), with the health check that waits for the model.
        var ollama = aws.Ecs.CurrentTaskDefinition(Cluster, Ollama);
        Assert.Equal(2, ollama.Revision);
        var container = Assert.Single(ollama.ContainerDefinitions!);
        Assert.Equal(ollamaImage.Reference, container.Image);
        Assert.Equal(300, container.HealthCheck!.StartPeriod);
        Assert.Contains("ollama show", string.Join(' ', container.HealthCheck.Command!), StringComparison.Ordinal);
        Assert.Equal(ollama.TaskDefinitionArn, result.OllamaService.TaskDefinitionArn);
        Assert.Equal("COMPLETED", result.OllamaService.Deployment!.RolloutState);
        Assert.Equal(2, aws.Ecs.CurrentTaskDefinition(Cluster, Backend).Revision);
        Assert.True(Assert.Single(aws.Ecs.Service(Cluster, Ollama).Deployments).CreatedAt < Assert.Single(aws.Ecs.Service(Cluster, Backend).Deployments).CreatedAt);
        var backendEnvironment = Assert.Single(aws.Ecs.CurrentTaskDefinition(Cluster, Backend).ContainerDefinitions!).Environment!;
        var ollamaUrl = "http://" + await OutputAsync(aws, "ollama_alb_dns_name");
        Assert.Contains(backendEnvironment, e => e.Name == "OLLAMA_URL" && e.Value == ollamaUrl);

        // The plan says where the model comes from.
        var plan = result.Plan.Single(p => p.Stage == "WithOllama").Details.ToDictionary(d => d.Key, d => d.Value);
        Assert.StartsWith("daemonless build of Dockerfile.pull", plan["ollama image"], StringComparison.Ordinal);
        Assert.Contains("the entrypoint pulls llama3.2:1b at start", plan["ollama image"], StringComparison.Ordinal);
        Assert.Contains(events.Events.OfType<StageMessage>(), m => m.Message.StartsWith("Ollama image: daemonless build of Dockerfile.pull pushed as", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeployOllama_WithoutThePullAtStartDockerfile_IsInvalidBeforeAnyChange()
    {
        var aws = Seed.Truecaller();
        var folder = OllamaImageFolder();
        File.Delete(Path.Combine(folder, "Dockerfile.pull"));
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext(), ollama: o => o.Image(folder)).Build(),
            new RunOptions { GitSha = TestPipelines.GitSha, DeployOllama = true });

        Assert.Equal(RunOutcome.Invalid, result.Outcome);
        Assert.Contains("Dockerfile.pull' does not exist", result.Error, StringComparison.Ordinal);
        Assert.Contains("runs no RUN step", result.Error, StringComparison.Ordinal);
        Assert.Single(aws.Ecr.Images("truecaller-backend-ollama"));
        Assert.Equal(1, aws.Ecs.CurrentTaskDefinition(Cluster, Ollama).Revision);
    }

    [Fact]
    public async Task DeployOllama_WhenTheNewOllamaRevisionIsUnhealthy_RollsOllamaBackAndLeavesTheBackendUntouched()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("unhealthy-ollama");
        var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext()).Build(),
            new RunOptions { GitSha = TestPipelines.GitSha, DeployOllama = true });

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        // A service the run deployed was rolled back: the outcome says so, and names the revision Ollama is back on.
        Assert.Equal(RunOutcome.RolledBack, result.Outcome);
        Assert.True(result.RolledBack);
        Assert.EndsWith("task-definition/truecaller-backend-ollama:1", result.RolledBackTo, StringComparison.Ordinal);
        Assert.True(result.OllamaService!.Deployment!.RolledBack);
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
        Assert.Equal(RunOutcome.RolledBack, result.Outcome);
        Assert.EndsWith("task-definition/truecaller-backend-ollama:1", result.RolledBackTo, StringComparison.Ordinal);
        Assert.Contains("does not list the model 'llama3.2:1b'", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, aws.Ecs.CurrentTaskDefinition(Cluster, Ollama).Revision);
        Assert.Equal(1, aws.Ecs.CurrentTaskDefinition(Cluster, Backend).Revision);
    }
}
