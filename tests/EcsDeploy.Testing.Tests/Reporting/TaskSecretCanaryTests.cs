using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Extensions;
using EcsDeploy.Hosting;
using EcsDeploy.Iam;
using EcsDeploy.Reporting;
using EcsDeploy.Terminal;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Testing;

namespace EcsDeploy.Testing.Tests.Reporting;

/// <summary>
/// A migration task that prints the secrets ECS gave it, then fails: its log tail reaches every reporter (text, GitHub
/// Actions, the live terminal, ILogger) and the JSON result, and no secret value may appear in any of them.
/// </summary>
public sealed class TaskSecretCanaryTests
{
    private const string UrlPassword = "CanaryUrlPassw0rd-71";
    private const string PemLine1 = "CanaryPemLineOne-MIIEvQIBADANBgkq";
    private const string PemLine2 = "CanaryPemLineTwo-hkiG9w0BAQEFAASC";
    private const string JsonValue = "CanaryJsonApiKey-5c1e";
    private const string Jwt = "CanaryJwtSecret-9d2f";

    private static readonly string DatabaseUrl = $"postgresql://app:{UrlPassword}@db.internal:5432/truecaller";
    private static readonly string Pem = $"-----BEGIN PRIVATE KEY-----\n{PemLine1}\n{PemLine2}\n-----END PRIVATE KEY-----\n";
    private static readonly string GoogleJson = $"{{\"type\":\"service_account\",\"private_key_id\":\"{JsonValue}\",\"project_id\":\"truecaller\"}}";

    private static readonly string[] Canaries = [UrlPassword, PemLine1, PemLine2, JsonValue, Jwt, DatabaseUrl];

    /// <summary>What the migration prints: each value as a task would print it (whole, alone, line by line, inside JSON).</summary>
    private static readonly string[] Printed =
    [
        $"connecting to {DatabaseUrl}",
        $"password={UrlPassword}",
        "key:",
        PemLine1,
        $"  {PemLine2}",
        $"credentials: {GoogleJson}",
        $"private_key_id={JsonValue}",
        $"jwt={Jwt}",
        "Error: P1001: Can't reach database server",
    ];

    private static SimulatedAws CanaryAws()
    {
        var aws = new SimulatedAws();
        Testing.Seed.Apply(aws, SeedSpec.Truecaller with
        {
            Secrets = new Dictionary<string, string>
            {
                ["truecaller-backend/DATABASE_URL"] = DatabaseUrl,
                ["truecaller-backend/TLS_KEY"] = Pem,
                ["truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON"] = GoogleJson,
                ["truecaller-backend/JWT_SECRET"] = Jwt,
            },
        });
        var previous = aws.Ecs.Behaviour;
        aws.Ecs.Behaviour = launch => launch.ServiceName is null ? TaskBehaviour.Exits(1, Printed) : previous(launch);
        return aws;
    }

