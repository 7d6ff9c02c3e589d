using System.Text.Json;

namespace EcsDeploy.Checks
{
    /// <summary>npm's vulnerability severities, lowest first.</summary>
    public enum AuditLevel
    {
        /// <summary>info.</summary>
        Info,
        /// <summary>low.</summary>
        Low,
        /// <summary>moderate.</summary>
        Moderate,
        /// <summary>high.</summary>
        High,
        /// <summary>critical.</summary>
        Critical,
    }

    /// <summary>Options of the DependencyAudit check.</summary>
    public sealed class DependencyAuditOptions : CheckOptions<DependencyAuditOptions>
    {
        internal AuditLevel Threshold { get; private set; } = AuditLevel.High;
        internal bool OmitDev { get; private set; }

        /// <summary>Fails the check when a vulnerability of this severity or above is found (default <see cref="AuditLevel.High"/>).</summary>
        public DependencyAuditOptions FailAt(AuditLevel level)
        {
            Threshold = level;
            return this;
        }

        /// <summary>Audits the production dependencies only (<c>npm audit --omit=dev</c>).</summary>
        public DependencyAuditOptions ProductionOnly()
        {
            OmitDev = true;
            return this;
        }
    }

    /// <summary>What <c>npm audit --json</c> said: a report with counts by severity, or an error.</summary>
    public sealed record NpmAuditReport
    {
        /// <summary>Vulnerable packages by severity (info, low, moderate, high, critical), from <c>metadata.vulnerabilities</c>.</summary>
        public IReadOnlyDictionary<AuditLevel, int> Counts { get; init; } = new Dictionary<AuditLevel, int>();
        /// <summary>Each vulnerable package: name, severity, what it comes from and whether a fix is available.</summary>
        public IReadOnlyList<(string Package, AuditLevel Severity, string Detail)> Vulnerabilities { get; init; } = [];
        /// <summary>Why npm could not audit (registry or audit endpoint unreachable, no lockfile); null for a report.</summary>
        public string? Error { get; init; }
        /// <summary>The report format: 2 for npm 7 and later (<c>auditReportVersion</c>), 1 for npm 6 (<c>advisories</c>).</summary>
        public int ReportVersion { get; init; }

        /// <summary>How many vulnerabilities are at <paramref name="level"/> or above.</summary>
        public int AtOrAbove(AuditLevel level) => Counts.Where(c => c.Key >= level).Sum(c => c.Value);

