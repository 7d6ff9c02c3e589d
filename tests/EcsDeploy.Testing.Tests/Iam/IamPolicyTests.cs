using System.Text.Json;
using EcsDeploy.Hosting;
using EcsDeploy.Iam;

namespace EcsDeploy.Testing.Tests;

/// <summary>The pipeline's IAM policy against the actions runs against the simulated AWS actually perform.</summary>
public sealed class IamPolicyTests
{
    private const string Account = "123456789012";

    /// <summary>The IAM actions one recorded call needs.</summary>
    private static IEnumerable<string> ActionsFor(AwsCall call) => (call.Service, call.Operation) switch
    {
        ("ECS", "RegisterTaskDefinition") => ["ecs:RegisterTaskDefinition", "ecs:TagResource", "iam:PassRole"], // tags on create; the roles it names
        ("ECS", "RunTask") => ["ecs:RunTask", "iam:PassRole"],
        ("ECS", var op) => ["ecs:" + op],
        ("ECR", var op) => ["ecr:" + op],
        ("ELBv2", var op) => ["elasticloadbalancing:" + op],
        ("SecretsManager", var op) => ["secretsmanager:" + op],
        ("Logs", var op) => ["logs:" + op],
        ("IAM", var op) => ["iam:" + op],
        // The registry API: ECR authorises each one with these actions, after a login (GetAuthorizationToken) that the
        // simulated registry does not need.
        ("Registry", "HeadBlob") => ["ecr:BatchCheckLayerAvailability", "ecr:GetAuthorizationToken"],
        ("Registry", "PutBlob") => ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:GetAuthorizationToken"],
        ("Registry", "PutManifest") => ["ecr:PutImage", "ecr:GetAuthorizationToken"],
        ("Registry", "GetManifest") => ["ecr:BatchGetImage", "ecr:GetAuthorizationToken"],
        ("Registry", "GetBlob") => ["ecr:GetDownloadUrlForLayer", "ecr:GetAuthorizationToken"],
        _ => throw new InvalidOperationException($"No IAM mapping for {call.Service} {call.Operation}: add one."),
    };

    private static async Task<IReadOnlyList<AwsCall>> RecordAsync(Action<SimulatedAws>? arrange, params (RunOptions Options, int ExitCode)[] runs)
    {
        var aws = Seed.Truecaller();
        arrange?.Invoke(aws);
        foreach (var (options, exitCode) in runs)
        {
            var (result, _) = await TestPipelines.RunAsync(aws, TestPipelines.Seed(TestPipelines.CreateContext(), d => d.LogRetention(7)).Build(), options);
            Assert.True(exitCode == result.ExitCode, $"exit code {result.ExitCode}: {result.Error}");
        }
        return aws.Calls;
    }

    [Fact]
    public async Task SeedPolicy_ContainsEveryActionTheRunsPerform_AndNoneTheyDoNot()
    {
        var normal = new RunOptions { GitSha = TestPipelines.GitSha };
        var calls = new List<AwsCall>();
        // Every path the pipeline can take: a deploy, --deploy-ollama, --image-tag, the load-balancer fallbacks
        // (no Terraform outputs), a rollback and a failed migration (both read task logs).
        calls.AddRange(await RecordAsync(null, (normal, 0), (normal with { ImageTag = TestPipelines.GitSha }, 0)));
        calls.AddRange(await RecordAsync(null, (normal with { DeployOllama = true }, 0)));
        calls.AddRange(await RecordAsync(aws => { aws.Terraform.Remove("ollama_alb_dns_name"); aws.Terraform.Remove("alb_dns_name"); }, (normal, 0)));
        calls.AddRange(await RecordAsync(aws => aws.Faults.UnhealthyTasks(), (normal, 1)));
        calls.AddRange(await RecordAsync(aws => aws.Faults.MigrationFailure(), (normal, 1)));

        var used = calls.SelectMany(ActionsFor).Distinct().Order(StringComparer.Ordinal).ToList();
        var policy = IamPolicy.Actions(new IamScope(TestPipelines.Seed(TestPipelines.CreateContext(), d => d.LogRetention(7)).Build(), Account));

        Assert.Equal(used, policy);
    }

