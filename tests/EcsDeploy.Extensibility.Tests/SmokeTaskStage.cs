using EcsDeploy.Aws;
using EcsDeploy.Tasks;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy.Extensibility.Tests;

/// <summary>
/// A third-party stage, as a user would write one: it requires the pushed image, registers its own task-definition
/// revision (a smoke-test task on that image) through the public service, runs it as a one-off task and fails the run
/// when the task's essential container fails.
/// </summary>
public static class SmokeTaskExtensions
{
    /// <summary>Runs <paramref name="command"/> in a one-off task on the pushed image.</summary>
    [PipelineStage("SmokeTask", Requires = [OutputNames.Image], Produces = [SmokeTaskStage.ResultName])]
    public static PipelineBuilder SmokeTask(this PipelineBuilder pipeline, string networkOf, params string[] command)
        => pipeline.AddStage(new SmokeTaskStage(networkOf, command));
}

/// <summary>The stage behind <see cref="SmokeTaskExtensions.SmokeTask"/>.</summary>
public sealed class SmokeTaskStage(string networkOf, IReadOnlyList<string> command) : IPipelineStage
{
    /// <summary>The output's name, for declarations.</summary>
    public const string ResultName = "smoke task result";

    /// <summary>How the smoke task ended.</summary>
    public static readonly OutputKey<OneOffTaskResult> Result = new(ResultName);

    /// <inheritdoc />
    public StageDescriptor Descriptor { get; } = StageDescriptor.FromMethod(typeof(SmokeTaskExtensions), nameof(SmokeTaskExtensions.SmokeTask));

    /// <inheritdoc />
    public void Validate(PipelineDefinition definition, ICollection<string> problems)
    {
        if (command.Count == 0)
        {
            problems.Add("SmokeTask: no command: give the program and its arguments.");
        }
    }

    /// <inheritdoc />
    public Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
        => Task.FromResult(new StagePlan(Descriptor.Name, $"run '{string.Join(' ', command)}' on the pushed image"));

    /// <inheritdoc />
    public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        var image = context.Require(StageOutputs.Image, "add .Push()");
        // The smoke task borrows the roles and network of a running service, and runs the new image.
        var running = await context.TaskDefinitions.DescribeServiceAsync(networkOf, cancellationToken);
        var definition = TaskDefinitionRenderer.StripReadOnly(running.TaskDefinition) with
        {
            Family = context.Definition.Name + "-smoke",
            ContainerDefinitions = [running.TaskDefinition.ContainerDefinitions![0] with { Name = "smoke", Image = image.Reference, Secrets = [], Environment = [] }],
        };
        var registered = await context.TaskDefinitions.RegisterAsync(definition, tags: null, cancellationToken);
        var result = await context.Tasks.RunAsync(new OneOffTaskRequest(registered.Arn)
        {
            Purpose = "smoke task",
            Container = "smoke",
            Command = command,
            NetworkConfiguration = running.Service.NetworkConfiguration,
        }, cancellationToken);
        context.Set(Result, result);
        if (!result.Succeeded)
        {
            throw new PipelineStageException($"SmokeTask: {result.Describe()}.", FailureKind.Failed);
        }
    }
}
