using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>The seeded simulated AWS and a few moves on it, for the fidelity tests: register a changed revision, deploy it, let time pass.</summary>
internal sealed class SimWorld
{
    public const string Cluster = "truecaller-backend-cluster";
    public const string Service = "truecaller-backend-service";
    public const string Family = "truecaller-backend";

    public SimWorld(int desiredCount = 2)
    {
        Aws = new SimulatedAws();
        Seed.Apply(Aws, SeedSpec.Truecaller with { DesiredCount = desiredCount });
    }

    public SimulatedAws Aws { get; }

    public EcsService Describe() => Aws.Ecs.Service(Cluster, Service);

    public IReadOnlyList<string> Messages() => [.. Describe().Events.Select(e => e.Message)];

    public IReadOnlyList<EcsTask> TasksOf(string deploymentId) => [.. Aws.Ecs.AllTasks().Where(t => t.StartedBy == deploymentId)];

    /// <summary>Registers a revision of the family changed by <paramref name="change"/>; returns its ARN.</summary>
    public async Task<string> RegisterAsync(Func<TaskDefinition, TaskDefinition>? change = null)
    {
        var current = Aws.Ecs.CurrentTaskDefinition(Cluster, Service) with { TaskDefinitionArn = null, Revision = null, Status = null, RegisteredAt = null };
        var response = await Aws.Ecs.RegisterTaskDefinitionAsync(new RegisterTaskDefinitionRequest((change ?? (d => d))(current), []), CancellationToken.None);
        return response.TaskDefinition.TaskDefinitionArn!;
    }

    /// <summary>Deploys <paramref name="taskDefinitionArn"/> with the breaker (and rollback) on; returns the new deployment's id.</summary>
    public async Task<string> DeployAsync(string taskDefinitionArn, bool breaker = true, bool rollback = true, int? maximumPercent = null, int? minimumHealthyPercent = null)
    {
        var response = await Aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest
        {
            Cluster = Cluster,
            Service = Service,
            TaskDefinition = taskDefinitionArn,
            DeploymentConfiguration = new DeploymentConfiguration
            {
                DeploymentCircuitBreaker = new DeploymentCircuitBreaker(breaker, rollback),
                MaximumPercent = maximumPercent,
                MinimumHealthyPercent = minimumHealthyPercent,
            },
        }, CancellationToken.None);
        return response.Service.Deployments[0].Id;
    }

    /// <summary>Registers a changed revision and deploys it.</summary>
    public async Task<string> DeployChangeAsync(Func<TaskDefinition, TaskDefinition>? change = null, bool breaker = true, bool rollback = true)
        => await DeployAsync(await RegisterAsync(change), breaker, rollback);

    /// <summary>Lets virtual time pass, a second at a time (so that every intermediate state can be looked at).</summary>
    public void Wait(TimeSpan span) => Aws.Clock.Advance(span);

    /// <summary>Advances until <paramref name="condition"/> holds (at most <paramref name="limit"/>); returns the virtual time it took.</summary>
    public TimeSpan WaitUntil(Func<bool> condition, TimeSpan? limit = null)
    {
        var start = Aws.Clock.GetUtcNow();
        var end = start + (limit ?? TimeSpan.FromMinutes(30));
        while (!condition())
        {
            if (Aws.Clock.GetUtcNow() >= end)
            {
                throw new TimeoutException($"condition not met within {limit ?? TimeSpan.FromMinutes(30)}; events: {string.Join(" | ", Messages().Take(8))}");
            }
            Aws.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        return Aws.Clock.GetUtcNow() - start;
    }

    /// <summary>The image the service runs now with another digest (not in ECR).</summary>
    public static TaskDefinition WithMissingImage(TaskDefinition definition)
        => WithImage(definition, definition.ContainerDefinitions![0].Image!.Split('@')[0] + "@sha256:" + new string('d', 64));

    public static TaskDefinition WithImage(TaskDefinition definition, string image)
        => definition with { ContainerDefinitions = [definition.ContainerDefinitions![0] with { Image = image }, .. definition.ContainerDefinitions.Skip(1)] };

    public static TaskDefinition WithSecret(TaskDefinition definition, string name, string valueFrom)
        => definition with { ContainerDefinitions = [definition.ContainerDefinitions![0] with { Secrets = [new EcsSecret(name, valueFrom)] }, .. definition.ContainerDefinitions.Skip(1)] };
}
