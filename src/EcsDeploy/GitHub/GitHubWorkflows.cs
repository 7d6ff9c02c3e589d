using System.Text;

namespace EcsDeploy.GitHub;

/// <summary>What the generated GitHub Actions workflows call and where they deploy.</summary>
public sealed record WorkflowSettings
{
    /// <summary>The AWS region (the pipeline's).</summary>
    public required string Region { get; init; }
    /// <summary>The deploy script, relative to the repository root (default <c>samples/deploy.cs</c>).</summary>
    public string DeployScript { get; init; } = "samples/deploy.cs";
    /// <summary>The PR-check script, relative to the repository root; null runs the deploy script with <c>--dry-run</c>.</summary>
    public string? PrCheckScript { get; init; }
    /// <summary>The branches that deploy on push and whose pull requests are checked.</summary>
    public IReadOnlyList<string> Branches { get; init; } = ["main", "production"];
    /// <summary>The role the deploy job assumes through GitHub's OIDC provider (an expression or an ARN).</summary>
    public string RoleToAssume { get; init; } = "${{ vars.AWS_ROLE_TO_ASSUME }}";
    /// <summary>The .NET SDK channel to install.</summary>
    public string DotnetVersion { get; init; } = "10.0.x";
    /// <summary>The Node.js version the build commands (npm) need.</summary>
    public string NodeVersion { get; init; } = "20";
    /// <summary>
    /// Whether the PR-check job gets a PostgreSQL service and <c>PRISMA_SHADOW_SERVER_URL</c> pointing at it, so the
    /// MigrationDrift check can replay the migrations (default true; only when <see cref="PrCheckScript"/> is set).
    /// </summary>
    public bool PrCheckShadowDatabase { get; init; } = true;
    /// <summary>
    /// A read-only role (an expression or an ARN) the PR check assumes through GitHub's OIDC provider to plan the deploy
    /// against AWS (<c>--target aws --dry-run</c>: read-only calls only). The default reads the repository variable
    /// <c>AWS_READ_ONLY_ROLE</c>, and the steps run only when it is set; null leaves the dry run (and the OIDC token) out.
    /// Pull requests from forks get no OIDC token, so the steps run only for branches of the repository itself.
    /// </summary>
    public string? PrCheckReadOnlyRole { get; init; } = "${{ vars.AWS_READ_ONLY_ROLE }}";
    /// <summary>The paths whose changes run the PR check (the seed's filter).</summary>
    public IReadOnlyList<string> PrCheckPaths { get; init; } = ["src/**", "prisma/**", "package.json", "package-lock.json", "Dockerfile", ".github/workflows/**"];
}

/// <summary>
/// Generates the seed's two GitHub Actions workflows as calls of the C# scripts: <c>deploy.yml</c> (push to the
/// branches, or manual dispatch with a <c>deploy_ollama</c> input; OIDC role credentials, no long-lived keys) and
/// <c>pr-check.yml</c> (pull requests to the branches, filtered to the seed's paths). The output depends only on the
/// settings, so regenerating changes nothing.
/// </summary>
public static class GitHubWorkflows
{
    /// <summary>The folder, relative to the repository root, that GitHub reads workflows from.</summary>
    public const string Folder = ".github/workflows";

