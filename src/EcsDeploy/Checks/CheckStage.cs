using System.Diagnostics;
using System.Text.RegularExpressions;
using EcsDeploy.Processes;
using EcsDeploy.Reporting;

namespace EcsDeploy.Checks;

/// <summary>What every PR check can be told: where the project is, a time limit, extra environment, or to skip.</summary>
/// <typeparam name="TSelf">The concrete options class, so that the methods chain.</typeparam>
public abstract class CheckOptions<TSelf> where TSelf : CheckOptions<TSelf>
{
    internal string? WorkingDirectoryPath { get; private set; }
    internal string? SkipReason { get; private set; }
    internal TimeSpan TimeLimit { get; private set; } = TimeSpan.FromMinutes(10);
    internal Dictionary<string, string> ExtraEnvironment { get; } = new(StringComparer.Ordinal);
    internal List<string> Problems { get; } = [];

    /// <summary>The project folder (with package.json); relative paths resolve against the current folder. Default: the current folder.</summary>
    public TSelf WorkingDirectory(string path)
    {
        WorkingDirectoryPath = path;
        return (TSelf)this;
    }

    /// <summary>
    /// Turns the check off. The result says <c>skipped-by-config</c> with <paramref name="reason"/>, never "passed";
    /// a reason is required so that a reader of the result knows why the check was not done.
    /// </summary>
    public TSelf Skip(string reason)
    {
        SkipReason = reason ?? "";
        return (TSelf)this;
    }

    /// <summary>Stops the check after this long; it then reports <c>could-not-run</c> (default 10 minutes).</summary>
    public TSelf Timeout(TimeSpan limit)
    {
        TimeLimit = limit;
        return (TSelf)this;
    }

    /// <summary>Applies <paramref name="configure"/> only when <paramref name="condition"/> holds, for example
    /// <c>.When(reason is not null, o =&gt; o.Skip(reason!))</c>.</summary>
    public TSelf When(bool condition, Action<TSelf> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (condition)
        {
            configure((TSelf)this);
        }
        return (TSelf)this;
    }

    /// <summary>Sets an environment variable for the check's commands.</summary>
    public TSelf Environment(string name, string value)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            Problems.Add("An environment variable name is empty: give the name, for example .Environment(\"NODE_OPTIONS\", \"--max-old-space-size=4096\").");
        }
        else
        {
            ExtraEnvironment[name] = value ?? "";
        }
        return (TSelf)this;
    }
}

/// <summary>
/// The shape of every PR check: it never calls AWS, never stops the pipeline (every check reports), records a
/// <see cref="CheckResult"/>, and fails the run (exit code 1) when it failed or could not run.
/// </summary>
/// <typeparam name="TOptions">The check's options.</typeparam>
public abstract class CheckStage<TOptions> : IAwsFreeStage where TOptions : CheckOptions<TOptions>
{
    /// <summary>At most this many findings are kept in a result (the summary says how many there were).</summary>
    public const int MaxFindings = 30;

    private static readonly Regex Ansi = new("\u001b\\[[0-9;]*[A-Za-z]", RegexOptions.Compiled);

    /// <summary>Creates the stage.</summary>
    protected CheckStage(StageDescriptor descriptor, TOptions options)
    {
        Descriptor = descriptor;
        Options = options;
    }

    /// <inheritdoc />
    public StageDescriptor Descriptor { get; }

    /// <summary>The check's options.</summary>
    public TOptions Options { get; }

    /// <summary>Runs processes.</summary>
    protected ProcessRunner Runner { get; } = new();

    /// <inheritdoc />
    public void Validate(PipelineDefinition definition, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var name = Descriptor.Name;
        foreach (var problem in Options.Problems)
        {
            problems.Add($"{name}: {problem}");
        }
        if (Options.SkipReason is { } reason && string.IsNullOrWhiteSpace(reason))
        {
            problems.Add($"{name}: .Skip(...) needs a reason, for example .Skip(\"no database in this CI\"), so the result can say why the check was not done.");
        }
        if (Options.WorkingDirectoryPath is { } path && string.IsNullOrWhiteSpace(path))
        {
            problems.Add($"{name}: the working directory is empty: give the project folder, for example .WorkingDirectory(\"samples/truecaller-backend\").");
        }
        if (Options.TimeLimit <= TimeSpan.Zero)
        {
            problems.Add($"{name}: the time limit must be positive, not {Options.TimeLimit}: for example .Timeout(TimeSpan.FromMinutes(5)).");
        }
        ValidateCheck(problems);
    }

    /// <summary>Adds the check's own configuration problems (each with its fix); no I/O.</summary>
    protected virtual void ValidateCheck(ICollection<string> problems)
    {
    }

    /// <summary>The project folder, absolute.</summary>
    protected string ProjectDirectory(PipelineContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Path.GetFullPath(Options.WorkingDirectoryPath ?? ".", context.Options.WorkingDirectory);
    }

