using System.Reflection;
using EcsDeploy.Rules;

namespace EcsDeploy;

/// <summary>
/// Declares, on the extension method that adds a stage, the stage's name, the outputs it requires, uses and produces
/// (by <see cref="OutputKey{T}.Name"/>: constants of <see cref="OutputNames"/> for the built-in ones), and, only where
/// no data flows, the stages it must follow or precede. The order of a pipeline follows from these declarations:
/// <see cref="PipelineBuilder.Build"/> and the analyzer read the same attribute, so a third-party stage that carries it
/// is checked like a built-in one.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PipelineStageAttribute(string name) : Attribute
{
    /// <summary>The stage name.</summary>
    public string Name { get; } = name;
    /// <summary>Outputs an earlier stage must produce: without a producer the pipeline is invalid.</summary>
    public string[] Requires { get; init; } = [];
    /// <summary>Outputs the stage reads when the pipeline produces them: their producer must come first.</summary>
    public string[] Uses { get; init; } = [];
    /// <summary>Outputs the stage produces.</summary>
    public string[] Produces { get; init; } = [];
    /// <summary>Stages that, when present, must come before this one although no data flows between them.</summary>
    public string[] RunsAfter { get; init; } = [];
    /// <summary>Stages that, when present, must come after this one although no data flows between them.</summary>
    public string[] RunsBefore { get; init; } = [];
}

/// <summary>A stage's name, data flow and explicit ordering facts.</summary>
public sealed record StageDescriptor(string Name)
{
    /// <summary>Outputs an earlier stage must produce.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];
    /// <summary>Outputs the stage reads when the pipeline produces them.</summary>
    public IReadOnlyList<string> Uses { get; init; } = [];
    /// <summary>Outputs the stage produces.</summary>
    public IReadOnlyList<string> Produces { get; init; } = [];
    /// <summary>Stages that, when present, must come before this one although no data flows between them.</summary>
    public IReadOnlyList<string> RunsAfter { get; init; } = [];
    /// <summary>Stages that, when present, must come after this one although no data flows between them.</summary>
    public IReadOnlyList<string> RunsBefore { get; init; } = [];

    /// <summary>Whether the stage declares that it produces <paramref name="output"/>.</summary>
    public bool DeclaresProduces(string output) => Produces.Contains(output, StringComparer.Ordinal);

    /// <summary>Reads the <see cref="PipelineStageAttribute"/> of the method <paramref name="methodName"/> on <paramref name="type"/>.</summary>
    public static StageDescriptor FromMethod(Type type, string methodName)
    {
        ArgumentNullException.ThrowIfNull(type);
        var attribute = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == methodName)
            .Select(m => m.GetCustomAttribute<PipelineStageAttribute>())
            .FirstOrDefault(a => a is not null)
            ?? throw new InvalidOperationException($"{type.Name}.{methodName} has no [PipelineStage] attribute.");
        return new StageDescriptor(attribute.Name)
        {
            Requires = attribute.Requires,
            Uses = attribute.Uses,
            Produces = attribute.Produces,
            RunsAfter = attribute.RunsAfter,
            RunsBefore = attribute.RunsBefore,
        };
    }

    internal StageOrder ToOrder() => new(Name, Requires, Uses, Produces, RunsAfter, RunsBefore);
}

/// <summary>
/// A stage of a pipeline. Stages validate their options without I/O, plan with read-only calls, and execute;
/// they share typed outputs through the <see cref="PipelineContext"/>.
/// </summary>
public interface IPipelineStage
{
    /// <summary>The stage's name and ordering facts.</summary>
    StageDescriptor Descriptor { get; }

    /// <summary>Adds every problem of the stage's configuration to <paramref name="problems"/>; no I/O.</summary>
    void Validate(PipelineDefinition definition, ICollection<string> problems);

    /// <summary>Resolves inputs and says what the stage would do, with read-only calls only.</summary>
    Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken);

    /// <summary>Does the stage's work.</summary>
    Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken);
}

/// <summary>What a stage would do: a summary, resolved inputs, and for deployments the task-definition diff.</summary>
public sealed record StagePlan(string Stage, string Summary)
{
    /// <summary>Resolved inputs and intended actions, as name and value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];
    /// <summary>The task-definition diff against what runs now, for stages that deploy.</summary>
    public IReadOnlyList<string> Diff { get; init; } = [];
    /// <summary>True when the stage will not run in this invocation (for example --image-tag skips Build).</summary>
    public bool Skipped { get; init; }
}

/// <summary>
/// A typed key for an output shared between stages. Its <see cref="Name"/> is what stages declare in
/// <see cref="PipelineStageAttribute.Requires"/>, <see cref="PipelineStageAttribute.Uses"/> and
/// <see cref="PipelineStageAttribute.Produces"/>.
/// </summary>
public sealed record OutputKey<T>(string Name)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>An error a stage raises for a failure the user can act on, with the kind of failure it is.</summary>
public class PipelineStageException(string message, FailureKind kind = FailureKind.Failed, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>What the failure means for the service: invalid and nothing changed, failed and back on the last good
    /// revision, needs attention, or cancelled. Only the host turns it into an exit code.</summary>
    public FailureKind Kind { get; } = kind;

    /// <summary>
    /// False for a failure that must not stop the stages after it (a PR check: every check reports). The run still
    /// fails with <see cref="Kind"/> once every stage has run. Default true.
    /// </summary>
    public bool StopsPipeline { get; init; } = true;
}

/// <summary>
/// Marks a stage that makes no AWS call (for example the PR checks). A pipeline made only of such stages needs no
/// region, cluster or deployment target: the script host runs it without AWS.
/// </summary>
public interface IAwsFreeStage : IPipelineStage;
