using System.Text.Json;
using System.Text.RegularExpressions;

namespace EcsDeploy.Checks
{
    /// <summary>Options of the TypeCheck check: the TypeScript project to compile (without emitting).</summary>
    public sealed class TypeCheckOptions : CheckOptions<TypeCheckOptions>
    {
        internal string ProjectFile { get; private set; } = "tsconfig.json";

        /// <summary>The tsconfig file, relative to the project folder (default <c>tsconfig.json</c>).</summary>
        public TypeCheckOptions Project(string tsconfig)
        {
            ProjectFile = tsconfig;
            return this;
        }
    }

    /// <summary>Options of the Lint check: ESLint over the project with its own configuration.</summary>
    public sealed class LintOptions : CheckOptions<LintOptions>
    {
        internal List<string> Targets { get; } = [];
        internal int? WarningLimit { get; private set; }

        /// <summary>What to lint, relative to the project folder (default: <c>.</c>, with the ignores of the ESLint config).</summary>
        public LintOptions Paths(params string[] paths)
        {
            ArgumentNullException.ThrowIfNull(paths);
            Targets.AddRange(paths);
            return this;
        }

        /// <summary>Fails the check when there are more than <paramref name="count"/> warnings (default: warnings never fail it).</summary>
        public LintOptions MaxWarnings(int count)
        {
            WarningLimit = count;
            return this;
        }
    }

