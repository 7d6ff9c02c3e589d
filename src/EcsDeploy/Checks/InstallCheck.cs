namespace EcsDeploy.Checks
{
    /// <summary>Options of the Install check (<c>npm ci</c>).</summary>
    public sealed class InstallOptions : CheckOptions<InstallOptions>
    {
        internal bool Reuse { get; private set; }
        internal bool NoScripts { get; private set; }

        /// <summary>
        /// Does not reinstall when node_modules is newer than package.json and package-lock.json (npm's hidden lockfile
        /// <c>node_modules/.package-lock.json</c>); the result says so. For local runs; CI should run npm ci.
        /// </summary>
        public InstallOptions ReuseInstalled()
        {
            Reuse = true;
            return this;
        }

        /// <summary>Passes <c>--ignore-scripts</c> (no install scripts of dependencies run).</summary>
        public InstallOptions IgnoreScripts()
        {
            NoScripts = true;
            return this;
        }
    }

    /// <summary>Installs the dependencies exactly as locked (<c>npm ci</c>), so the checks after it use the project's own tools.</summary>
    internal sealed class InstallStage(InstallOptions options) : CheckStage<InstallOptions>(Stage, options)
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(PullRequestChecks), nameof(PullRequestChecks.Install));

        protected override string Describe(string projectDirectory)
            => $"npm ci --no-audit --no-fund{(Options.NoScripts ? " --ignore-scripts" : "")}{(Options.Reuse ? " (unless node_modules is up to date)" : "")}";

        protected override async Task<CheckOutcome> CheckAsync(PipelineContext context, string projectDirectory, CancellationToken cancellationToken)
        {
            var lockFile = Path.Combine(projectDirectory, "package-lock.json");
            if (!File.Exists(lockFile))
            {
                return CheckOutcome.Fail($"no package-lock.json in {projectDirectory}: npm ci installs from the lockfile; run 'npm install' and commit package-lock.json");
            }
            var hidden = Path.Combine(projectDirectory, "node_modules", ".package-lock.json");
            if (Options.Reuse && File.Exists(hidden)
                && File.GetLastWriteTimeUtc(hidden) >= File.GetLastWriteTimeUtc(lockFile)
                && File.GetLastWriteTimeUtc(hidden) >= File.GetLastWriteTimeUtc(Path.Combine(projectDirectory, "package.json")))
            {
                return CheckOutcome.Pass("node_modules is newer than package.json and package-lock.json: npm ci not run (.ReuseInstalled())");
            }
            List<string> arguments = ["ci", "--no-audit", "--no-fund"];
            if (Options.NoScripts)
            {
                arguments.Add("--ignore-scripts");
            }
            var (exitCode, _, lines) = await RunAsync(context, projectDirectory, "npm", arguments, new Dictionary<string, string> { ["npm_config_update_notifier"] = "false" }, cancellationToken).ConfigureAwait(false);
            if (exitCode == 0)
            {
                var added = lines.LastOrDefault(l => l.StartsWith("added ", StringComparison.Ordinal));
                return CheckOutcome.Pass(added ?? "installed");
            }
            var errors = lines.Where(l => l.StartsWith("npm error", StringComparison.Ordinal) || l.StartsWith("npm ERR!", StringComparison.Ordinal)).ToList();
            // EUSAGE: package.json and package-lock.json disagree, which is the pull request's problem.
            if (errors.Any(l => l.Contains("EUSAGE", StringComparison.Ordinal) || l.Contains("in sync", StringComparison.Ordinal)))
            {
                return CheckOutcome.Fail("package.json and package-lock.json are not in sync: run 'npm install' and commit package-lock.json", errors);
            }
            return CheckOutcome.CouldNotRun($"npm ci exited with code {exitCode} (registry unreachable?)", Tail(errors.Count > 0 ? errors : lines));
        }
    }
}
