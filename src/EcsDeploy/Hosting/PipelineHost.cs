using System.Runtime.InteropServices;
using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Reporting;

namespace EcsDeploy.Hosting;

/// <summary>
/// The one host of pipeline runs. A script's <c>RunAsync(args)</c> runs through <see cref="RunAsync"/> (the command
/// line, the console reporters, exit codes); a deploy project's <c>IPipelineExecutor</c> runs through
/// <see cref="RunPipelineAsync"/>. Both take the same <see cref="HostOptions"/> with the same defaults, and give the
/// same <see cref="PipelineResult"/> for the same pipeline: an invalid definition, invalid options or an invalid
/// environment (no credentials) end with <see cref="RunOutcome.Invalid"/> and the problems, before any change.
/// </summary>
public sealed class PipelineHost
{
    private readonly Lock _gate = new();
    private IConsoleReporterFactory? _consoleReporter;
    private bool _consoleReporterKnown;

    /// <summary>Creates a host with the <c>aws</c> target registered; <c>local</c> and the live terminal view are found
    /// by their assembly attributes when the application references EcsDeploy.Testing and EcsDeploy.Terminal.</summary>
    public PipelineHost()
    {
        Targets.Add("aws", new AwsWireTarget());
        foreach (var command in Operations.DayTwoCommands.Create())
        {
            Commands.Add(command);
        }
    }

    /// <summary>The deployment targets, by <c>--target</c> name. Register your own, or a <c>LocalTarget</c> instance to
    /// read the simulated AWS a run created.</summary>
    public DeploymentTargets Targets { get; } = new();

    /// <summary>
    /// The live view on an interactive terminal. Unless one is set, the one an assembly announces with
    /// <see cref="ConsoleReporterAttribute"/> (EcsDeploy.Terminal), found on first use; null when there is none.
    /// </summary>
    public IConsoleReporterFactory? ConsoleReporter
    {
        get
        {
            lock (_gate)
            {
                if (!_consoleReporterKnown)
                {
                    _consoleReporter = PluginDiscovery.FindConsoleReporter();
                    _consoleReporterKnown = true;
                }
                return _consoleReporter;
            }
        }
        set
        {
            lock (_gate)
            {
                _consoleReporter = value;
                _consoleReporterKnown = true;
            }
        }
    }

    /// <summary>
    /// Parses a script's command line as <see cref="RunAsync"/> does, without running anything; <paramref name="problems"/>
    /// lists each bad argument, naming its option.
    /// </summary>
    public CommandLineOptions Parse(IReadOnlyList<string> args, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(args);
        var commandLine = new HostCommandLine(Targets.Names, Commands);
        return commandLine.Read(commandLine.Parse(args), out problems);
    }

    /// <summary>Subcommands beside the default pipeline run (<c>dotnet run deploy.cs -- NAME</c>); the day-2 commands (status,
    /// diff, rollback, run, revisions, deregister, scale) are there from the start.</summary>
    public IList<PipelineCommand> Commands { get; } = [];

