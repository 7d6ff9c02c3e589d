using System.Globalization;
using EcsDeploy.Processes;

namespace EcsDeploy.Checks
{
    /// <summary>Options of the PrismaValidate check.</summary>
    public sealed class PrismaValidateOptions : CheckOptions<PrismaValidateOptions>
    {
        internal string SchemaPath { get; private set; } = PrismaCli.DefaultSchema;
        internal bool Offline { get; private set; }

        /// <summary>The schema file, relative to the project folder (default <c>prisma/schema.prisma</c>).</summary>
        public PrismaValidateOptions Schema(string path)
        {
            SchemaPath = path;
            return this;
        }

        /// <summary>
        /// Runs Prisma 6.19 without downloading its engines: points PRISMA_QUERY_ENGINE_LIBRARY and
        /// PRISMA_SCHEMA_ENGINE_BINARY at the <c>false</c> program (validation uses Prisma's bundled WebAssembly).
        /// Prisma 7 cannot run offline at all.
        /// </summary>
        public PrismaValidateOptions OfflineEngines()
        {
            Offline = true;
            return this;
        }
    }

    /// <summary>Options of the MigrationDrift check.</summary>
    public sealed class MigrationDriftOptions : CheckOptions<MigrationDriftOptions>
    {
        /// <summary>The environment variable read for the shadow database server when none is configured.</summary>
        public const string DefaultServerVariable = "PRISMA_SHADOW_SERVER_URL";

        internal string SchemaPath { get; private set; } = PrismaCli.DefaultSchema;
        internal string MigrationsPath { get; private set; } = "prisma/migrations";
        internal string? ServerUrl { get; private set; }
        internal string ServerVariable { get; private set; } = DefaultServerVariable;
        internal bool Offline { get; private set; }

        /// <summary>The schema file, relative to the project folder (default <c>prisma/schema.prisma</c>).</summary>
        public MigrationDriftOptions Schema(string path)
        {
            SchemaPath = path;
            return this;
        }

        /// <summary>The migrations folder, relative to the project folder (default <c>prisma/migrations</c>).</summary>
        public MigrationDriftOptions Migrations(string path)
        {
            MigrationsPath = path;
            return this;
        }

        /// <summary>
        /// A PostgreSQL server the check may create a throwaway database on (and drop it after), for example
        /// <c>postgresql://postgres@127.0.0.1:5432/postgres</c>. Prisma replays the migrations there (its shadow database).
        /// </summary>
        public MigrationDriftOptions ShadowServer(string connectionUrl)
        {
            ServerUrl = connectionUrl;
            return this;
        }

        /// <summary>Reads the shadow database server's URL from this environment variable (default <c>PRISMA_SHADOW_SERVER_URL</c>).</summary>
        public MigrationDriftOptions ShadowServerFromEnvironment(string variable)
        {
            ServerVariable = variable;
            return this;
        }

        /// <summary>
        /// Runs Prisma 6.19 without downloading its engines: the schema engine's WebAssembly build through the driver
        /// adapter the project's <c>prisma.config.ts</c> declares (<c>engine: "js"</c>), with PRISMA_QUERY_ENGINE_LIBRARY
        /// and PRISMA_SCHEMA_ENGINE_BINARY pointed at the <c>false</c> program. The throwaway database is then passed
        /// as both DATABASE_URL and SHADOW_DATABASE_URL (Prisma 6.19's JS engine replays migrations on the main
        /// connection), and not as <c>--shadow-database-url</c> (refused with an adapter).
        /// </summary>
        public MigrationDriftOptions OfflineEngines()
        {
            Offline = true;
            return this;
        }
    }

    /// <summary>Shared knowledge of the Prisma CLI: environment, and how to tell "offline" from "invalid".</summary>
    internal static class PrismaCli
    {
        public const string DefaultSchema = "prisma/schema.prisma";
        public const string PlaceholderDatabaseUrl = "postgresql://placeholder:placeholder@127.0.0.1:5432/placeholder";

        private static readonly string[] NetworkSigns =
        [
            "binaries.prisma.sh", "ENOTFOUND", "EAI_AGAIN", "getaddrinfo", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT",
            "fetch failed", "Failed to fetch", "could not download", "P1001", "Can't reach database server",
        ];