    /// <summary>The workflows by file name (<c>deploy.yml</c>, <c>pr-check.yml</c>).</summary>
    public static IReadOnlyDictionary<string, string> Render(WorkflowSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["deploy.yml"] = Deploy(settings),
            ["pr-check.yml"] = PrCheck(settings),
        };
    }

    /// <summary>Writes the workflows under <paramref name="repositoryRoot"/>/.github/workflows; files already equal are left untouched. Returns the paths written.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(string repositoryRoot, WorkflowSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        var folder = Path.Combine(repositoryRoot, ".github", "workflows");
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var (name, content) in Render(settings))
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) == content)
            {
                continue;
            }
            await File.WriteAllTextAsync(path, content, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            written.Add(path);
        }
        return written;
    }

    private static string Deploy(WorkflowSettings settings)
    {
        var text = new StringBuilder();
        Header(text, "Deploy to AWS ECS");
        text.Append("on:\n");
        text.Append("  push:\n");
        text.Append("    branches: ").Append(FlowList(settings.Branches)).Append('\n');
        text.Append("  workflow_dispatch:\n");
        text.Append("    inputs:\n");
        text.Append("      deploy_ollama:\n");
        text.Append("        description: Deploy the Ollama service too\n");
        text.Append("        type: boolean\n");
        text.Append("        required: false\n");
        text.Append("        default: false\n");
        text.Append('\n');
        text.Append("permissions:\n");
        text.Append("  id-token: write\n");
        text.Append("  contents: read\n");
        text.Append('\n');
        text.Append("concurrency:\n");
        text.Append("  group: deploy-${{ github.ref }}\n");
        text.Append("  cancel-in-progress: false\n");
        text.Append('\n');
        text.Append("jobs:\n");
        text.Append("  deploy:\n");
        text.Append("    name: Deploy\n");
        text.Append("    runs-on: ubuntu-latest\n");
        text.Append("    steps:\n");
        CommonSteps(text, settings);
        text.Append("      - name: Configure AWS credentials (OIDC)\n");
        text.Append("        uses: aws-actions/configure-aws-credentials@v4\n");
        text.Append("        with:\n");
        text.Append("          role-to-assume: ").Append(Scalar(settings.RoleToAssume)).Append('\n');
        text.Append("          aws-region: ").Append(Scalar(settings.Region)).Append('\n');
        text.Append("      - name: Deploy\n");
        // On push there is no input: the expression gives '' and Ollama is left as it is.
        text.Append("        run: |\n");
        text.Append("          dotnet run ").Append(settings.DeployScript).Append(" -- --target aws ${{ inputs.deploy_ollama && '--deploy-ollama' || '' }}\n");
        return text.ToString();
    }

    private static string PrCheck(WorkflowSettings settings)
    {
        var text = new StringBuilder();
        Header(text, "PR check");
        text.Append("on:\n");
        text.Append("  pull_request:\n");
        text.Append("    branches: ").Append(FlowList(settings.Branches)).Append('\n');
        text.Append("    paths:\n");
        foreach (var path in settings.PrCheckPaths)
        {
            text.Append("      - ").Append(Scalar(path)).Append('\n');
        }
        text.Append('\n');
        text.Append("permissions:\n");
        if (settings.PrCheckReadOnlyRole is not null)
        {
            text.Append("  id-token: write\n");
        }
        text.Append("  contents: read\n");
        text.Append('\n');
        text.Append("jobs:\n");
        text.Append("  check:\n");
        text.Append("    name: PR check\n");
        text.Append("    runs-on: ubuntu-latest\n");
        if (settings.PrCheckScript is not null && settings.PrCheckShadowDatabase)
        {
            // A throwaway PostgreSQL for the MigrationDrift check (it creates and drops its own database there).
            text.Append("    services:\n");
            text.Append("      postgres:\n");
            text.Append("        image: postgres:15\n");
            text.Append("        env:\n");
            text.Append("          POSTGRES_PASSWORD: postgres\n");
            text.Append("        ports:\n");
            text.Append("          - '5432:5432'\n");
            text.Append("        options: --health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 10\n");
            text.Append("    env:\n");
            text.Append("      PRISMA_SHADOW_SERVER_URL: postgresql://postgres:postgres@127.0.0.1:5432/postgres\n");
        }
        text.Append("    steps:\n");
        CommonSteps(text, settings);
        text.Append("      - name: Check\n");
        text.Append("        run: |\n");
        text.Append("          ").Append(settings.PrCheckScript is { } script ? $"dotnet run {script}" : $"dotnet run {settings.DeployScript} -- --dry-run").Append('\n');
        if (settings.PrCheckReadOnlyRole is { } role)
        {
            // The plan against the real account: read-only calls, with a role that can do nothing else.
            var condition = "github.event.pull_request.head.repo.full_name == github.repository";
            if (role.StartsWith("${{", StringComparison.Ordinal) && role.EndsWith("}}", StringComparison.Ordinal))
            {
                condition = $"{role[3..^2].Trim()} != '' && {condition}";
            }
            text.Append("      - name: Configure AWS credentials (OIDC, read-only role)\n");
            text.Append("        if: ").Append(Scalar("${{ " + condition + " }}")).Append('\n');
            text.Append("        uses: aws-actions/configure-aws-credentials@v4\n");
            text.Append("        with:\n");
            text.Append("          role-to-assume: ").Append(Scalar(role)).Append('\n');
            text.Append("          aws-region: ").Append(Scalar(settings.Region)).Append('\n');
            text.Append("      - name: Dry run against AWS\n");
            text.Append("        if: ").Append(Scalar("${{ " + condition + " }}")).Append('\n');
            text.Append("        run: |\n");
            text.Append("          dotnet run ").Append(settings.DeployScript).Append(" -- --target aws --dry-run\n");
        }
        return text.ToString();
    }

    private static void Header(StringBuilder text, string name)
    {
        text.Append("# Generated by EcsDeploy (--emit-workflows). Change the pipeline script and regenerate instead of editing.\n");
        text.Append("name: ").Append(Scalar(name)).Append('\n');
        text.Append('\n');
    }

    private static void CommonSteps(StringBuilder text, WorkflowSettings settings)
    {
        text.Append("      - name: Check out\n");
        text.Append("        uses: actions/checkout@v4\n");
        text.Append("      - name: Set up .NET\n");
        text.Append("        uses: actions/setup-dotnet@v4\n");
        text.Append("        with:\n");
        text.Append("          dotnet-version: ").Append(Scalar(settings.DotnetVersion)).Append('\n');
        text.Append("      - name: Set up Node.js\n");
        text.Append("        uses: actions/setup-node@v4\n");
        text.Append("        with:\n");
        text.Append("          node-version: ").Append(Scalar(settings.NodeVersion)).Append('\n');
    }

    private static string FlowList(IReadOnlyList<string> values) => "[" + string.Join(", ", values.Select(Scalar)) + "]";

    /// <summary>A YAML scalar: plain when that is unambiguous, otherwise single-quoted (quotes doubled).</summary>
    private static string Scalar(string value)
    {
        var plain = value.Length > 0
            && !char.IsWhiteSpace(value[0]) && !char.IsWhiteSpace(value[^1])
            && "-?:,[]{}#&*!|>'\"%@`.".IndexOf(value[0], StringComparison.Ordinal) < 0
            && !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal)
            && !value.Contains("${{", StringComparison.Ordinal)
            && value.All(c => !char.IsControl(c) && c is not ('[' or ']' or '{' or '}' or ','))
            && !double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
            && value is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "~");
        return plain ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
