using EcsDeploy.Checks;

namespace EcsDeploy
{
    /// <summary>
    /// The seed's pull-request validation as pipeline stages: Install (npm ci), TypeCheck, Lint, PrismaValidate, ImageBuild,
    /// DependencyAudit, MigrationDrift. Each check runs even when an earlier one failed, reports passed, failed,
    /// could-not-run or skipped-by-config with its findings and duration, and never calls AWS: a pipeline of checks
    /// needs no region, cluster or target. The run's exit code is 0 when every check passed (or was skipped by
    /// configuration) and 1 when one failed or could not run.
    /// </summary>
    public static class PullRequestChecks
    {
        private const string Gate1 = "Push", Gate2 = "Migrate", Gate3 = "Deploy", Gate4 = "Verify";

        /// <summary>Installs the dependencies exactly as locked (<c>npm ci</c>) so that the checks after it use the project's own tools.</summary>
        [PipelineStage("Install", RunsBefore = ["TypeCheck", "Lint", "PrismaValidate", "ImageBuild", "DependencyAudit", "MigrationDrift", Gate1, Gate2, Gate3, Gate4])]
        public static PipelineBuilder Install(this PipelineBuilder pipeline, Action<InstallOptions>? configure = null)
            => Add(pipeline, configure, o => new InstallStage(o));

        /// <summary>Compiles the TypeScript project with its own <c>tsc --noEmit</c>; fails on any type error.</summary>
        [PipelineStage("TypeCheck", RunsBefore = [Gate1, Gate2, Gate3, Gate4])]
        public static PipelineBuilder TypeCheck(this PipelineBuilder pipeline, Action<TypeCheckOptions>? configure = null)
            => Add(pipeline, configure, o => new TypeCheckStage(o));

        /// <summary>Lints with the project's own ESLint and configuration; fails on any error (and on too many warnings with <c>.MaxWarnings(n)</c>).</summary>
        [PipelineStage("Lint", RunsBefore = [Gate1, Gate2, Gate3, Gate4])]
        public static PipelineBuilder Lint(this PipelineBuilder pipeline, Action<LintOptions>? configure = null)
            => Add(pipeline, configure, o => new LintStage(o));

        /// <summary>Validates the Prisma schema with the project's own <c>prisma validate</c>.</summary>
        [PipelineStage("PrismaValidate", RunsBefore = ["MigrationDrift", Gate1, Gate2, Gate3, Gate4])]
        public static PipelineBuilder PrismaValidate(this PipelineBuilder pipeline, Action<PrismaValidateOptions>? configure = null)
            => Add(pipeline, configure, o => new PrismaValidateStage(o));

        /// <summary>Builds the image as the Build stage does (default <c>.Image("Dockerfile")</c>) and never pushes it.</summary>
        [PipelineStage("ImageBuild", RunsBefore = [Gate1, Gate2, Gate3, Gate4])]
        public static PipelineBuilder ImageBuild(this PipelineBuilder pipeline, Action<ImageBuildOptions>? configure = null)
            => Add(pipeline, configure, o => new ImageBuildStage(o));

        /// <summary>Audits the dependencies with <c>npm audit --json</c>; fails at <c>.FailAt(level)</c> (default high). An unreachable audit endpoint is could-not-run, never a pass.</summary>
        [PipelineStage("DependencyAudit", RunsBefore = [Gate1, Gate2, Gate3, Gate4])]
        public static PipelineBuilder DependencyAudit(this PipelineBuilder pipeline, Action<DependencyAuditOptions>? configure = null)
            => Add(pipeline, configure, o => new DependencyAuditStage(o));

        /// <summary>Fails when the schema has changes no committed migration makes (<c>prisma migrate diff --exit-code</c> on a throwaway PostgreSQL database).</summary>
        [PipelineStage("MigrationDrift", RunsAfter = ["PrismaValidate"], RunsBefore = [Gate1, Gate2, Gate3, Gate4])]
        public static PipelineBuilder MigrationDrift(this PipelineBuilder pipeline, Action<MigrationDriftOptions>? configure = null)
            => Add(pipeline, configure, o => new MigrationDriftStage(o));

        private static PipelineBuilder Add<TOptions>(PipelineBuilder pipeline, Action<TOptions>? configure, Func<TOptions, IPipelineStage> create)
            where TOptions : CheckOptions<TOptions>, new()
        {
            ArgumentNullException.ThrowIfNull(pipeline);
            var options = new TOptions();
            configure?.Invoke(options);
            return pipeline.AddStage(create(options));
        }
    }
}

namespace EcsDeploy.Checks
{
    /// <summary>Writes the checks' results as text: one line per check, then its findings.</summary>
    public static class CheckReport
    {
        /// <summary>The word a status is shown with (the JSON result uses the same words).</summary>
        public static string Word(CheckStatus status) => status switch
        {
            CheckStatus.Passed => "passed",
            CheckStatus.Failed => "failed",
            CheckStatus.CouldNotRun => "could-not-run",
            _ => "skipped-by-config",
        };

        /// <summary>Writes the results of <paramref name="result"/>'s checks.</summary>
        public static void Write(TextWriter writer, PipelineResult result)
        {
            ArgumentNullException.ThrowIfNull(writer);
            ArgumentNullException.ThrowIfNull(result);
            if (result.Checks.Count == 0)
            {
                return;
            }
            writer.WriteLine();
            writer.WriteLine("PR checks:");
            foreach (var check in result.Checks)
            {
                writer.WriteLine($"  {Word(check.Status),-17} {check.Name,-16} {check.Duration.TotalSeconds,6:0.0}s  {check.Summary}");
                foreach (var finding in check.Findings.Take(10))
                {
                    writer.WriteLine($"      {finding}");
                }
                if (check.Findings.Count > 10)
                {
                    writer.WriteLine($"      ... {check.Findings.Count - 10} more (--output json lists up to {CheckStage<TypeCheckOptions>.MaxFindings})");
                }
            }
            var failed = result.Checks.Count(c => c.Status == CheckStatus.Failed);
            var notRun = result.Checks.Count(c => c.Status == CheckStatus.CouldNotRun);
            var skipped = result.Checks.Count(c => c.Status == CheckStatus.SkippedByConfig);
            var passed = result.Checks.Count(c => c.Status == CheckStatus.Passed);
            writer.WriteLine($"  {passed} passed, {failed} failed, {notRun} could not run, {skipped} skipped by configuration: "
                + (failed > 0 ? "the pull request does not pass."
                    : notRun > 0 ? "the pull request is NOT verified (a check could not run)."
                    : passed == 0 ? "the pull request is NOT verified (every check was skipped by configuration)."
                    : "the pull request passes."));
        }
    }
}
