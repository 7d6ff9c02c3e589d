using System.Text.Json;
using EcsDeploy.Hosting;
using EcsDeploy.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EcsDeploy.Extensions.Tests;

/// <summary>The DI entry and the script entry run the same pipeline the same way: one host, one options shape.</summary>
public sealed class EntryParityTests
{
    private const string GitSha = "3333333333333333333333333333333333333333";

    private static async Task<(PipelineResult Result, LocalTarget Local)> ThroughDependencyInjectionAsync(PipelineBuilder pipeline)
    {
        var local = new LocalTarget();
        var host = new PipelineHost();
        host.Targets.Add("local", local);
        using var provider = new ServiceCollection().AddSingleton(host).AddEcsDeploy(configure: o => o.GitSha = GitSha).BuildServiceProvider();
        return (await provider.GetRequiredService<IPipelineExecutor>().RunAsync(pipeline), local);
    }

    private static async Task<(int ExitCode, JsonElement Result, string Stderr, LocalTarget Local)> ThroughTheScriptAsync(PipelineBuilder pipeline)
    {
        var local = new LocalTarget();
        var host = new PipelineHost();
        host.Targets.Add("local", local);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await host.RunAsync(pipeline, ["--git-sha", GitSha, "--output", "json"], stdout, stderr, _ => null);
        using var json = JsonDocument.Parse(stdout.ToString());
        return (code, json.RootElement.Clone(), stderr.ToString(), local);
    }

    [Fact]
    public async Task ValidPipeline_BothEntries_DeployTheSameRevisionWithTheSameStagesAndExitCode()
    {
        var context = AddEcsDeployTests.Context();
        var (di, diLocal) = await ThroughDependencyInjectionAsync(AddEcsDeployTests.Pipeline(context));
        var (code, script, _, scriptLocal) = await ThroughTheScriptAsync(AddEcsDeployTests.Pipeline(context));

        Assert.Equal(0, code);
        Assert.Equal(di.ExitCode, code);
        Assert.Equal(di.Outcome.ToText(), script.GetProperty("outcome").GetString());
        Assert.Equal(di.Target, script.GetProperty("target").GetString());
        Assert.Equal(di.TaskDefinitionArn, script.GetProperty("taskDefinitionArn").GetString());
        Assert.Equal(di.Image!.Tags, script.GetProperty("image").GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal(di.Image.Digest, script.GetProperty("image").GetProperty("digest").GetString());
        Assert.Equal(di.Stages.Select(s => (s.Name, s.Status.ToString().ToLowerInvariant())),
            script.GetProperty("stages").EnumerateArray().Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("status").GetString()!)));
        Assert.Equal(diLocal.Created!.Ecs.Revisions("truecaller-backend").Count, scriptLocal.Created!.Ecs.Revisions("truecaller-backend").Count);
    }

    [Fact]
    public async Task InvalidDefinition_BothEntries_ExitTwoWithTheSameProblemsAndCreateNothing()
    {
        static PipelineBuilder Invalid() => Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Deploy(d => d.Service("truecaller-backend-service").Environment("JWT_SECRET", "literal"));

        var (di, diLocal) = await ThroughDependencyInjectionAsync(Invalid());
        var (code, script, stderr, scriptLocal) = await ThroughTheScriptAsync(Invalid());

        Assert.Equal(2, di.ExitCode);
        Assert.Equal(2, code);
        Assert.Equal(RunOutcome.Invalid, di.Outcome);
        Assert.Equal("invalid", script.GetProperty("outcome").GetString());
        Assert.Contains("JWT_SECRET", di.Error, StringComparison.Ordinal);
        Assert.Equal(di.Error, script.GetProperty("error").GetString());
        Assert.Contains(di.Error!, stderr, StringComparison.Ordinal);
        Assert.Null(diLocal.Created);
        Assert.Null(scriptLocal.Created);
    }
}
