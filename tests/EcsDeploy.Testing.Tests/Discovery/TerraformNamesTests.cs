namespace EcsDeploy.Testing.Tests.TerraformDiscovery;

/// <summary>Pipeline.FromTerraform: the cluster, services, repositories and the Ollama DNS name come from the seed's outputs.</summary>
public sealed class TerraformNamesTests
{
    /// <summary>An environment whose Terraform named everything differently from the pipeline's name.</summary>
    private static readonly SeedSpec Renamed = new()
    {
        Cluster = "platform-cluster",
        Service = "api-service",
        Family = "api",
        Repository = "api-images",
        OllamaService = "llm-ollama-service",
        OllamaFamily = "llm-ollama",  // the simulated load balancer serves Ollama when its name has "ollama" in it
    };

    private static PipelineBuilder FromTerraform(string context) => Pipeline.FromTerraform("truecaller-backend")
        .InRegion("eu-central-1")
        .Build(b => b.WorkingDirectory(context).Image("Dockerfile"))
        .Push()
        .WithOllama(o => o.Model("llama3.2:1b").Image(OllamaFolder()))
        .Deploy(d => d.Container("api"))
        .Verify(v => v.Http("/health").Ollama());

    private static string OllamaFolder()
    {
        var directory = Directory.CreateTempSubdirectory("ecsdeploy-ollama-").FullName;
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), "FROM ollama/ollama:latest\nRUN ollama pull llama3.2:1b\n");
        File.WriteAllText(Path.Combine(directory, "Dockerfile.pull"), "FROM ollama/ollama:latest\nENV OLLAMA_HOST=0.0.0.0:11434\n");
        return directory;
    }

    private static SimulatedAws Seeded()
    {
        var aws = new SimulatedAws();
        Seed.Apply(aws, Renamed);
        return aws;
    }

    [Fact]
    public async Task FromTerraform_DeploysTheServicesTheOutputsName_AndThePlanShowsWhereEachNameCameFrom()
    {
        var aws = Seeded();
        var (result, _) = await TestPipelines.RunAsync(aws, FromTerraform(TestPipelines.CreateContext()).Build(),
            new RunOptions { GitSha = TestPipelines.GitSha, DeployOllama = true });

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal("platform-cluster", result.Cluster);
        Assert.Equal("api-service", result.Service);
        Assert.Equal("api-images", result.Image!.RepositoryName);
        Assert.Equal("llm-ollama", result.OllamaService!.Image!.RepositoryName);
        Assert.Equal("llm-ollama-service", result.OllamaService.Service);
        Assert.Equal(2, aws.Ecs.CurrentTaskDefinition("platform-cluster", "api-service").Revision);
        Assert.Equal(2, aws.Ecs.CurrentTaskDefinition("platform-cluster", "llm-ollama-service").Revision);

        var names = result.Plan[0];
        Assert.Equal("Names", names.Stage);
        var dns = (await aws.Terraform.ReadAsync(CancellationToken.None))!["ollama_alb_dns_name"].Value.GetString();
        Assert.Equal(
        [
            new("cluster", "platform-cluster (Terraform output ecs_cluster_name)"),
            new("service", "api-service (Terraform output ecs_service_name)"),
            new("repository", "api-images (Terraform output ecr_repository_url)"),
            new("Ollama service", "llm-ollama-service (Terraform output ollama_service_name)"),
            new("Ollama repository", "llm-ollama (Terraform output ecr_ollama_repository_url)"),
            new KeyValuePair<string, string>("Ollama load balancer", $"{dns} (Terraform output ollama_alb_dns_name)"),
        ], names.Details);
        Assert.Equal("http://" + dns, result.Ollama!.Url);
    }

    [Fact]
    public async Task FromTerraform_WithOutputsMissing_ListsThemAllBeforeAnyAwsCall_Invalid()
    {
        var aws = Seeded();
        aws.Terraform.Remove("ecs_cluster_name");
        aws.Terraform.Remove("ecr_repository_url");
        aws.Terraform.Remove("ollama_service_name");
        var callsBefore = aws.Calls.Count;

        var (result, _) = await TestPipelines.RunAsync(aws, FromTerraform(TestPipelines.CreateContext()).Build());

        Assert.Equal(RunOutcome.Invalid, result.Outcome);
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("lacks the outputs ecs_cluster_name (the cluster), ecr_repository_url (the repository), ollama_service_name (the Ollama service)", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was changed.", result.Error, StringComparison.Ordinal);
        Assert.Equal(callsBefore, aws.Calls.Count);
        Assert.Empty(result.Stages);
    }

    [Fact]
    public async Task FromTerraform_ANameGivenInThePipeline_WinsOverItsOutput_AndThePlanSaysSo()
    {
        var aws = Seeded();
        aws.Terraform.Set("ecs_service_name", "not-this-service");
        var definition = Pipeline.FromTerraform("truecaller-backend")
            .InRegion("eu-central-1")
            .Deploy(d => d.Service("api-service").Container("api"))
            .Build();

        var (result, _) = await TestPipelines.RunAsync(aws, definition, new RunOptions { DryRun = true });

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains(new KeyValuePair<string, string>("service", "api-service (given in the pipeline)"), result.Plan[0].Details);
        Assert.Contains(new KeyValuePair<string, string>("cluster", "platform-cluster (Terraform output ecs_cluster_name)"), result.Plan[0].Details);
        Assert.Equal("api-service", result.Service);
    }

    [Fact]
    public void FromTerraform_NeedsNoClusterOrServiceAtBuild_ButPipelineForStillDoes()
    {
        Assert.True(Pipeline.FromTerraform("app").InRegion("eu-central-1").Deploy(d => d.Container("app")).Build().NamesFromTerraform);

        var error = Assert.Throws<PipelineValidationException>(() => Pipeline.For("app").InRegion("eu-central-1").Deploy(d => d.Container("app")).Build());
        Assert.Contains("No cluster: call .OnCluster(\"my-cluster\").", error.Problems);
        Assert.Contains("Deploy: no service: call d.Service(\"my-service\").", error.Problems);
    }
}