    private static PipelineDefinition Pipeline() => EcsDeploy.Pipeline.For("truecaller-backend")
        .InRegion("eu-central-1")
        .OnCluster("truecaller-backend-cluster")
        .Build(b => b.WorkingDirectory(TestPipelines.CreateContext()).Image("Dockerfile"))
        .Push()
        .Migrate(m => m.Prisma())
        .Deploy(d => d.Service("truecaller-backend-service")
            .Container("truecaller-backend")
            .Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")
            .Secret("TLS_KEY", "truecaller-backend/TLS_KEY")
            .Secret("GOOGLE_APPLICATION_CREDENTIALS_JSON", "truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON")
            .Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET"))
        .Build();

    private sealed record Outputs(PipelineResult Result, string Text, string Actions, string StepSummary, string Terminal, string Logger, string Json)
    {
        public IEnumerable<(string Reporter, string Output)> All =>
            [("text", Text), ("GitHub Actions", Actions), ("step summary", StepSummary), ("terminal", Terminal), ("ILogger", Logger), ("JSON", Json)];
    }

    private static async Task<Outputs> RunEveryReporterAsync(AwsEnvironment environment)
    {
        var masker = new SecretMasker();
        var text = new StringWriter();
        var actions = new StringWriter();
        using var console = new TestConsole().Interactive().Width(400);
        var logger = new CapturingLogger();
        var actionsReporter = new GitHubActionsReporter(actions, masker, verbose: true);
        var terminal = new TerminalReporter(console, masker, new TerminalReporterOptions
        {
            Verbose = true, TimeProvider = environment.TimeProvider, Target = environment.Description, RefreshInterval = TimeSpan.FromMilliseconds(5),
        });
        var reporter = new CompositeReporter(new TextReporter(text, verbose: true), actionsReporter, terminal, new LoggerReporter(logger));

        var result = await PipelineRunner.RunAsync(Pipeline(), environment, new RunOptions { GitSha = TestPipelines.GitSha, Masker = masker }, reporter);

        TextReporter.WriteSummary(text, result);
        await terminal.CompleteAsync(result, CancellationToken.None);
        var summaryPath = Path.Combine(Directory.CreateTempSubdirectory("ecsdeploy-summary-").FullName, "summary.md");
        await actionsReporter.CompleteAsync(result, summaryPath, CancellationToken.None);
        // The add-mask commands carry the values to GitHub on purpose: everything else must be free of them.
        var actionsLog = string.Join('\n', actions.ToString().Split('\n').Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal)));
        return new Outputs(result, text.ToString(), actionsLog, await File.ReadAllTextAsync(summaryPath), console.Output, logger.Text,
            JsonSerializer.Serialize(result, ScriptHost.ResultJson));
    }

    [Fact]
    public async Task FailingMigrationPrintingItsSecrets_NoReporterShowsAnyValue()
    {
        var aws = CanaryAws();

        var outputs = await RunEveryReporterAsync(aws.CreateEnvironment());

        Assert.Equal(RunOutcome.Failed, outputs.Result.Outcome);
        // The log tail was reported (masked), so the absence of the values below means something.
        Assert.Contains("password=***", outputs.Text, StringComparison.Ordinal);
        Assert.Contains("Error: P1001: Can't reach database server", outputs.Text, StringComparison.Ordinal);
        Assert.Contains("password=***", outputs.Actions, StringComparison.Ordinal);
        Assert.Contains("password=***", outputs.Logger, StringComparison.Ordinal);
        foreach (var (reporter, output) in outputs.All)
        {
            foreach (var canary in Canaries)
            {
                Assert.False(output.Contains(canary, StringComparison.Ordinal), $"the {reporter} output shows a secret value ({canary[..12]}...):\n{output}");
            }
        }
        Assert.NotEmpty(aws.CallsTo("GetSecretValue"));
    }

    [Fact]
    public async Task SecretValuesTheDeployerMayNotRead_TheLogTailIsWithheldWithTheFix()
    {
        var aws = CanaryAws();
        var simulated = aws.CreateEnvironment();
        var environment = AwsEnvironment.Create(simulated.Region, aws.Ecs, aws.Ecr, aws.Elbv2, new DenyingSecretValues(aws.SecretsManager), aws.Logs,
            simulated.OpenRegistryAsync, simulated.Terraform, simulated.HttpHandler, simulated.TimeProvider, simulated.Description, isLocal: true);

        var outputs = await RunEveryReporterAsync(environment);

        Assert.Equal(RunOutcome.Failed, outputs.Result.Outcome);
        Assert.Contains("(log tail withheld: the values of the task's secrets ", outputs.Text, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL (GetSecretValue: AccessDeniedException)", outputs.Text, StringComparison.Ordinal);
        Assert.Contains("Allow secretsmanager:GetSecretValue on those secrets to the deploying role", outputs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Can't reach database server", outputs.Text, StringComparison.Ordinal);
        foreach (var (reporter, output) in outputs.All)
        {
            foreach (var canary in Canaries)
            {
                Assert.False(output.Contains(canary, StringComparison.Ordinal), $"the {reporter} output shows a secret value ({canary[..12]}...):\n{output}");
            }
        }
    }

    [Fact]
    public void IamPolicy_GrantsGetSecretValueOnExactlyTheTasksSecrets()
    {
        var scope = new IamScope(Pipeline(), "123456789012");

        var grant = Assert.Single(IamPolicy.Grants(scope), g => g.Actions.Contains("secretsmanager:GetSecretValue"));

        Assert.Equal(["secretsmanager:GetSecretValue"], grant.Actions);
        Assert.Equal(
        [
            "arn:aws:secretsmanager:eu-central-1:123456789012:secret:truecaller-backend/DATABASE_URL-*",
            "arn:aws:secretsmanager:eu-central-1:123456789012:secret:truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON-*",
            "arn:aws:secretsmanager:eu-central-1:123456789012:secret:truecaller-backend/JWT_SECRET-*",
            "arn:aws:secretsmanager:eu-central-1:123456789012:secret:truecaller-backend/TLS_KEY-*",
        ], grant.Resources);
    }

    /// <summary>Secrets Manager for a role without secretsmanager:GetSecretValue.</summary>
    private sealed class DenyingSecretValues(ISecretsManagerApi inner) : ISecretsManagerApi
    {
        public Task<SecretDescription> DescribeSecretAsync(string secretId, CancellationToken cancellationToken) => inner.DescribeSecretAsync(secretId, cancellationToken);

        public Task<SecretValue> GetSecretValueAsync(string secretId, CancellationToken cancellationToken)
            => throw new AwsServiceException("SecretsManager", "GetSecretValue", "AccessDeniedException",
                $"User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform: secretsmanager:GetSecretValue on resource: {secretId}", 400);
    }

    private sealed class CapturingLogger : ILogger<LoggerReporter>
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Text { get { lock (_text) { return _text.ToString(); } } }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_text)
            {
                _text.Append(logLevel).Append(": ").AppendLine(formatter(state, exception));
                if (state is IEnumerable<KeyValuePair<string, object?>> properties)
                {
                    foreach (var (key, value) in properties)
                    {
                        _text.Append("  ").Append(key).Append('=').AppendLine(value?.ToString());
                    }
                }
            }
        }
    }
}
