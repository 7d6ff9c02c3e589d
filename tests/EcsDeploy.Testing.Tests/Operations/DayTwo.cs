using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Hosting;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy.Testing.Tests.Operations;

/// <summary>A seeded simulated AWS and a pipeline script host over it, for the day-2 commands.</summary>
internal sealed class DayTwo
{
    public const string Cluster = "truecaller-backend-cluster";
    public const string Service = "truecaller-backend-service";
    public const string Family = "truecaller-backend";

    public DayTwo(int desiredCount = 2)
    {
        Aws = new SimulatedAws();
        Seed.Apply(Aws, SeedSpec.Truecaller with { DesiredCount = desiredCount });
    }

    /// <summary>Over an AWS the test seeded itself.</summary>
    public DayTwo(SimulatedAws aws) => Aws = aws;

    public SimulatedAws Aws { get; }

    /// <summary>The pipeline the commands belong to: it deploys the seeded service.</summary>
    public static PipelineBuilder Pipeline(Action<DeployOptions>? deploy = null) => EcsDeploy.Pipeline.For("truecaller-backend")
        .InRegion("eu-central-1")
        .OnCluster(Cluster)
        .Deploy(d =>
        {
            d.Service(Service).Container("truecaller-backend").Environment("NODE_ENV", "production").Environment("PORT", "3000");
            deploy?.Invoke(d);
        });

    /// <summary>Runs the script's command line against this simulated AWS.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => await RunAsync(Pipeline(), args);

    /// <summary>Runs <paramref name="pipeline"/>'s command line against this simulated AWS.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(PipelineBuilder pipeline, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new PipelineHost();
        host.Targets.Add("local", new LocalTarget(_ => Aws));
        var code = await host.RunAsync(pipeline, args, stdout, stderr, _ => null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a command with --output json and parses its answer.</summary>
    public async Task<(int ExitCode, JsonElement Json, string Stderr)> JsonAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync([args[0], "--output", "json", .. args[1..]]);
        Assert.True(stdout.Length > 0, $"no JSON on stdout (exit {code}); stderr:\n{stderr}");
        return (code, JsonDocument.Parse(stdout).RootElement.Clone(), stderr);
    }

    /// <summary>Pushes an image tagged <paramref name="tag"/> and registers a revision running it; returns its ARN.</summary>
    public string Register(string tag, bool pushImage = true, string? family = null)
    {
        var current = Aws.Ecs.CurrentTaskDefinition(Cluster, Service);
        var digest = pushImage ? Aws.Ecr.PushTestImage("truecaller-backend", tag) : "sha256:" + new string('0', 64);
        var image = $"{Aws.Ecr.Host}/truecaller-backend@{digest}";
        return Aws.Ecs.Register(TaskDefinitionRenderer.StripReadOnly(current) with
        {
            Family = family ?? Family,
            ContainerDefinitions = [.. current.ContainerDefinitions!.Select(c => c with { Image = image })],
        });
    }

    /// <summary>Deploys <paramref name="taskDefinitionArn"/> as another tool would, and lets the rollout finish.</summary>
    public async Task DeployAsync(string taskDefinitionArn)
    {
        await Aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, TaskDefinition = taskDefinitionArn }, CancellationToken.None);
        Aws.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(taskDefinitionArn, Aws.Ecs.Service(Cluster, Service).TaskDefinition);
    }

    /// <summary>The revision the service runs now, as family:revision.</summary>
    public string Running => Aws.Ecs.Service(Cluster, Service).TaskDefinition![(Aws.Ecs.Service(Cluster, Service).TaskDefinition!.LastIndexOf('/') + 1)..];

    /// <summary>Mutating ECS calls made so far.</summary>
    public IReadOnlyList<string> Mutations => [.. Aws.Calls.Where(c => c.Service == "ECS" && c.Operation is "UpdateService" or "RegisterTaskDefinition" or "DeregisterTaskDefinition" or "DeleteTaskDefinitions" or "RunTask" or "StopTask").Select(c => c.Operation)];
}