    /// <summary>Compiles the TypeScript project with the project's own <c>tsc --noEmit</c>.</summary>
    internal sealed partial class TypeCheckStage(TypeCheckOptions options) : CheckStage<TypeCheckOptions>(Stage, options)
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(PullRequestChecks), nameof(PullRequestChecks.TypeCheck));

        [GeneratedRegex(@"error TS\d+:", RegexOptions.CultureInvariant)]
        private static partial Regex TypeScriptError();

        protected override void ValidateCheck(ICollection<string> problems)
        {
            if (string.IsNullOrWhiteSpace(Options.ProjectFile))
            {
                problems.Add("TypeCheck: the tsconfig path is empty: give it, for example .Project(\"tsconfig.json\").");
            }
        }

        protected override string Describe(string projectDirectory) => $"tsc --noEmit -p {Options.ProjectFile}";

        protected override async Task<CheckOutcome> CheckAsync(PipelineContext context, string projectDirectory, CancellationToken cancellationToken)
        {
            if (LocalTool(projectDirectory, "tsc") is not { } tsc)
            {
                return ToolMissing("typescript (tsc)", projectDirectory);
            }
            if (!File.Exists(Path.Combine(projectDirectory, Options.ProjectFile)))
            {
                return CheckOutcome.Fail($"'{Options.ProjectFile}' does not exist in {projectDirectory}: add it or fix .Project(...)");
            }
            var (exitCode, _, lines) = await RunAsync(context, projectDirectory, tsc, ["--noEmit", "--pretty", "false", "-p", Options.ProjectFile], null, cancellationToken).ConfigureAwait(false);
            var errors = lines.Where(l => TypeScriptError().IsMatch(l)).ToList();
            if (exitCode == 0 && errors.Count == 0)
            {
                return CheckOutcome.Pass("no type errors");
            }
            if (errors.Count > 0)
            {
                return CheckOutcome.Fail($"{errors.Count} type error{(errors.Count == 1 ? "" : "s")}", errors) with { Counts = new Dictionary<string, int> { ["errors"] = errors.Count } };
            }
            return CheckOutcome.CouldNotRun($"tsc exited with code {exitCode} without reporting a type error", Tail(lines));
        }
    }

    /// <summary>Lints the project with its own ESLint and configuration, reading ESLint's JSON report.</summary>
    internal sealed class LintStage(LintOptions options) : CheckStage<LintOptions>(Stage, options)
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(PullRequestChecks), nameof(PullRequestChecks.Lint));

        private IReadOnlyList<string> Targets => Options.Targets.Count == 0 ? ["."] : Options.Targets;

        protected override void ValidateCheck(ICollection<string> problems)
        {
            if (Options.WarningLimit is < 0)
            {
                problems.Add($"Lint: .MaxWarnings({Options.WarningLimit}) must be 0 or more.");
            }
            if (Options.Targets.Any(string.IsNullOrWhiteSpace))
            {
                problems.Add("Lint: a path in .Paths(...) is empty: give the folders or files to lint, for example .Paths(\"src\").");
            }
        }

        protected override string Describe(string projectDirectory) => $"eslint {string.Join(' ', Targets)} --format json";

        protected override async Task<CheckOutcome> CheckAsync(PipelineContext context, string projectDirectory, CancellationToken cancellationToken)
        {
            if (LocalTool(projectDirectory, "eslint") is not { } eslint)
            {
                return ToolMissing("eslint", projectDirectory);
            }
            // Exit codes: 0 no errors (and warnings within --max-warnings), 1 lint errors or too many warnings,
            // 2 a configuration problem or a crash. The JSON report on stdout says what was found.
            var (exitCode, stdout, lines) = await RunAsync(context, projectDirectory, eslint, [.. Targets, "--format", "json"], null, cancellationToken).ConfigureAwait(false);
            if (exitCode == 2 || ParseReport(stdout, projectDirectory) is not { } report)
            {
                return CheckOutcome.CouldNotRun($"eslint exited with code {exitCode} without a report (configuration problem?)", Tail(lines.Where(l => !l.StartsWith('[')).ToList()));
            }
            var counts = new Dictionary<string, int> { ["errors"] = report.Errors, ["warnings"] = report.Warnings };
            var summary = $"{report.Errors} error{(report.Errors == 1 ? "" : "s")}, {report.Warnings} warning{(report.Warnings == 1 ? "" : "s")} in {report.Files} file{(report.Files == 1 ? "" : "s")}";
            var tooManyWarnings = Options.WarningLimit is { } limit && report.Warnings > limit;
            if (report.Errors > 0 || tooManyWarnings)
            {
                return CheckOutcome.Fail(summary + (tooManyWarnings ? $" (more than {Options.WarningLimit} warnings allowed)" : ""), report.Messages) with { Counts = counts };
            }
            return CheckOutcome.Pass(summary) with { Findings = report.Messages, Counts = counts };
        }

        internal sealed record LintReport(int Files, int Errors, int Warnings, IReadOnlyList<string> Messages);

        /// <summary>Reads ESLint's <c>--format json</c> report: an array of files with their messages.</summary>
        internal static LintReport? ParseReport(string json, string projectDirectory)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                {
                    return null;
                }
                int files = 0, errors = 0, warnings = 0;
                var messages = new List<string>();
                foreach (var file in document.RootElement.EnumerateArray())
                {
                    files++;
                    var path = file.TryGetProperty("filePath", out var p) ? Path.GetRelativePath(projectDirectory, p.GetString() ?? "") : "?";
                    errors += file.TryGetProperty("errorCount", out var e) ? e.GetInt32() : 0;
                    warnings += file.TryGetProperty("warningCount", out var w) ? w.GetInt32() : 0;
                    if (!file.TryGetProperty("messages", out var list))
                    {
                        continue;
                    }
                    foreach (var message in list.EnumerateArray())
                    {
                        var severity = message.TryGetProperty("severity", out var s) && s.GetInt32() == 2 ? "error" : "warning";
                        var line = message.TryGetProperty("line", out var l) ? l.GetInt32() : 0;
                        var column = message.TryGetProperty("column", out var c) ? c.GetInt32() : 0;
                        var rule = message.TryGetProperty("ruleId", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                        var text = message.TryGetProperty("message", out var m) ? m.GetString() : "";
                        messages.Add($"{path}:{line}:{column} {severity} {text}{(rule is null ? "" : $" ({rule})")}");
                    }
                }
                return new LintReport(files, errors, warnings, messages);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
