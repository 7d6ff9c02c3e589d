namespace EcsDeploy.Hosting;

/// <summary>
/// A script's parsed command line: the <see cref="HostOptions"/> both entries share, plus what only a command line
/// has (how the console shows the run, and the commands that change nothing).
/// </summary>
public sealed record CommandLineOptions
{
    /// <summary>The options shared with the DI entry (<c>--target</c>, <c>--dry-run</c>, <c>--image-tag</c>, ...).</summary>
    public HostOptions Host { get; init; } = new();
    /// <summary><c>--output text|json</c>: <c>json</c> prints the result as JSON on stdout, progress on stderr.</summary>
    public string Output { get; init; } = "text";
    /// <summary><c>--plain</c>, or an explicit <c>--output text</c>: plain lines even on an interactive terminal.</summary>
    public bool Plain { get; init; }
    /// <summary><c>--print-iam-policy</c>: print the least-privilege IAM policy the pipeline needs, and change nothing.</summary>
    public bool PrintIamPolicy { get; init; }
    /// <summary><c>--command NAME</c> with <c>--print-iam-policy</c>: the policy of that command (rollback, scale, ...) instead of the pipeline run's.</summary>
    public string? IamCommand { get; init; }
    /// <summary><c>--account-id ID</c>: the account in the policy's ARNs (default: the <c>${AWS::AccountId}</c> placeholder).</summary>
    public string? AccountId { get; init; }
    /// <summary><c>--emit-workflows DIR</c>: write the GitHub Actions workflows under DIR/.github/workflows, and change nothing.</summary>
    public string? EmitWorkflows { get; init; }
}