        /// <summary>
        /// Reads npm audit's JSON. The report of npm 7 to 11 (<c>auditReportVersion: 2</c>, <c>vulnerabilities</c> by
        /// package, <c>metadata.vulnerabilities</c> counts) and of npm 6 (<c>advisories</c>, same counts); and the error
        /// shapes: <c>{"error": {"code", "summary", "detail"}}</c> and an HTTP error of the audit endpoint
        /// (<c>{"message", "statusCode", ...}</c>). npm's exit code is not read for the verdict: it is 1 both for
        /// "vulnerabilities found" and for "could not audit".
        /// </summary>
        public static NpmAuditReport Parse(string json)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "null" : json);
            }
            catch (JsonException ex)
            {
                return new NpmAuditReport { Error = $"npm audit did not print JSON ({ex.Message})" };
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return new NpmAuditReport { Error = "npm audit printed no report" };
                }
                var hasReport = root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                    && metadata.TryGetProperty("vulnerabilities", out var counts) && counts.ValueKind == JsonValueKind.Object;
                if (!hasReport)
                {
                    return new NpmAuditReport { Error = DescribeError(root) };
                }
                var countsByLevel = new Dictionary<AuditLevel, int>();
                foreach (var level in Enum.GetValues<AuditLevel>())
                {
                    countsByLevel[level] = metadata.GetProperty("vulnerabilities").TryGetProperty(Name(level), out var n) && n.TryGetInt32(out var value) ? value : 0;
                }
                var list = new List<(string, AuditLevel, string)>();
                var version = root.TryGetProperty("auditReportVersion", out var v) && v.TryGetInt32(out var rv) ? rv : root.TryGetProperty("advisories", out _) ? 1 : 0;
                if (root.TryGetProperty("vulnerabilities", out var packages) && packages.ValueKind == JsonValueKind.Object)
                {
                    foreach (var package in packages.EnumerateObject())
                    {
                        var severity = ParseLevel(package.Value.TryGetProperty("severity", out var s) ? s.GetString() : null) ?? AuditLevel.Info;
                        var via = package.Value.TryGetProperty("via", out var viaList) && viaList.ValueKind == JsonValueKind.Array
                            ? viaList.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? $"via {x.GetString()}" : x.TryGetProperty("title", out var t) ? t.GetString() : null).Where(x => x is not null).Distinct().ToList()
                            : [];
                        var fix = package.Value.TryGetProperty("fixAvailable", out var f) ? f.ValueKind switch
                        {
                            JsonValueKind.True => "fix available (npm audit fix)",
                            JsonValueKind.False => "no fix available",
                            JsonValueKind.Object => $"fix: {f.GetProperty("name").GetString()}@{f.GetProperty("version").GetString()}{(f.TryGetProperty("isSemVerMajor", out var major) && major.GetBoolean() ? " (major)" : "")}",
                            _ => "",
                        } : "";
                        var range = package.Value.TryGetProperty("range", out var r) ? r.GetString() : null;
                        list.Add((package.Name, severity, $"{string.Join("; ", via)}{(range is null ? "" : $" [{range}]")}{(fix.Length > 0 ? $", {fix}" : "")}"));
                    }
                }
                else if (root.TryGetProperty("advisories", out var advisories) && advisories.ValueKind == JsonValueKind.Object)
                {
                    foreach (var advisory in advisories.EnumerateObject())
                    {
                        var a = advisory.Value;
                        var severity = ParseLevel(a.TryGetProperty("severity", out var s) ? s.GetString() : null) ?? AuditLevel.Info;
                        var module = a.TryGetProperty("module_name", out var m) ? m.GetString() ?? "?" : "?";
                        var title = a.TryGetProperty("title", out var t) ? t.GetString() : "";
                        list.Add((module, severity, title ?? ""));
                    }
                }
                return new NpmAuditReport
                {
                    Counts = countsByLevel,
                    Vulnerabilities = [.. list.OrderByDescending(x => x.Item2).ThenBy(x => x.Item1, StringComparer.Ordinal)],
                    ReportVersion = version,
                };
            }
        }

        /// <summary>npm's name of a level.</summary>
        public static string Name(AuditLevel level) => level.ToString().ToLowerInvariant();

        private static AuditLevel? ParseLevel(string? name) => Enum.TryParse<AuditLevel>(name, ignoreCase: true, out var level) ? level : null;

        private static string DescribeError(JsonElement root)
        {
            var parts = new List<string>();
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in new[] { "code", "summary", "detail" })
                {
                    if (error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                    {
                        parts.Add(text.ReplaceLineEndings(" ").Trim());
                    }
                }
            }
            if (root.TryGetProperty("statusCode", out var status) && status.ValueKind == JsonValueKind.Number)
            {
                // An HTTP answer of the audit endpoint; its message names the endpoint's address, which is left out.
                parts.Insert(0, $"the registry's audit endpoint answered HTTP {status.GetInt32()}");
            }
            else if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                parts.Add(message.GetString() ?? "");
            }
            return parts.Count == 0 ? "npm audit's JSON has neither a report nor an error" : string.Join(": ", parts.Distinct());
        }
    }

    /// <summary>Audits the dependencies with <c>npm audit --json</c> and fails at a configured severity.</summary>
    internal sealed class DependencyAuditStage(DependencyAuditOptions options) : CheckStage<DependencyAuditOptions>(Stage, options)
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(PullRequestChecks), nameof(PullRequestChecks.DependencyAudit));

        protected override void ValidateCheck(ICollection<string> problems)
        {
            if (!Enum.IsDefined(Options.Threshold))
            {
                problems.Add($"DependencyAudit: .FailAt({(int)Options.Threshold}) is not a severity: use AuditLevel.Low, Moderate, High or Critical.");
            }
        }

        protected override string Describe(string projectDirectory)
            => $"npm audit --json{(Options.OmitDev ? " --omit=dev" : "")}, failing at {NpmAuditReport.Name(Options.Threshold)} or above";

        protected override async Task<CheckOutcome> CheckAsync(PipelineContext context, string projectDirectory, CancellationToken cancellationToken)
        {
            if (!File.Exists(Path.Combine(projectDirectory, "package-lock.json")))
            {
                return CheckOutcome.Fail($"no package-lock.json in {projectDirectory}: npm audits the lockfile; run 'npm install' and commit package-lock.json");
            }
            List<string> arguments = ["audit", "--json"];
            if (Options.OmitDev)
            {
                arguments.Add("--omit=dev");
            }
            var (exitCode, stdout, lines) = await RunAsync(context, projectDirectory, "npm", arguments, new Dictionary<string, string> { ["npm_config_update_notifier"] = "false", ["npm_config_fund"] = "false" }, cancellationToken).ConfigureAwait(false);
            return Interpret(NpmAuditReport.Parse(stdout), exitCode, Options.Threshold);
        }

        /// <summary>Turns a parsed report into the check's outcome.</summary>
        internal static CheckOutcome Interpret(NpmAuditReport report, int exitCode, AuditLevel threshold)
        {
            if (report.Error is { } error)
            {
                return CheckOutcome.CouldNotRun($"could not audit: {error} (npm exit code {exitCode}); the dependencies were NOT checked");
            }
            var counts = Enum.GetValues<AuditLevel>().Reverse().ToDictionary(NpmAuditReport.Name, l => report.Counts.GetValueOrDefault(l));
            var total = report.Counts.Values.Sum();
            var summary = total == 0
                ? "0 vulnerabilities"
                : string.Join(", ", Enum.GetValues<AuditLevel>().Reverse().Select(l => $"{report.Counts.GetValueOrDefault(l)} {NpmAuditReport.Name(l)}"));
            summary += $" (fails at {NpmAuditReport.Name(threshold)} or above)";
            var findings = report.Vulnerabilities.Select(v => $"{v.Severity.ToString().ToLowerInvariant()}: {v.Package}: {v.Detail}").ToList();
            var failing = report.AtOrAbove(threshold);
            return failing > 0
                ? CheckOutcome.Fail($"{failing} at {NpmAuditReport.Name(threshold)} or above: {summary}", findings) with { Counts = counts }
                : CheckOutcome.Pass(summary) with { Findings = findings, Counts = counts };
        }
    }
}