    /// <inheritdoc />
    public Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Options.SkipReason is { } reason)
        {
            var summary = $"skipped by configuration: {reason}";
            CheckOutputs.Record(context, new CheckResult(Descriptor.Name, CheckStatus.SkippedByConfig, summary, TimeSpan.Zero));
            return Task.FromResult(new StagePlan(Descriptor.Name, summary) { Skipped = true });
        }
        var directory = ProjectDirectory(context);
        if (!Directory.Exists(directory))
        {
            throw new PipelineStageException($"{Descriptor.Name}: the project folder '{directory}' does not exist: fix .WorkingDirectory(...).", FailureKind.Invalid);
        }
        return Task.FromResult(new StagePlan(Descriptor.Name, Describe(directory)) { Details = [new("project", directory)] });
    }

    /// <summary>What the check will do, for the plan.</summary>
    protected abstract string Describe(string projectDirectory);

    /// <summary>Runs the check in <paramref name="projectDirectory"/> and says what it found.</summary>
    protected abstract Task<CheckOutcome> CheckAsync(PipelineContext context, string projectDirectory, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var directory = ProjectDirectory(context);
        var wall = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Options.TimeLimit);
        CheckOutcome outcome;
        try
        {
            outcome = await CheckAsync(context, directory, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = CheckOutcome.CouldNotRun($"timed out after {Options.TimeLimit.TotalSeconds:0} s: raise .Timeout(...) or look at the output with --verbose");
        }
        catch (CommandExecutionException ex) when (ex.CommandExitCode == -1)
        {
            outcome = CheckOutcome.CouldNotRun(ex.Message);
        }
        var findings = outcome.Findings.Count > MaxFindings
            ? [.. outcome.Findings.Take(MaxFindings), $"... and {outcome.Findings.Count - MaxFindings} more"]
            : outcome.Findings;
        var result = new CheckResult(Descriptor.Name, outcome.Status, outcome.Summary, wall.Elapsed) { Findings = findings, Counts = outcome.Counts };
        CheckOutputs.Record(context, result);
        foreach (var finding in findings)
        {
            if (outcome.Status == CheckStatus.Passed)
            {
                context.Info("  " + finding);
            }
            else
            {
                context.Warn(finding);
            }
        }
        switch (outcome.Status)
        {
            case CheckStatus.Passed:
                context.Info($"passed: {outcome.Summary}");
                break;
            case CheckStatus.Failed:
                throw new PipelineStageException($"failed: {outcome.Summary}", FailureKind.Failed) { StopsPipeline = false };
            default:
                throw new PipelineStageException($"could not run: {outcome.Summary}", FailureKind.Failed) { StopsPipeline = false };
        }
    }

    /// <summary>Runs a command in the project folder with the check's environment, streaming its lines as verbose output; returns its exit code and output (stdout and stderr lines in order).</summary>
    protected async Task<(int ExitCode, string StandardOutput, IReadOnlyList<string> Lines)> RunAsync(
        PipelineContext context, string projectDirectory, string program, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var env = new Dictionary<string, string>(Options.ExtraEnvironment, StringComparer.Ordinal)
        {
            ["NO_COLOR"] = "1",
            ["FORCE_COLOR"] = "0",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            env.TryAdd(name, value);
        }
        var spec = new CommandSpec(program, arguments, projectDirectory) { Environment = env };
        var display = DisplayOf(spec, projectDirectory);
        context.Info($"$ {display}");
        var lines = new List<string>();
        var result = await Runner.RunToExitAsync(spec, line =>
        {
            var clean = StripAnsi(line);
            lock (lines) { lines.Add(clean); }
            context.Report(new CommandOutput(context.Time.GetUtcNow(), Descriptor.Name, display, clean));
        }, cancellationToken).ConfigureAwait(false);
        context.Verbose($"{display}: exit code {result.ExitCode}");
        lock (lines) { return (result.ExitCode, StripAnsi(result.StandardOutput), [.. lines]); }
    }

    /// <summary>The project's own copy of a tool (<c>node_modules/.bin/NAME</c>), or null when it is not installed.</summary>
    protected static string? LocalTool(string projectDirectory, string name)
    {
        var path = Path.Combine(projectDirectory, "node_modules", ".bin", name);
        return File.Exists(path) ? path : null;
    }

    /// <summary>The could-not-run outcome for a tool that is not installed in the project.</summary>
    protected static CheckOutcome ToolMissing(string name, string projectDirectory)
        => CheckOutcome.CouldNotRun($"'{name}' is not installed in {projectDirectory}/node_modules: run 'npm ci' there first");

    /// <summary>Removes terminal colour codes.</summary>
    protected static string StripAnsi(string text) => Ansi.Replace(text ?? "", "");

    /// <summary>The last <paramref name="count"/> non-empty lines, for a could-not-run outcome.</summary>
    protected static IReadOnlyList<string> Tail(IReadOnlyList<string> lines, int count = 8)
        => [.. lines.Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(count)];

    private static string DisplayOf(CommandSpec spec, string projectDirectory)
    {
        var bin = Path.Combine(projectDirectory, "node_modules", ".bin") + Path.DirectorySeparatorChar;
        var program = spec.FileName.StartsWith(bin, StringComparison.Ordinal) ? spec.FileName[bin.Length..] : spec.FileName;
        return (spec with { FileName = program }).Display;
    }
}
