using System.CommandLine;
using System.CommandLine.Help;

namespace EcsDeploy.Hosting;

/// <summary>
/// A pipeline script's command line, on System.CommandLine: the default command runs the pipeline, and every
/// <see cref="PipelineCommand"/> registered on the host is a subcommand beside it. The options of
/// <see cref="HostOptions"/> and the console's (<c>--output</c>, <c>--plain</c>) apply to subcommands too; the commands
/// that change nothing (<c>--print-iam-policy</c>, <c>--emit-workflows</c>) belong to the pipeline run.
/// </summary>
internal sealed class HostCommandLine
{
    // An argument starting with @ is a value (an image tag, a folder), never a response file to expand.
    private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null };

    private readonly IReadOnlyList<string> _targets;

    private readonly Option<string> _target = new("--target")
    {
        Description = "Where to deploy: local (default), the simulated AWS of EcsDeploy.Testing seeded with the pipeline's names; aws, your account through the default credential chain",
        HelpName = "local|aws",
        DefaultValueFactory = _ => "local",
        Recursive = true,
    };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Plan only: read-only calls; print each stage's plan and the task-definition diff. Nothing changes", Recursive = true };
    private readonly Option<bool> _noWait = new("--no-wait") { Description = "Update the service but neither wait nor verify (the result says: not confirmed)", Recursive = true };
    private readonly Option<string?> _waitUntil = new("--wait-until")
    {
        Description = "Blue/green, linear and canary deployments: deployed (the default) follows the deployment to its end; a lifecycle stage (POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, ...) stops following once the deployment reaches it, skips Verify and exits 0 (not confirmed)",
        HelpName = "deployed|STAGE",
    };
    private readonly Option<bool> _deployOllama = new("--deploy-ollama") { Description = "Deploy the Ollama service too", Recursive = true };
    private readonly Option<bool> _deployDependencies = new("--deploy-dependencies") { Description = "First roll out every service the deployed one depends on (Ollama included), each after its own dependencies", Recursive = true };
    private readonly Option<string?> _imageTag = new("--image-tag") { Description = "Deploy an image already in ECR under this tag instead of building one (Build and Push are skipped)", HelpName = "TAG", Recursive = true };
    private readonly Option<string?> _fault = new("--fault")
    {
        Description = "Local target only: a failure scenario of the simulated AWS (unhealthy-tasks, crash-on-start, image-pull-failure, image-expired, missing-secret, no-capacity, migration-failure, no-ollama, unhealthy-ollama, throttling, critical-vulnerability, untrusted-execution-role, alarm-during-bake)",
        HelpName = "NAME",
        Recursive = true,
    };
    private readonly Option<string> _output = new("--output") { Description = "text (default) or json: the JSON result on stdout, progress on stderr; an explicit text means plain lines", HelpName = "text|json", DefaultValueFactory = _ => "text", Recursive = true };
    private readonly Option<bool> _plain = new("--plain") { Description = "Plain lines even on an interactive terminal (there the default is the live view of EcsDeploy.Terminal)", Recursive = true };
    private readonly Option<string?> _gitSha = new("--git-sha") { Description = "The commit to tag the image with (default: GITHUB_SHA, then git rev-parse HEAD)", HelpName = "SHA", Recursive = true };
    private readonly Option<bool> _verbose = new("--verbose") { Description = "More detail: every plan input, retries, command output", Recursive = true };
    private readonly Option<bool> _printIamPolicy = new("--print-iam-policy") { Description = "Print the least-privilege IAM policy the pipeline needs and change nothing (with --account-id ID)" };
    private readonly Option<string?> _iamCommand = new("--command") { Description = "With --print-iam-policy: the policy of one command (status, diff, rollback, run, revisions, deregister, scale) instead of the pipeline run's", HelpName = "NAME" };
    private readonly Option<string?> _accountId = new("--account-id") { Description = "The 12-digit AWS account id in the policy's ARNs (default: the ${AWS::AccountId} placeholder)", HelpName = "ID" };
    private readonly Option<string?> _emitWorkflows = new("--emit-workflows") { Description = "Write DIR/.github/workflows/deploy.yml and pr-check.yml and change nothing", HelpName = "DIR" };

    private readonly Dictionary<Command, PipelineCommand> _commands = [];

    /// <summary>The exit codes, printed after the options by <c>--help</c>.</summary>
    public const string ExitCodesHelp = """
        Exit codes:
          0    deployed and verified (or planned with --dry-run, or updated with --no-wait)
          1    failed, and the service is on the last good revision (rolled back, or never touched)
          2    invalid definition, arguments or environment, found before any change: nothing changed
          3    failed, and the service's state needs attention
          130  cancelled
        """;

    public HostCommandLine(IReadOnlyList<string> targets, IEnumerable<PipelineCommand> commands)
    {
        _targets = targets;
        Root = new RootCommand("Runs the pipeline: plan every stage, then build, push, migrate, deploy and verify (the default command).")
        {
            _target, _dryRun, _noWait, _waitUntil, _deployOllama, _deployDependencies, _imageTag, _fault, _output, _plain, _gitSha, _verbose,
            _printIamPolicy, _iamCommand, _accountId, _emitWorkflows,
        };
        // The pipeline run is the root's own work (the host runs it): with an action, a subcommand is optional.
        Root.SetAction(_ => ExitCodes.Success);
        // A pipeline script has no version of its own to print.
        foreach (var version in Root.Options.OfType<VersionOption>().ToList())
        {
            Root.Options.Remove(version);
        }
        foreach (var command in commands)
        {
            var sub = new Command(command.Name, command.Description);
            foreach (var option in command.Options)
            {
                sub.Options.Add(option);
            }
            foreach (var argument in command.Arguments)
            {
                sub.Arguments.Add(argument);
            }
            Root.Subcommands.Add(sub);
            _commands[sub] = command;
        }
    }

    /// <summary>The root command: the pipeline run, with the registered commands beneath it.</summary>
    public RootCommand Root { get; }

    /// <summary>Every option of the root command, as <c>--help</c> lists them.</summary>
    public IEnumerable<Option> Options => Root.Options;

    /// <summary>Parses <paramref name="args"/>; a command to run begins at <c>--</c> or at its first word (<see cref="TrailingCommand"/>).</summary>
    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(TrailingCommand.Separate(Root, args), Configuration);

    /// <summary>True when the parse asks for help (<c>--help</c>, <c>-h</c>, <c>-?</c>).</summary>
    public static bool IsHelp(ParseResult result) => result.Action is HelpAction;

    /// <summary>The registered command the parse selected, or null for the pipeline run.</summary>
    public PipelineCommand? SelectedCommand(ParseResult result) => _commands.GetValueOrDefault(result.CommandResult.Command);

    /// <summary>The options of a parse; <paramref name="problems"/> lists every error, each naming its option.</summary>
    public CommandLineOptions Read(ParseResult result, out IReadOnlyList<string> problems)
    {
        var errors = result.Errors.Select(e => e.Message).ToList();
        if (errors.Count > 0)
        {
            // The values of a parse with errors cannot be read; the problems are all there is to say.
            problems = errors;
            return new CommandLineOptions();
        }
        var output = result.GetValue(_output) ?? "text";
        if (output is not ("text" or "json"))
        {
            errors.Add($"--output must be 'text' or 'json', not '{output}'.");
        }
        var host = new HostOptions
        {
            Target = result.GetValue(_target) ?? "local",
            DryRun = result.GetValue(_dryRun),
            NoWait = result.GetValue(_noWait),
            DeployOllama = result.GetValue(_deployOllama),
            DeployDependencies = result.GetValue(_deployDependencies),
            ImageTag = result.GetValue(_imageTag),
            GitSha = result.GetValue(_gitSha),
            Fault = result.GetValue(_fault),
            Verbose = result.GetValue(_verbose),
            WaitUntil = result.GetValue(_waitUntil),
        };
        errors.AddRange(host.Validate(_targets, OptionName));
        var accountId = result.GetValue(_accountId);
        if (accountId is not null && HostOptions.CheckAccountId(accountId, "--account-id") is { } accountProblem)
        {
            errors.Add(accountProblem);
        }
        var iamCommand = result.GetValue(_iamCommand);
        if (iamCommand is not null && !result.GetValue(_printIamPolicy))
        {
            errors.Add($"--command {iamCommand} names the command whose IAM policy to print: add --print-iam-policy.");
        }
        else if (iamCommand is not null && _commands.Values.All(c => c.Name != iamCommand))
        {
            errors.Add($"--command: no command named '{iamCommand}': use one of {string.Join(", ", _commands.Values.Select(c => c.Name))}.");
        }
        problems = errors;
        var explicitText = output == "text" && result.GetResult(_output) is { Implicit: false };
        return new CommandLineOptions
        {
            Host = host,
            Output = output,
            Plain = result.GetValue(_plain) || explicitText,
            PrintIamPolicy = result.GetValue(_printIamPolicy),
            IamCommand = iamCommand,
            AccountId = accountId,
            EmitWorkflows = result.GetValue(_emitWorkflows),
        };
    }

    /// <summary>Writes the help of the parsed command, then the exit codes.</summary>
    public static async Task WriteHelpAsync(ParseResult result, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        await result.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync(ExitCodesHelp).ConfigureAwait(false);
    }

    /// <summary>A <see cref="HostOptions"/> property as the command line spells it (<c>ImageTag</c>: <c>--image-tag</c>).</summary>
    public static string OptionName(string property) => "--" + string.Concat(property.Select((c, i) => char.IsUpper(c) ? (i == 0 ? "" : "-") + char.ToLowerInvariant(c) : c.ToString()));
}
