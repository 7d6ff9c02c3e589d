using System.CommandLine;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Hosting;

/// <summary>What the host hands a <see cref="PipelineCommand"/> for one invocation.</summary>
public sealed record PipelineCommandContext
{
    /// <summary>The built, valid definition of the script's pipeline.</summary>
    public required PipelineDefinition Definition { get; init; }
    /// <summary>The environment of the chosen target (<c>--target</c>), already created.</summary>
    public required AwsEnvironment Aws { get; init; }
    /// <summary>Where progress goes (plain text, or GitHub Actions); every event passes the run's masker.</summary>
    public required IPipelineReporter Reporter { get; init; }
    /// <summary>The invocation's masker: register any secret value the command reads, mask anything it prints.</summary>
    public required SecretMasker Masker { get; init; }
    /// <summary>The parsed common options.</summary>
    public required CommandLineOptions Options { get; init; }
    /// <summary>The parse result, to read the command's own options and arguments.</summary>
    public required ParseResult ParseResult { get; init; }
    /// <summary>Where the command writes its answer (stdout).</summary>
    public required TextWriter Out { get; init; }
}

/// <summary>
/// A subcommand of a pipeline script beside the default pipeline run (<c>dotnet run deploy.cs -- NAME ...</c>),
/// registered on <see cref="PipelineHost.Commands"/>. It receives the built definition, the target's environment,
/// the reporter and the parsed common options, and answers null for success or the <see cref="FailureKind"/> of its
/// failure; the host turns that into the exit code. A <see cref="PipelineStageException"/> it throws counts as its kind.
/// </summary>
public sealed class PipelineCommand
{
    /// <summary>Creates a command.</summary>
    /// <param name="name">The word on the command line (<c>status</c>).</param>
    /// <param name="description">What it does, for <c>--help</c>.</param>
    /// <param name="run">The work: null when it succeeded, else the kind of its failure.</param>
    public PipelineCommand(string name, string description, Func<PipelineCommandContext, CancellationToken, Task<FailureKind?>> run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentNullException.ThrowIfNull(run);
        Name = name;
        Description = description;
        Run = run;
    }

    /// <summary>The word on the command line.</summary>
    public string Name { get; }
    /// <summary>What it does, for <c>--help</c>.</summary>
    public string Description { get; }
    /// <summary>
    /// The IAM actions the command needs, scoped to the pipeline's resources (<c>--print-iam-policy --command NAME</c>
    /// prints them); none by default.
    /// </summary>
    public Func<Iam.IamScope, IEnumerable<Iam.IamGrant>> IamGrants { get; init; } = _ => [];
    /// <summary>The work.</summary>
    public Func<PipelineCommandContext, CancellationToken, Task<FailureKind?>> Run { get; }
    /// <summary>Options of this command alone (read them through <see cref="PipelineCommandContext.ParseResult"/>).</summary>
    public IList<Option> Options { get; } = [];
    /// <summary>Arguments of this command (read them through <see cref="PipelineCommandContext.ParseResult"/>).</summary>
    public IList<Argument> Arguments { get; } = [];
}