        public static Dictionary<string, string> Environment(bool offline)
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["CHECKPOINT_DISABLE"] = "1",
                ["PRISMA_HIDE_UPDATE_MESSAGE"] = "1",
            };
            if (offline)
            {
                var falseProgram = new[] { "/bin/false", "/usr/bin/false" }.FirstOrDefault(File.Exists) ?? "false";
                env["PRISMA_QUERY_ENGINE_LIBRARY"] = falseProgram;
                env["PRISMA_SCHEMA_ENGINE_BINARY"] = falseProgram;
            }
            return env;
        }

        /// <summary>Whether Prisma's output says it could not reach something (its engine downloads, a database).</summary>
        public static bool IsUnreachable(IEnumerable<string> lines) => lines.Any(l => NetworkSigns.Any(s => l.Contains(s, StringComparison.OrdinalIgnoreCase)));

        public static string OfflineHint(bool offline) => offline
            ? "Prisma could not reach what it needs even with .OfflineEngines() (is this Prisma 6.19 with engine \"js\" in prisma.config.ts?)"
            : "Prisma could not download its engines (no network to its binaries host?): with Prisma 6.19 use .OfflineEngines(); Prisma 7 cannot run offline";

        /// <summary>The error lines of a failed Prisma command, without its banner lines.</summary>
        public static IReadOnlyList<string> ErrorLines(IReadOnlyList<string> lines) =>
            [.. lines.Where(l => !string.IsNullOrWhiteSpace(l)
                && !l.StartsWith("Prisma schema loaded from", StringComparison.Ordinal)
                && !l.StartsWith("Loaded Prisma config", StringComparison.Ordinal)
                && !l.StartsWith("Prisma CLI Version", StringComparison.Ordinal)
                && !l.StartsWith("Environment variables loaded", StringComparison.Ordinal)
                && !l.StartsWith("Prisma config detected", StringComparison.Ordinal))
                .Select(l => l.TrimEnd())];
    }

    /// <summary>Validates the Prisma schema with the project's own <c>prisma validate</c>.</summary>
    internal sealed class PrismaValidateStage(PrismaValidateOptions options) : CheckStage<PrismaValidateOptions>(Stage, options)
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(PullRequestChecks), nameof(PullRequestChecks.PrismaValidate));

        protected override void ValidateCheck(ICollection<string> problems)
        {
            if (string.IsNullOrWhiteSpace(Options.SchemaPath))
            {
                problems.Add("PrismaValidate: the schema path is empty: give it, for example .Schema(\"prisma/schema.prisma\").");
            }
        }

        protected override string Describe(string projectDirectory) => $"prisma validate --schema {Options.SchemaPath}{(Options.Offline ? " (offline engines)" : "")}";

        protected override async Task<CheckOutcome> CheckAsync(PipelineContext context, string projectDirectory, CancellationToken cancellationToken)
        {
            if (LocalTool(projectDirectory, "prisma") is not { } prisma)
            {
                return ToolMissing("prisma", projectDirectory);
            }
            if (!File.Exists(Path.Combine(projectDirectory, Options.SchemaPath)))
            {
                return CheckOutcome.Fail($"the schema '{Options.SchemaPath}' does not exist in {projectDirectory}: add it or fix .Schema(...)");
            }
            var env = PrismaCli.Environment(Options.Offline);
            var notes = new List<string>();
            // Validation reads env("DATABASE_URL") but never connects: without one it would fail on the missing variable.
            if (string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("DATABASE_URL")) && !Options.ExtraEnvironment.ContainsKey("DATABASE_URL"))
            {
                env["DATABASE_URL"] = PrismaCli.PlaceholderDatabaseUrl;
                notes.Add("DATABASE_URL was not set: a placeholder URL was given (prisma validate does not connect)");
            }
            var (exitCode, _, lines) = await RunAsync(context, projectDirectory, prisma, ["validate", "--schema", Options.SchemaPath], env, cancellationToken).ConfigureAwait(false);
            if (exitCode == 0)
            {
                return CheckOutcome.Pass($"{Options.SchemaPath} is valid") with { Findings = notes };
            }
            var errors = PrismaCli.ErrorLines(lines);
            // P1012: the schema is invalid. Anything else that mentions the network: Prisma could not do the check.
            if (lines.Any(l => l.Contains("P1012", StringComparison.Ordinal) || l.Contains("Schema validation", StringComparison.OrdinalIgnoreCase)))
            {
                var count = lines.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Validation Error Count:", StringComparison.Ordinal)) is { } countLine
                    && int.TryParse(countLine["Validation Error Count:".Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 1;
                return CheckOutcome.Fail($"{count} schema error{(count == 1 ? "" : "s")} in {Options.SchemaPath}", errors) with { Counts = new Dictionary<string, int> { ["errors"] = count } };
            }
            if (PrismaCli.IsUnreachable(lines))
            {
                return CheckOutcome.CouldNotRun(PrismaCli.OfflineHint(Options.Offline), Tail(errors));
            }
            return CheckOutcome.CouldNotRun($"prisma validate exited with code {exitCode} without a schema error", Tail(errors));
        }
    }

    /// <summary>
    /// Detects drift between the committed migrations and the schema: <c>prisma migrate diff --from-migrations
    /// --to-schema-datamodel --exit-code</c> against a throwaway database. Exit code 0: no difference; 2: the schema
    /// has changes no migration makes; 1: an error.
    /// </summary>
    internal sealed class MigrationDriftStage(MigrationDriftOptions options) : CheckStage<MigrationDriftOptions>(Stage, options)
    {
        public static readonly StageDescriptor Stage = StageDescriptor.FromMethod(typeof(PullRequestChecks), nameof(PullRequestChecks.MigrationDrift));

        protected override void ValidateCheck(ICollection<string> problems)
        {
            if (string.IsNullOrWhiteSpace(Options.SchemaPath))
            {
                problems.Add("MigrationDrift: the schema path is empty: give it, for example .Schema(\"prisma/schema.prisma\").");
            }
            if (string.IsNullOrWhiteSpace(Options.MigrationsPath))
            {
                problems.Add("MigrationDrift: the migrations folder is empty: give it, for example .Migrations(\"prisma/migrations\").");
            }
            if (string.IsNullOrWhiteSpace(Options.ServerVariable))
            {
                problems.Add("MigrationDrift: .ShadowServerFromEnvironment(...) needs a variable name, for example \"PRISMA_SHADOW_SERVER_URL\".");
            }
            if (Options.ServerUrl is { } url && ShadowDatabase.ParseServer(url) is null)
            {
                problems.Add($"MigrationDrift: .ShadowServer(...) must be a postgresql:// URL with a host, for example \"postgresql://postgres@127.0.0.1:5432/postgres\", not '{ShadowDatabase.Redact(url)}'.");
            }
        }

        protected override string Describe(string projectDirectory)
            => $"prisma migrate diff --from-migrations {Options.MigrationsPath} --to-schema-datamodel {Options.SchemaPath} --exit-code (throwaway database on {(Options.ServerUrl is null ? "$" + Options.ServerVariable : "the configured server")})";

        protected override async Task<CheckOutcome> CheckAsync(PipelineContext context, string projectDirectory, CancellationToken cancellationToken)
        {
            if (LocalTool(projectDirectory, "prisma") is not { } prisma)
            {
                return ToolMissing("prisma", projectDirectory);
            }
            if (!File.Exists(Path.Combine(projectDirectory, Options.SchemaPath)))
            {
                return CheckOutcome.Fail($"the schema '{Options.SchemaPath}' does not exist in {projectDirectory}: add it or fix .Schema(...)");
            }
            if (!Directory.Exists(Path.Combine(projectDirectory, Options.MigrationsPath)))
            {
                return CheckOutcome.Fail($"the migrations folder '{Options.MigrationsPath}' does not exist in {projectDirectory}: create the first migration (prisma migrate dev --create-only) or fix .Migrations(...)");
            }
            var serverUrl = Options.ServerUrl ?? System.Environment.GetEnvironmentVariable(Options.ServerVariable);
            if (string.IsNullOrWhiteSpace(serverUrl))
            {
                return CheckOutcome.CouldNotRun($"no database to replay the migrations on: set {Options.ServerVariable} to a PostgreSQL server URL (the check creates and drops a throwaway database there), or configure .ShadowServer(...), or turn the check off with .Skip(\"reason\")");
            }
            if (ShadowDatabase.ParseServer(serverUrl) is null)
            {
                return CheckOutcome.CouldNotRun($"{Options.ServerVariable} is not a postgresql:// URL with a host: '{ShadowDatabase.Redact(serverUrl)}'");
            }
            context.Masker.Add(ShadowDatabase.Password(serverUrl));
            if (!ProcessRunner.IsOnPath("psql"))
            {
                return CheckOutcome.CouldNotRun("psql is not installed (the check creates its throwaway database with it): install the PostgreSQL client");
            }

            var shadow = new ShadowDatabase(serverUrl, Runner);
            try
            {
                var created = await shadow.CreateAsync(cancellationToken).ConfigureAwait(false);
                if (created is not null)
                {
                    return CheckOutcome.CouldNotRun($"could not create a throwaway database on {ShadowDatabase.Redact(serverUrl)}: {created}");
                }
                context.Verbose($"throwaway database {shadow.Name} created");
                var env = PrismaCli.Environment(Options.Offline);
                env["DATABASE_URL"] = shadow.Url;
                env["SHADOW_DATABASE_URL"] = shadow.Url;
                List<string> arguments = ["migrate", "diff", "--from-migrations", Options.MigrationsPath, "--to-schema-datamodel", Options.SchemaPath, "--exit-code"];
                if (!Options.Offline)
                {
                    arguments.AddRange(["--shadow-database-url", shadow.Url]);
                }
                var (exitCode, _, lines) = await RunAsync(context, projectDirectory, prisma, arguments, env, cancellationToken).ConfigureAwait(false);
                var output = PrismaCli.ErrorLines(lines);
                return Interpret(exitCode, output, Options.Offline);
            }
            finally
            {
                await shadow.DropAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        /// <summary>Reads <c>prisma migrate diff --exit-code</c>: 0 no difference, 2 a difference, 1 an error.</summary>
        internal static CheckOutcome Interpret(int exitCode, IReadOnlyList<string> output, bool offline)
        {
            switch (exitCode)
            {
                case 0:
                    return CheckOutcome.Pass("the migrations produce exactly the schema: no drift");
                case 2:
                    var changes = output.Where(l => l.TrimStart().StartsWith('[')).ToList();
                    return CheckOutcome.Fail(
                        $"drift: the schema has {changes.Count(l => l.TrimStart().StartsWith("[*]", StringComparison.Ordinal) || l.TrimStart().StartsWith("[+]", StringComparison.Ordinal) || l.TrimStart().StartsWith("[-]", StringComparison.Ordinal))} change(s) that no migration makes: create one with 'npx prisma migrate dev --name <change>' and commit it",
                        output);
            }
            // 1: an error. A migration that does not apply to an empty database is the pull request's problem.
            if (output.Any(l => l.Contains("P3006", StringComparison.Ordinal) || l.Contains("failed to apply cleanly", StringComparison.Ordinal)))
            {
                return CheckOutcome.Fail("a committed migration fails to apply to an empty database (P3006)", output);
            }
            if (output.Any(l => l.Contains("P1012", StringComparison.Ordinal)))
            {
                return CheckOutcome.Fail("the schema is invalid (P1012): see PrismaValidate", output);
            }
            if (PrismaCli.IsUnreachable(output))
            {
                return CheckOutcome.CouldNotRun(PrismaCli.OfflineHint(offline), [.. output.TakeLast(8)]);
            }
            return CheckOutcome.CouldNotRun($"prisma migrate diff exited with code {exitCode}: it did not say whether there is drift", [.. output.TakeLast(8)]);
        }
    }

    /// <summary>A throwaway PostgreSQL database created and dropped with psql.</summary>
    internal sealed class ShadowDatabase(string serverUrl, ProcessRunner runner)
    {
        public string Name { get; } = "ecsdeploy_drift_" + Guid.NewGuid().ToString("n")[..12];

        public string Url => WithDatabase(serverUrl, Name);

        public static Uri? ParseServer(string url)
            => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "postgresql" or "postgres" && uri.Host.Length > 0 ? uri : null;

        public static string? Password(string url)
            => ParseServer(url)?.UserInfo is { } info && info.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? Uri.UnescapeDataString(info[(colon + 1)..]) : null;

        public static string Redact(string url)
            => Password(url) is { Length: > 0 } password ? url.Replace(":" + Uri.EscapeDataString(password) + "@", ":***@", StringComparison.Ordinal).Replace(":" + password + "@", ":***@", StringComparison.Ordinal) : url;

        private static string WithDatabase(string url, string database)
        {
            var builder = new UriBuilder(url) { Path = "/" + database };
            return builder.Uri.ToString();
        }

        /// <summary>Creates the database; returns null, or what went wrong.</summary>
        public async Task<string?> CreateAsync(CancellationToken cancellationToken)
        {
            var lines = new List<string>();
            var result = await runner.RunToExitAsync(Psql($"CREATE DATABASE \"{Name}\""), line => { lock (lines) { lines.Add(line); } }, cancellationToken).ConfigureAwait(false);
            lock (lines)
            {
                return result.ExitCode == 0 ? null : string.Join(" ", lines.Where(l => l.Length > 0).TakeLast(3));
            }
        }

        public async Task DropAsync(CancellationToken cancellationToken)
        {
            try
            {
                await runner.RunToExitAsync(Psql($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)"), null, cancellationToken).ConfigureAwait(false);
            }
            catch (CommandExecutionException)
            {
                // Best effort: a database left behind is named ecsdeploy_drift_* and harmless.
            }
        }

        private CommandSpec Psql(string sql) => new("psql", ["--no-psqlrc", "--no-password", "-v", "ON_ERROR_STOP=1", "-q", "-d", serverUrl, "-c", sql]);
    }
}
