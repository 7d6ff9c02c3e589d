using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests;

/// <summary>The seed's pipeline over a tiny build context, and helpers to run it against a seeded simulated AWS.</summary>
internal static class TestPipelines
{
    public const string GitSha = "1111111111111111111111111111111111111111";

    /// <summary>A build context with a Dockerfile and one file, in a fresh temp folder.</summary>
    public static string CreateContext()
    {
        var directory = Directory.CreateTempSubdirectory("ecsdeploy-test-").FullName;
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n");
        File.WriteAllText(Path.Combine(directory, "server.js"), "console.log('hello');\n");
        return directory;
    }

    public static PipelineBuilder Seed(string context, Action<DeployOptions>? deploy = null, Action<OllamaOptions>? ollama = null) => Pipeline.For("truecaller-backend")
        .InRegion("eu-central-1")
        .OnCluster("truecaller-backend-cluster")
        .Build(b => b.WorkingDirectory(context).Image("Dockerfile"))
        .Push()
        .Migrate(m => m.Prisma())
        .WithOllama(o =>
        {
            o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds(30));
            ollama?.Invoke(o);
        })
        .Deploy(d =>
        {
            d.Service("truecaller-backend-service")
                .Container("truecaller-backend")
                .Environment("NODE_ENV", "production")
                .Environment("PORT", "3000")
                .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")
                .Secret("REDIS_URL", "truecaller-backend/REDIS_URL")
                .Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET")
                .Secret("GOOGLE_APPLICATION_CREDENTIALS_JSON", "truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON");
            deploy?.Invoke(d);
        })
        .Verify(v => v.Http("/health").Ollama());

    public static async Task<(PipelineResult Result, RecordingReporter Events)> RunAsync(SimulatedAws aws, PipelineDefinition definition, RunOptions? options = null)
    {
        var reporter = new RecordingReporter();
        var result = await PipelineRunner.RunAsync(definition, aws.CreateEnvironment(), options ?? new RunOptions { GitSha = GitSha }, reporter);
        return (result, reporter);
    }

    public static string AllText(PipelineResult result, RecordingReporter events)
        => System.Text.Json.JsonSerializer.Serialize(result) + "\n" + string.Join("\n", events.Events.Select(e => e.ToString()));
}
