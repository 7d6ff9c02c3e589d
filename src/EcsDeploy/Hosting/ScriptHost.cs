using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Hosting;

/// <summary>The script host's command line.</summary>
public sealed record HostOptions
{
    /// <summary><c>local</c> (the simulated AWS, default) or <c>aws</c>.</summary>
    public string Target { get; init; } = "local";
    /// <summary>--dry-run.</summary>
    public bool DryRun { get; init; }
    /// <summary>--no-wait.</summary>
    public bool NoWait { get; init; }
    /// <summary>--deploy-ollama.</summary>
    public bool DeployOllama { get; init; }
    /// <summary>--deploy-dependencies.</summary>
    public bool DeployDependencies { get; init; }
    /// <summary>--image-tag TAG.</summary>
    public string? ImageTag { get; init; }
    /// <summary>--fault NAME (local target only).</summary>
    public string? Fault { get; init; }
    /// <summary>--output text|json.</summary>
    public string Output { get; init; } = "text";
    /// <summary>--plain (or an explicit --output text): plain lines even on an interactive terminal.</summary>
    public bool Plain { get; init; }
    /// <summary>--verbose.</summary>
    public bool Verbose { get; init; }
    /// <summary>--git-sha SHA (default: GITHUB_SHA, then git).</summary>
    public string? GitSha { get; init; }
    /// <summary>--print-iam-policy: print the least-privilege IAM policy the pipeline needs, and change nothing.</summary>
    public bool PrintIamPolicy { get; init; }
    /// <summary>--account-id ID: the account in the policy's ARNs (default: the <c>${AWS::AccountId}</c> placeholder).</summary>
    public string? AccountId { get; init; }
    /// <summary>--emit-workflows DIR: write the GitHub Actions workflows under DIR/.github/workflows, and change nothing.</summary>
    public string? EmitWorkflows { get; init; }

    /// <summary>The options that change how a run behaves, for <see cref="PipelineRunner.RunAsync"/>.</summary>
    public RunOptions ToRunOptions() => new()
    {
        DryRun = DryRun,
        NoWait = NoWait,
        DeployOllama = DeployOllama,
        DeployDependencies = DeployDependencies,
        ImageTag = ImageTag,
        GitSha = GitSha,
    };

    /// <summary>The usage text.</summary>
    public const string Usage = """
        Usage: dotnet run <script>.cs -- [options]
          --target local|aws   where to deploy: the simulated AWS (default) or your AWS account
          --dry-run            plan only: read-only calls, print the plan and the task-definition diff
          --no-wait            update the service but neither wait nor verify (the result says: not confirmed)
          --deploy-ollama      deploy the Ollama service too
          --deploy-dependencies  deploy every service the deployed one depends on first (Ollama included)
          --image-tag TAG      deploy an image already in ECR instead of building one
          --fault NAME         local target: a failure scenario (unhealthy-tasks, image-pull-failure,
                               migration-failure, no-ollama, throttling, critical-vulnerability)
          --output text|json   text (default) or the JSON result on stdout; an explicit text means plain lines
          --plain              plain lines even on a terminal (default there: the live view of EcsDeploy.Terminal)
          --git-sha SHA        the commit to tag the image with (default: GITHUB_SHA, then git rev-parse HEAD)
          --verbose            more detail
          --print-iam-policy   print the least-privilege IAM policy the pipeline needs (with --account-id ID)
          --emit-workflows DIR write DIR/.github/workflows/deploy.yml and pr-check.yml
        Exit codes: 0 deployed and verified, 1 failed and rolled back (or never touched the service),
                    2 invalid definition or arguments (nothing changed), 3 failed and needs attention, 130 cancelled.
        """;

