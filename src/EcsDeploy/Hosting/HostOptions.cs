using System.Text.RegularExpressions;
using EcsDeploy.Reporting;
using EcsDeploy.Rules;

namespace EcsDeploy.Hosting;

/// <summary>
/// How the host runs a pipeline: the one options shape of both entries. A script fills it from its command line
/// (<c>--target</c>, <c>--dry-run</c>, ...); a deploy project binds it from the <c>EcsDeploy</c> configuration section
/// (<c>services.AddEcsDeploy(configuration)</c>). The defaults and the validation rules are the same for both.
/// </summary>
public sealed class HostOptions
{
    /// <summary>The configuration section a deploy project binds (<c>EcsDeploy:Target</c>, <c>EcsDeploy:DryRun</c>, ...).</summary>
    public const string SectionName = "EcsDeploy";

    /// <summary>The built-in target names: <c>local</c> (the simulated AWS of EcsDeploy.Testing) and <c>aws</c>.</summary>
    public static IReadOnlyList<string> BuiltInTargets { get; } = ["local", "aws"];

    /// <summary>Where to deploy: <c>local</c> (default: the simulated AWS, needs EcsDeploy.Testing), <c>aws</c>, or a target registered on the host.</summary>
    public string Target { get; set; } = "local";
    /// <summary>Plan only: read-only calls, nothing changes.</summary>
    public bool DryRun { get; set; }
    /// <summary>Update the service but neither wait nor verify (the result says: not confirmed).</summary>
    public bool NoWait { get; set; }
    /// <summary>Deploy the Ollama service too.</summary>
    public bool DeployOllama { get; set; }
    /// <summary>Deploy every service the deployed one depends on first (Ollama included).</summary>
    public bool DeployDependencies { get; set; }
    /// <summary>Deploy an image already in the registry under this tag instead of building one.</summary>
    public string? ImageTag { get; set; }
    /// <summary>The commit to tag the image with (default: <c>GITHUB_SHA</c>, then <c>git rev-parse HEAD</c>).</summary>
    public string? GitSha { get; set; }
    /// <summary>A failure scenario of the simulated AWS (local target only).</summary>
    public string? Fault { get; set; }
    /// <summary>More detail in the reporters: every plan input, retries, command output.</summary>
    public bool Verbose { get; set; }
    /// <summary>
    /// How far to follow a blue/green, linear or canary deployment: <c>deployed</c> (the default, null) to its end, or a
    /// lifecycle stage (<c>PRODUCTION_TRAFFIC_SHIFT</c>, <c>BAKE_TIME</c>, ...) at which the run stops following, skips
    /// Verify and exits 0 with outcome <c>not-confirmed</c>, the deployment going on in ECS.
    /// </summary>
    public string? WaitUntil { get; set; }
    /// <summary>The folder relative paths in the definition resolve against (default: the current folder).</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>A copy, so that a target or a command cannot change the caller's options.</summary>
    public HostOptions Clone() => (HostOptions)MemberwiseClone();

    /// <summary>The options of the runner for one run of these options.</summary>
    public RunOptions ToRunOptions(SecretMasker masker) => new()
    {
        DryRun = DryRun,
        NoWait = NoWait,
        DeployOllama = DeployOllama,
        DeployDependencies = DeployDependencies,
        ImageTag = ImageTag,
        GitSha = GitSha,
        WaitUntilStage = WaitUntilStage(WaitUntil),
        Masker = masker,
        WorkingDirectory = WorkingDirectory ?? Directory.GetCurrentDirectory(),
    };

    /// <summary>
    /// Every problem with these options: an unknown target, a fault on a target other than <c>local</c>, an image tag
    /// that breaks ECR's naming rule. <paramref name="name"/> spells an option's name as the caller's user writes it
    /// (<c>Target</c> becomes <c>--target</c> on the command line, <c>EcsDeploy:Target</c> in configuration).
    /// </summary>
    public IReadOnlyList<string> Validate(IEnumerable<string> targets, Func<string, string> name)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(name);
        var problems = new List<string>();
        var known = targets.Distinct(StringComparer.Ordinal).ToList();
        if (!known.Contains(Target, StringComparer.Ordinal))
        {
            problems.Add($"{name(nameof(Target))} must be {Alternatives(known)}, not '{Target}'.");
        }
        if (Fault is not null && Target != "local")
        {
            problems.Add($"{name(nameof(Fault))} works with {name(nameof(Target))} local only: faults are scenarios of the simulated AWS.");
        }
        if (ImageTag is not null && AwsNamingRules.Check(AwsNameKind.ImageTag, ImageTag) is { } tagProblem)
        {
            problems.Add($"{name(nameof(ImageTag))}: {tagProblem}");
        }
        if (WaitUntil is not null && !string.Equals(WaitUntil, Deployed, StringComparison.OrdinalIgnoreCase)
            && !Deployments.ServiceDeploymentFollower.StageOrder.Contains(WaitUntil.ToUpperInvariant()))
        {
            problems.Add($"{name(nameof(WaitUntil))} must be '{Deployed}' or a lifecycle stage of a blue/green, linear or canary deployment "
                + $"({string.Join(", ", Deployments.ServiceDeploymentFollower.StageOrder)}), not '{WaitUntil}'.");
        }
        else if (NoWait && WaitUntilStage(WaitUntil) is { } stage)
        {
            problems.Add($"{name(nameof(NoWait))} and {name(nameof(WaitUntil))} {stage} contradict each other: one waits for nothing, the other until {stage}; drop one.");
        }
        return problems;
    }

    /// <summary>The value of <see cref="WaitUntil"/> that follows a deployment to its end.</summary>
    public const string Deployed = "deployed";

    /// <summary>The lifecycle stage <paramref name="waitUntil"/> names (upper case), or null for <c>deployed</c> or nothing.</summary>
    internal static string? WaitUntilStage(string? waitUntil)
        => waitUntil is null || string.Equals(waitUntil, Deployed, StringComparison.OrdinalIgnoreCase) ? null : waitUntil.ToUpperInvariant();

    /// <summary>The account id rule of <c>--account-id</c>: 12 digits.</summary>
    internal static string? CheckAccountId(string accountId, string optionName)
        => Regex.IsMatch(accountId, "^[0-9]{12}$") ? null : $"{optionName} must be the 12-digit AWS account id, not '{accountId}'.";

    private static string Alternatives(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "a registered target",
        1 => $"'{names[0]}'",
        _ => string.Join(", ", names.Take(names.Count - 1).Select(n => $"'{n}'")) + $" or '{names[^1]}'",
    };
}