    /// <summary>
    /// Builds <paramref name="pipeline"/> and runs it with <paramref name="options"/>, reporting to
    /// <paramref name="reporter"/>. Never throws for a failed or invalid run: read the result's outcome.
    /// </summary>
    public async Task<PipelineResult> RunPipelineAsync(PipelineBuilder pipeline, HostOptions options, IPipelineReporter reporter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        var problems = options.Validate(Targets.Names, property => $"{HostOptions.SectionName}:{property}");
        if (problems.Count > 0)
        {
            return Failure(pipeline.Name, options.Target, FailureKind.Invalid, string.Join(Environment.NewLine, problems));
        }
        var (definition, invalid) = Define(pipeline, options);
        if (definition is null)
        {
            return invalid!;
        }
        var (aws, failure) = await OpenAsync(definition, options, cancellationToken).ConfigureAwait(false);
        if (aws is null)
        {
            return failure!;
        }
        return await PipelineRunner.RunAsync(definition, aws, options.ToRunOptions(new SecretMasker()), reporter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Parses <paramref name="args"/>, builds the definition, runs the pipeline (or the selected command), prints the
    /// result to <paramref name="stdout"/> and returns the exit code (<see cref="ExitCodes"/>). Environment variables
    /// (<c>GITHUB_ACTIONS</c>, <c>GITHUB_STEP_SUMMARY</c>, <c>TERM</c>, <c>CI</c>) are read through <paramref name="environment"/>.
    /// </summary>
    public async Task<int> RunAsync(PipelineBuilder pipeline, string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(environment);
        var commandLine = new HostCommandLine(Targets.Names, Commands);
        var parse = commandLine.Parse(args);
        if (HostCommandLine.IsHelp(parse))
        {
            await HostCommandLine.WriteHelpAsync(parse, stdout, stderr, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        var options = commandLine.Read(parse, out var problems);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await stderr.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            }
            await stderr.WriteLineAsync("Run with --help to see every option and what it does.").ConfigureAwait(false);
            return ExitCodes.For(FailureKind.Invalid);
        }

        var (definition, invalid) = Define(pipeline, options.Host);
        if (definition is null)
        {
            return await WriteFailureAsync(invalid!, options, stdout, stderr, prefix: "").ConfigureAwait(false);
        }
        if (options.EmitWorkflows is not null)
        {
            await CiCommands.EmitWorkflowsAsync(definition, options.EmitWorkflows, stdout, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        if (options.PrintIamPolicy)
        {
            var target = definition.UsesAws ? Targets.Find(options.Host.Target) : null;
            var iamCommand = options.IamCommand is { } name ? Commands.First(c => c.Name == name) : null;
            await CiCommands.PrintIamPolicyAsync(definition, options, target, iamCommand, stdout, stderr, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
        var (aws, failure) = await OpenAsync(definition, options.Host, cancel.Token).ConfigureAwait(false);
        if (aws is null)
        {
            return await WriteFailureAsync(failure!, options, stdout, stderr, prefix: "error: ").ConfigureAwait(false);
        }
        if (commandLine.SelectedCommand(parse) is { } command)
        {
            try
            {
                // Pipeline.FromTerraform: a command acts on the names Terraform gives, as a run does.
                definition = await Discovery.TerraformNames.ResolveAsync(definition, aws.Terraform, cancel.Token).ConfigureAwait(false);
            }
            catch (PipelineStageException ex)
            {
                return await WriteFailureAsync(Failure(definition.Name, options.Host.Target, ex.Kind, ex.Message), options, stdout, stderr, prefix: "error: ").ConfigureAwait(false);
            }
            return await RunCommandAsync(command, parse, options, definition, aws, stdout, stderr, environment, cancel.Token).ConfigureAwait(false);
        }
        var console = new ConsoleRun(this, options, stdout, stderr, environment, aws);
        var result = await PipelineRunner.RunAsync(definition, aws, options.Host.ToRunOptions(console.Masker), console.Progress, cancel.Token).ConfigureAwait(false);
        await console.CompleteAsync(result).ConfigureAwait(false);
        return ExitCodes.For(result.Outcome);
    }

    private static (PipelineDefinition? Definition, PipelineResult? Invalid) Define(PipelineBuilder pipeline, HostOptions options)
    {
        try
        {
            return (pipeline.Build(), null);
        }
        catch (PipelineValidationException ex)
        {
            return (null, Failure(pipeline.Name, options.Target, FailureKind.Invalid, ex.Message));
        }
    }

    /// <summary>The environment of the options' target; a pipeline of AWS-free stages only (PR checks) needs none.</summary>
    private async Task<(AwsEnvironment? Aws, PipelineResult? Failure)> OpenAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken)
    {
        if (!definition.UsesAws)
        {
            return (Checks.NoAwsEnvironment.Create(), null);
        }
        var target = Targets.Find(options.Target);
        if (target is null)
        {
            return (null, Failure(definition.Name, options.Target, FailureKind.Invalid, options.Target == "local"
                ? "Target local needs the simulated AWS: reference EcsDeploy.Testing (in a script: #:package EcsDeploy.Testing, or #:project .../EcsDeploy.Testing)."
                : $"No deployment target named '{options.Target}': use 'aws', or register it on the host."));
        }
        try
        {
            return (await target.CreateAsync(definition, options.Clone(), cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is PipelineStageException or AwsServiceException or ArgumentException or InvalidOperationException)
        {
            var message = ex is ArgumentException { ParamName: { } parameter } ? ex.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal) : ex.Message;
            return (null, Failure(definition.Name, options.Target, ex is PipelineStageException stage ? stage.Kind : FailureKind.Invalid, message));
        }
    }

    private async Task<int> RunCommandAsync(PipelineCommand command, System.CommandLine.ParseResult parse, CommandLineOptions options, PipelineDefinition definition,
        AwsEnvironment aws, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var masker = new SecretMasker();
        var log = options.Output == "json" ? stderr : stdout;
        IPipelineReporter progress = GitHubActionsReporter.IsGitHubActions(environment)
            ? new GitHubActionsReporter(log, masker, options.Host.Verbose)
            : new TextReporter(log, options.Host.Verbose);
        var context = new PipelineCommandContext
        {
            Definition = definition,
            Aws = aws,
            Reporter = new MaskingReporter(progress, masker),
            Masker = masker,
            Options = options,
            ParseResult = parse,
            Out = stdout,
        };
        FailureKind? kind;
        try
        {
            kind = await command.Run(context, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineStageException ex)
        {
            await stderr.WriteLineAsync($"error: {masker.Apply(ex.Message)}").ConfigureAwait(false);
            kind = ex.Kind;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            kind = FailureKind.Cancelled;
        }
        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return kind is { } failed ? ExitCodes.For(failed) : ExitCodes.Success;
    }

    private static async Task<int> WriteFailureAsync(PipelineResult failure, CommandLineOptions options, TextWriter stdout, TextWriter stderr, string prefix)
    {
        await stderr.WriteLineAsync(prefix + failure.Error).ConfigureAwait(false);
        if (options.Output == "json")
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(failure, ScriptHost.ResultJson)).ConfigureAwait(false);
        }
        return ExitCodes.For(failure.Outcome);
    }

    private static PipelineResult Failure(string pipeline, string target, FailureKind kind, string error) => new()
    {
        Pipeline = pipeline,
        Target = target,
        Outcome = kind switch
        {
            FailureKind.Invalid => RunOutcome.Invalid,
            FailureKind.NeedsAttention => RunOutcome.NeedsAttention,
            FailureKind.Cancelled => RunOutcome.Cancelled,
            _ => RunOutcome.Failed,
        },
        Error = error,
    };

    private sealed class MaskingReporter(IPipelineReporter inner, SecretMasker masker) : IPipelineReporter
    {
        public void Report(PipelineEvent pipelineEvent) => inner.Report(masker.Mask(pipelineEvent));
    }
}