    [Fact]
    public async Task SeedPolicy_ScopesEachActionToTheResourcesItTouches()
    {
        var aws = Seed.Truecaller();
        var definition = TestPipelines.Seed(TestPipelines.CreateContext(), d => d.LogRetention(7)).Build();
        var scope = await IamPolicy.ResolveAsync(new IamScope(definition, Account), aws.CreateEnvironment(), CancellationToken.None);

        // Resolving the roles and log groups only reads.
        Assert.Equal(["DescribeServices", "DescribeTaskDefinition"], aws.Calls.Select(c => c.Operation).Distinct().Order());
        using var json = JsonDocument.Parse(IamPolicy.For(scope));
        var statements = json.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        IReadOnlyList<string> Resources(string action) => [.. statements
            .Where(s => List(s, "Action").Contains(action))
            .SelectMany(s => List(s, "Resource"))];

        Assert.Equal(["arn:aws:ecs:eu-central-1:123456789012:service/truecaller-backend-cluster/truecaller-backend-ollama-service",
                      "arn:aws:ecs:eu-central-1:123456789012:service/truecaller-backend-cluster/truecaller-backend-service"],
            Resources("ecs:UpdateService").Order());
        Assert.Equal(["arn:aws:ecr:eu-central-1:123456789012:repository/truecaller-backend"], Resources("ecr:PutImage"));
        Assert.Equal(["arn:aws:ecr:eu-central-1:123456789012:repository/truecaller-backend"], Resources("ecr:UploadLayerPart"));
        Assert.Equal(["*"], Resources("ecr:GetAuthorizationToken"));
        Assert.Equal(["*"], Resources("ecs:RegisterTaskDefinition"));
        Assert.Equal(["*"], Resources("elasticloadbalancing:DescribeLoadBalancers"));
        Assert.Contains("arn:aws:secretsmanager:eu-central-1:123456789012:secret:truecaller-backend/DATABASE_URL-*", Resources("secretsmanager:DescribeSecret"));
        Assert.Equal(4, Resources("secretsmanager:DescribeSecret").Count);
        // The backend's roles (Deploy, Migrate) and Ollama's (--deploy-ollama registers an Ollama revision), no other.
        Assert.Equal([
            "arn:aws:iam::123456789012:role/truecaller-backend-execution",
            "arn:aws:iam::123456789012:role/truecaller-backend-ollama-execution",
            "arn:aws:iam::123456789012:role/truecaller-backend-ollama-task",
            "arn:aws:iam::123456789012:role/truecaller-backend-task"], Resources("iam:PassRole").Order(StringComparer.Ordinal));
        Assert.Contains("arn:aws:logs:eu-central-1:123456789012:log-group:/ecs/truecaller-backend:*", Resources("logs:GetLogEvents"));
        Assert.Equal(["arn:aws:ecs:eu-central-1:123456789012:task-definition/truecaller-backend:*"], Resources("ecs:RunTask"));
        var passRole = statements.Single(s => List(s, "Action").Contains("iam:PassRole"));
        Assert.Equal("ecs-tasks.amazonaws.com", passRole.GetProperty("Condition").GetProperty("StringEquals").GetProperty("iam:PassedToService").GetString());
        // The values of the tasks' secrets are read only to mask them in the tasks' logs: exactly those four secrets.
        Assert.Equal(Resources("secretsmanager:DescribeSecret").Order(), Resources("secretsmanager:GetSecretValue").Order());
    }

    [Fact]
    public void LocalMigration_NeedsTheDatabaseUrlValue_AndWithoutFactsThePolicyUsesThePlaceholderAccount()
    {
        var definition = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Migrate(m => m.Prisma().Locally())
            .Deploy(d => d.Service("truecaller-backend-service"))
            .WithoutPreflight() // The preflight reads the running image (ecr:BatchGetImage): PlanPreflightTests covers its grants.
            .Build();

        var policy = IamPolicy.For(new IamScope(definition, IamScope.AccountPlaceholder));

        Assert.Contains("\"secretsmanager:GetSecretValue\"", policy, StringComparison.Ordinal);
        Assert.Contains("arn:aws:secretsmanager:eu-central-1:${AWS::AccountId}:secret:truecaller-backend/DATABASE_URL-*", policy, StringComparison.Ordinal);
        Assert.Contains("arn:aws:iam::${AWS::AccountId}:role/*", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("ecs:RunTask", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("ecr:", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrintIamPolicy_PrintsTheDocumentAndChangesNothing()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ScriptHost.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), ["--print-iam-policy", "--account-id", Account], stdout, stderr, _ => null);

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("2012-10-17", json.RootElement.GetProperty("Version").GetString());
        Assert.Contains("arn:aws:iam::123456789012:role/truecaller-backend-execution", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("read from simulated AWS", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountId_MustBeTwelveDigits()
    {
        var stderr = new StringWriter();
        var code = await ScriptHost.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), ["--print-iam-policy", "--account-id", "12345"], new StringWriter(), stderr, _ => null);

        Assert.Equal(2, code);
        Assert.Contains("--account-id", stderr.ToString(), StringComparison.Ordinal);
    }

    private static List<string> List(JsonElement statement, string name) => statement.GetProperty(name) is { ValueKind: JsonValueKind.Array } array
        ? [.. array.EnumerateArray().Select(e => e.GetString()!)]
        : [statement.GetProperty(name).GetString()!];
}
