using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Discovery;

namespace EcsDeploy.Tests.Discovery;

/// <summary>What a run says, before any AWS call, when the Terraform outputs it needs are not there: word for word.</summary>
public sealed class TerraformMessagesTests
{
    private sealed class Outputs(IReadOnlyDictionary<string, TerraformOutput>? outputs) : ITerraformOutputs
    {
        public string Source => "terraform state file infra/terraform.tfstate";

        public Task<IReadOnlyDictionary<string, TerraformOutput>?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(outputs);
    }

    private static TerraformOutput Text(string value) => new(JsonSerializer.SerializeToElement(value), false);

    private static async Task<string> Refusal(Func<Task> check)
    {
        var error = await Assert.ThrowsAsync<PipelineStageException>(check);
        Assert.Equal(FailureKind.Invalid, error.Kind);
        return error.Message;
    }

    [Fact]
    public async Task RequiredOutputs_WithoutASource()
    {
        var settings = new TerraformSettings().Require("ecs_cluster_name", "ecs_service_name");
        Assert.Equal(
            "Terraform outputs ecs_cluster_name, ecs_service_name are required, but no Terraform source is set: call .WithTerraform(t => t.StateFile(path)) or t.Project(folder).",
            await Refusal(() => TerraformOutputCheck.CheckAsync(settings, null, CancellationToken.None)));
    }

    [Fact]
    public async Task RequiredOutputs_SourceNotThere()
    {
        var settings = new TerraformSettings().Require("ecs_cluster_name");
        Assert.Equal(
            "Terraform outputs are required, but terraform state file infra/terraform.tfstate does not exist: run terraform apply, or fix the path.",
            await Refusal(() => TerraformOutputCheck.CheckAsync(settings, new Outputs(null), CancellationToken.None)));
    }

    [Fact]
    public async Task RequiredOutputs_Missing()
    {
        var settings = new TerraformSettings().Require("ecs_cluster_name", "ecs_service_name", "ecr_repository_url");
        var outputs = new Outputs(new Dictionary<string, TerraformOutput> { ["ecs_cluster_name"] = Text("platform-cluster") });
        Assert.Equal(
            "terraform state file infra/terraform.tfstate lacks the output(s) ecs_service_name, ecr_repository_url: add them to your Terraform configuration (output \"ecs_service_name\" { value = ... }) and run terraform apply.",
            await Refusal(() => TerraformOutputCheck.CheckAsync(settings, outputs, CancellationToken.None)));
    }

    [Fact]
    public void StateFile_OfAnotherFormatVersion()
    {
        using var state = JsonDocument.Parse("""{"version":3,"outputs":{}}""");
        var error = Assert.Throws<PipelineStageException>(() => TerraformStateFile.Parse(state, "terraform state file old.tfstate"));
        Assert.Equal("terraform state file old.tfstate has state format version 3; EcsDeploy reads version 4 (Terraform 0.12 and later).", error.Message);
    }

    private static PipelineDefinition FromTerraform() =>
        Pipeline.FromTerraform("api").InRegion("eu-central-1").Deploy(d => d.Secret("DATABASE_URL", "api/db")).Build();

    [Fact]
    public async Task Names_WithoutASource()
    {
        Assert.Equal(
            "Pipeline.FromTerraform: the names come from the Terraform outputs ecs_cluster_name, ecs_service_name, but no Terraform source is set: give one, for example Pipeline.FromTerraform(name, t => t.StateFile(\"terraform/terraform.tfstate\")) or t.Project(\"terraform\").",
            await Refusal(() => TerraformNames.ResolveAsync(FromTerraform(), null, CancellationToken.None)));
    }

    [Fact]
    public async Task Names_SourceGivesNone()
    {
        Assert.Equal(
            "Pipeline.FromTerraform: the names come from the Terraform outputs ecs_cluster_name, ecs_service_name, but terraform state file infra/terraform.tfstate gives none (no state there, or no terraform program): run terraform apply, or point the pipeline at the state.",
            await Refusal(() => TerraformNames.ResolveAsync(FromTerraform(), new Outputs(null), CancellationToken.None)));
    }

    [Fact]
    public async Task Names_OneMissing()
    {
        var outputs = new Outputs(new Dictionary<string, TerraformOutput> { ["ecs_cluster_name"] = Text("platform-cluster") });
        Assert.Equal(
            "Pipeline.FromTerraform: terraform state file infra/terraform.tfstate lacks the output ecs_service_name (the service): add it to your Terraform configuration (output \"ecs_service_name\" { value = ... }) and run terraform apply, or give the name in the pipeline.",
            await Refusal(() => TerraformNames.ResolveAsync(FromTerraform(), outputs, CancellationToken.None)));
    }

    [Fact]
    public async Task Names_AnInvalidName_SaysWhichOutputItCameFrom()
    {
        var outputs = new Outputs(new Dictionary<string, TerraformOutput> { ["ecs_cluster_name"] = Text("platform cluster"), ["ecs_service_name"] = Text("api-service") });
        Assert.Equal(
            "Pipeline.FromTerraform: Cluster name 'platform cluster' is invalid: use 1-255 letters, digits, hyphens and underscores. (from Terraform output ecs_cluster_name)",
            await Refusal(() => TerraformNames.ResolveAsync(FromTerraform(), outputs, CancellationToken.None)));
    }
}