    /// <summary>Parses arguments; returns null and a message for anything unknown or malformed.</summary>
    public static HostOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        var options = new HostOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? value = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                value = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (value is not null)
                {
                    return value;
                }
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new FormatException($"Option {arg} needs a value.");
                }
                return args[++i];
            }
            try
            {
                switch (arg)
                {
                    case "--target":
                        options = options with { Target = Value() };
                        if (options.Target is not ("local" or "aws"))
                        {
                            error = $"--target must be 'local' or 'aws', not '{options.Target}'.";
                            return null;
                        }
                        break;
                    case "--dry-run": options = options with { DryRun = true }; break;
                    case "--no-wait": options = options with { NoWait = true }; break;
                    case "--deploy-ollama": options = options with { DeployOllama = true }; break;
                    case "--deploy-dependencies": options = options with { DeployDependencies = true }; break;
                    case "--verbose": options = options with { Verbose = true }; break;
                    case "--plain": options = options with { Plain = true }; break;
                    case "--image-tag": options = options with { ImageTag = Value() }; break;
                    case "--fault": options = options with { Fault = Value() }; break;
                    case "--git-sha": options = options with { GitSha = Value() }; break;
                    case "--print-iam-policy": options = options with { PrintIamPolicy = true }; break;
                    case "--account-id": options = options with { AccountId = Value() }; break;
                    case "--emit-workflows": options = options with { EmitWorkflows = Value() }; break;
                    case "--output":
                        options = options with { Output = Value() };
                        if (options.Output is not ("text" or "json"))
                        {
                            error = $"--output must be 'text' or 'json', not '{options.Output}'.";
                            return null;
                        }
                        options = options with { Plain = options.Plain || options.Output == "text" };
                        break;
                    default:
                        error = $"Unknown option '{args[i]}'.";
                        return null;
                }
            }
            catch (FormatException ex)
            {
                error = ex.Message;
                return null;
            }
        }
        if (options.Fault is not null && options.Target != "local")
        {
            error = "--fault works with --target local only: faults are scenarios of the simulated AWS.";
            return null;
        }
        if (options.AccountId is not null && !System.Text.RegularExpressions.Regex.IsMatch(options.AccountId, "^[0-9]{12}$"))
        {
            error = $"--account-id must be the 12-digit AWS account id, not '{options.AccountId}'.";
            return null;
        }
        if (options.ImageTag is not null && Rules.AwsNamingRules.Check(Rules.AwsNameKind.ImageTag, options.ImageTag) is { } tagProblem)
        {
            error = "--image-tag: " + tagProblem;
            return null;
        }
        return options;
    }
}

/// <summary>
/// Builds an <see cref="AwsEnvironment"/> for a target. EcsDeploy.Testing provides <c>local</c> (the simulated AWS);
/// EcsDeploy provides <c>aws</c>. A target assembly announces itself with <see cref="DeploymentTargetAttribute"/>.
/// </summary>
public interface IDeploymentTarget
{
    /// <summary>Creates the environment the run talks to.</summary>
    Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken);
}

/// <summary>Declares, on an assembly, a deployment target the script host can find by name.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class DeploymentTargetAttribute(string name, Type targetType) : Attribute
{
    /// <summary>The <c>--target</c> name.</summary>
    public string Name { get; } = name;
    /// <summary>A type implementing <see cref="IDeploymentTarget"/> with a public parameterless constructor.</summary>
    public Type TargetType { get; } = targetType;
}

/// <summary>Finds deployment targets.</summary>
public static class DeploymentTargets
{
    private static readonly Dictionary<string, Func<IDeploymentTarget>> Registered = new(StringComparer.Ordinal);

    /// <summary>Registers a target explicitly (tests, custom hosts).</summary>
    public static void Register(string name, Func<IDeploymentTarget> factory)
    {
        lock (Registered) { Registered[name] = factory; }
    }

    /// <summary>Finds a target by name: registered ones, then assemblies carrying <see cref="DeploymentTargetAttribute"/>.</summary>
    public static IDeploymentTarget? Find(string name)
    {
        lock (Registered)
        {
            if (Registered.TryGetValue(name, out var factory))
            {
                return factory();
            }
        }
        // The local target lives in EcsDeploy.Testing, which EcsDeploy cannot reference: load it by name when present.
        var candidates = AppDomain.CurrentDomain.GetAssemblies().ToList();
        if (name == "local" && candidates.All(a => a.GetName().Name != "EcsDeploy.Testing"))
        {
            try
            {
                candidates.Add(Assembly.Load("EcsDeploy.Testing"));
            }
            catch (FileNotFoundException)
            {
                return null;
            }
        }
        var attribute = candidates.SelectMany(a => a.GetCustomAttributes<DeploymentTargetAttribute>()).FirstOrDefault(a => a.Name == name);
        return attribute is null ? null : (IDeploymentTarget)Activator.CreateInstance(attribute.TargetType)!;
    }
}

