using EcsDeploy.Discovery;
using EcsDeploy.Processes;

namespace EcsDeploy.Tests.Discovery;

/// <summary>
/// Outputs read by running <c>terraform output -json</c>. Terraform cannot be installed here (FACTS.md), so a stand-in
/// script plays it: it answers only <c>output -json</c>, and prints the outputs.json of the folder it runs in, in the format
/// terraform prints (<c>{"name":{"sensitive":bool,"type":...,"value":...}}</c>).
/// </summary>
public sealed class TerraformCommandOutputsTests
{
    private static (string Project, string Terraform) StandIn()
    {
        var root = Directory.CreateTempSubdirectory("ecsdeploy-terraform-").FullName;
        var project = Directory.CreateDirectory(Path.Combine(root, "infra")).FullName;
        File.WriteAllText(Path.Combine(project, "outputs.json"), """
            {
              "ecs_cluster_name": { "sensitive": false, "type": "string", "value": "truecaller-backend-cluster" },
              "ollama_alb_dns_name": { "sensitive": false, "type": "string", "value": "ollama-alb-1.eu-central-1.elb.amazonaws.com" },
              "private_subnet_ids": { "sensitive": false, "type": ["list", "string"], "value": ["subnet-a", "subnet-b"] },
              "database_password": { "sensitive": true, "type": "string", "value": "s3cret-from-terraform" }
            }
            """);
        var terraform = Path.Combine(root, "terraform");
        File.WriteAllText(terraform, """
            #!/bin/sh
            [ "$1 $2" = "output -json" ] || { echo "unexpected arguments: $*" >&2; exit 2; }
            cat outputs.json
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(terraform, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return (project, terraform);
    }

    [Fact]
    public async Task Read_RunsTerraformOutputJsonInTheProjectFolder_AndKeepsValuesAndSensitivity()
    {
        var (project, terraform) = StandIn();
        var source = new TerraformCommandOutputs(project, new ProcessRunner()) { Program = terraform };

        var outputs = await source.ReadAsync(CancellationToken.None);

        Assert.NotNull(outputs);
        Assert.Equal($"terraform output -json in {project}", source.Source);
        Assert.Equal("truecaller-backend-cluster", outputs["ecs_cluster_name"].Value.GetString());
        Assert.Equal("ollama-alb-1.eu-central-1.elb.amazonaws.com", outputs["ollama_alb_dns_name"].Value.GetString());
        Assert.Equal(["subnet-a", "subnet-b"], outputs["private_subnet_ids"].Value.EnumerateArray().Select(v => v.GetString()));
        Assert.False(outputs["ecs_cluster_name"].Sensitive);
        Assert.True(outputs["database_password"].Sensitive);
    }

    [Fact]
    public async Task Read_WithoutTerraform_ReturnsNullSoTheCallerTriesTheNextSource()
    {
        var (project, _) = StandIn();
        var source = new TerraformCommandOutputs(project, new ProcessRunner()) { Program = Path.Combine(project, "no-terraform-here") };

        Assert.Null(await source.ReadAsync(CancellationToken.None));
    }
}