/// <summary>Runs a pipeline from a script's command line and turns the outcome into an exit code.</summary>
public static class ScriptHost
{
    internal static readonly JsonSerializerOptions ResultJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Parses <paramref name="args"/>, builds the definition, runs it, prints the result, returns the exit code.</summary>
    public static Task<int> RunAsync(PipelineBuilder builder, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
        => RunAsync(builder, args, stdout, stderr, Environment.GetEnvironmentVariable, cancellationToken);

    /// <summary>As <see cref="RunAsync(PipelineBuilder, string[], TextWriter, TextWriter, CancellationToken)"/>, reading
    /// environment variables (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY) through <paramref name="environment"/>.</summary>
    public static async Task<int> RunAsync(PipelineBuilder builder, string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var options = HostOptions.Parse(args, out var error);
        if (options is null)
        {
            await stderr.WriteLineAsync($"error: {error}").ConfigureAwait(false);
            await stderr.WriteLineAsync(HostOptions.Usage).ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        PipelineDefinition definition;
        try
        {
            definition = builder.Build();
        }
        catch (PipelineValidationException ex)
        {
            await stderr.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        if (options.EmitWorkflows is not null)
        {
            return await CiCommands.EmitWorkflowsAsync(definition, options.EmitWorkflows, stdout, cancellationToken).ConfigureAwait(false);
        }

        // A pipeline of AWS-free stages only (PR checks) runs without a deployment target.
        var target = definition.UsesAws ? DeploymentTargets.Find(options.Target) : null;
        if (target is null && definition.UsesAws)
        {
            await stderr.WriteLineAsync(options.Target == "local"
                ? "error: --target local needs the simulated AWS: reference EcsDeploy.Testing (in a script: #:package EcsDeploy.Testing, or #:project .../EcsDeploy.Testing)."
                : $"error: no deployment target named '{options.Target}'.").ConfigureAwait(false);
            return ExitCodes.Invalid;
        }

        if (options.PrintIamPolicy)
        {
            return await CiCommands.PrintIamPolicyAsync(definition, options, target, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });

        AwsEnvironment aws;
        try
        {
            aws = target is null ? Checks.NoAwsEnvironment.Create() : await target.CreateAsync(definition, options, cancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PipelineStageException or AwsServiceException or ArgumentException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ex is PipelineStageException stageError ? ExitCodes.For(stageError.Kind) : ExitCodes.Invalid;
        }

        var masker = new SecretMasker();
        var log = options.Output == "json" ? stderr : stdout;
        var kind = ConsoleReporters.Choose(options, environment, ConsoleReporters.IsInteractiveConsole(stdout));
        var github = kind == ReporterKind.GitHubActions ? new GitHubActionsReporter(log, masker, options.Verbose) : null;
        var terminal = kind == ReporterKind.Terminal
            ? ConsoleReporters.Find()?.Create(new ConsoleReporterContext
            {
                Out = stdout,
                Options = options,
                Masker = masker,
                TimeProvider = aws.TimeProvider,
                Target = aws.Description,
                Environment = environment,
            })
            : null;
        IPipelineReporter progress = github ?? terminal ?? (IPipelineReporter)new TextReporter(log, options.Verbose);
        var result = await PipelineRunner.RunAsync(definition, aws, options.ToRunOptions() with { Masker = masker }, progress, cancel.Token).ConfigureAwait(false);

        if (github is not null)
        {
            await github.CompleteAsync(result, environment("GITHUB_STEP_SUMMARY"), CancellationToken.None).ConfigureAwait(false);
        }
        if (options.Output == "json")
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(result, ResultJson)).ConfigureAwait(false);
        }
        else if (terminal is not null)
        {
            await terminal.CompleteAsync(result, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            TextReporter.WriteSummary(stdout, result);
            Checks.CheckReport.Write(stdout, result);
        }
        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return result.ExitCode;
    }
}
