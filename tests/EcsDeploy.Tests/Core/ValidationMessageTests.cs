using EcsDeploy.Aws;
using EcsDeploy.Checks;
using EcsDeploy.Discovery;

namespace EcsDeploy.Tests.Core;

/// <summary>
/// Every message Build() gives, as literal text: the wording is checked independently of the code that writes it
/// (the other tests of a rule may build their expectation with the rule's own function). A message that changes on
/// purpose changes here too. Messages covered literally elsewhere are listed in the report of issue 19, not repeated.
/// </summary>
public sealed class ValidationMessageTests
{
    private const string Green = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/green/2";
    private const string Blue = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/blue/1";
    private const string Production = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/alb/1/2/3";
    private const string Test = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener-rule/app/alb/1/4/5";
    private const string Role = "arn:aws:iam::123456789012:role/ecs-infrastructure";
    private const string Function = "arn:aws:lambda:eu-central-1:123456789012:function:check";

    private static PipelineBuilder Base() => Pipeline.For("api").InRegion("eu-central-1").OnCluster("api-cluster");

    private static PipelineBuilder Deploy(Action<DeployOptions> configure) => Base().Deploy(d => configure(d.Service("api-service")));

    private static DeployOptions Canary(DeployOptions d) => d.Strategy(DeploymentStrategy.Canary(10, TimeSpan.FromMinutes(5)))
        .LoadBalancer(lb => lb.AlternateTargetGroup(Green).ProductionListenerRule(Production).TestListenerRule(Test).Role(Role));

    private static readonly Dictionary<string, (Func<PipelineBuilder> Pipeline, string Message)> Cases = new()
    {
        ["NoStages"] = (Base, "The pipeline has no stages: add at least .Deploy(d => d.Service(\"my-service\"))."),

        // Shared with the analyzer (src/EcsDeploy/Rules): the analyzer's tests check the same words.
        ["Shared.ServiceName"] = (() => Deploy(d => d.Service("web app")),
            "Service name 'web app' is invalid: use 1-255 letters, digits, hyphens and underscores."),
        ["Shared.Region"] = (() => Pipeline.For("api").InRegion("europe").OnCluster("api-cluster").Deploy(d => d.Service("api-service")),
            "Region 'europe' is invalid: use a region code such as 'eu-central-1'."),
        ["Shared.DevelopmentMigration"] = (() => Base().Migrate(m => m.Command("npx", "prisma", "db", "push")).Deploy(d => d.Service("api-service")),
            "Migration command 'npx prisma db push' is development-only ('db push' can drop or rewrite data): use 'prisma migrate deploy', which applies committed migrations only."),
        ["Shared.LiteralSecret"] = (() => Deploy(d => d.Environment("JWT_SECRET", "s3cr3t")),
            "Environment variable 'JWT_SECRET' looks like a secret but is given a literal value: use .Secret(\"JWT_SECRET\", \"<secret name or ARN>\") so ECS injects it from Secrets Manager."),
        ["Shared.VariableTwice"] = (() => Deploy(d => d.Environment("PORT", "1").Secret("PORT", "api/port")),
            "Environment variable 'PORT' is set twice: keep one .Environment(...) or .Secret(...) for it."),
        ["Shared.StageTwice"] = (() => Deploy(_ => { }).Deploy(d => d.Service("api-service")),
            "Stage 'Deploy' is added twice: keep one .Deploy(...) call and configure it there."),
        ["Shared.MigrateAfterDeploy"] = (() => Deploy(_ => { }).Migrate(m => m.Prisma()),
            "Stage 'Migrate' must run before 'Deploy': move .Migrate(...) before .Deploy(...)."),
        ["Shared.OllamaModel"] = (() => Base().WithOllama(o => o.Model("llama 3.2")).Deploy(d => d.Service("api-service")),
            "Ollama model 'llama 3.2' is not a model reference: use name[:tag], such as 'llama3.2:1b'."),
        ["Shared.OllamaTimeoutNotPositive"] = (() => Base().WithOllama(o => o.Timeout(TimeSpan.Zero)).Deploy(d => d.Service("api-service")),
            "Ollama timeout 0 s is not positive: give a timeout such as TimeSpan.FromSeconds(30)."),
        ["Shared.OllamaTimeoutBeyondWait"] = (() => Base().WithOllama(o => o.Timeout(TimeSpan.FromMinutes(3))).Deploy(d => d.Service("api-service").WaitTimeout(TimeSpan.FromMinutes(2))),
            "Ollama timeout 3 min is longer than the deployment wait of 2 min: a request could outlive the deployment check; shorten the timeout or raise .WaitTimeout(...) in .Deploy(...)."),

        ["Deploy.SecretWithoutId"] = (() => Deploy(d => d.Secret("DATABASE_URL", "")),
            "Deploy: secret 'DATABASE_URL' has no secret id: give the Secrets Manager name or ARN."),
        ["Deploy.LogRetention"] = (() => Deploy(d => d.LogRetention(8)),
            "Deploy: log retention of 8 days is not a period CloudWatch Logs accepts: use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (for example d.LogRetention(7))."),
        ["Deploy.WaitTimeout"] = (() => Deploy(d => d.WaitTimeout(TimeSpan.Zero)),
            "Deploy: wait timeout 00:00:00 is not positive: give d.WaitTimeout(TimeSpan.FromMinutes(10))."),

        ["Strategy.HookRole"] = (() => Deploy(d => Canary(d).LambdaHook(Function, "ecs-hooks", LifecycleHookStages.PreScaleUp)),
            "Lifecycle hook arn:aws:lambda:eu-central-1:123456789012:function:check: role 'ecs-hooks' is not a role ARN: give the role ECS invokes the function with (arn:aws:iam::ACCOUNT:role/NAME)."),
        ["Strategy.HookWithoutStage"] = (() => Deploy(d => Canary(d).LambdaHook(Function, Role)),
            "Lifecycle hook arn:aws:lambda:eu-central-1:123456789012:function:check has no stage: name at least one of RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT."),
        ["Strategy.AlternateIsOwnTargetGroup"] = (() => Deploy(d => d.Strategy(DeploymentStrategy.BlueGreen(TimeSpan.Zero))
                .LoadBalancer(lb => lb.TargetGroup(Blue).AlternateTargetGroup(Blue).ProductionListenerRule(Production).Role(Role))),
            "The alternate target group arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/blue/1 is the service's own target group: give a second target group, so that both revisions can run side by side."),
        ["Strategy.TestTrafficPath"] = (() => Deploy(d => Canary(d).TestTraffic(t => t.Http("health").Port(8080))),
            "Test traffic: path 'health' must start with '/'."),
        ["Strategy.TestTrafficPort"] = (() => Deploy(d => Canary(d).TestTraffic(t => t.Http("/health").Port(70000))),
            "Test traffic: port 70000 is not a TCP port: give the test listener's port (1-65535)."),
        ["Strategy.TestTrafficDeadline"] = (() => Deploy(d => Canary(d).TestTraffic(t => t.Http("/health").Port(8080).Deadline(TimeSpan.Zero))),
            "Test traffic: deadline 0 s is not positive: give t.Deadline(TimeSpan.FromMinutes(2))."),

        ["Verify.NothingToCheck"] = (() => Deploy(_ => { }).Verify(_ => { }),
            "Verify: nothing to check: add v.Http(\"/health\") or v.Ollama()."),
        ["Verify.Path"] = (() => Deploy(_ => { }).Verify(v => v.Http("health")),
            "Verify: path 'health' must start with '/'."),
        ["Verify.OllamaWithoutWithOllama"] = (() => Deploy(_ => { }).Verify(v => v.Ollama()),
            "Verify: v.Ollama() checks the Ollama service, but the pipeline has no .WithOllama(...)."),
        ["Verify.NoBackend"] = (() => Base().Verify(v => v.Http("/health")),
            "Verify: no backend to check: add .Deploy(...) or give v.BaseUrl(...)."),
        ["Verify.Deadline"] = (() => Deploy(_ => { }).Verify(v => v.Http("/health").Deadline(TimeSpan.Zero)),
            "Verify: deadline 00:00:00 is not positive."),

        ["Migrate.NoCommand"] = (() => Base().Migrate(_ => { }).Deploy(d => d.Service("api-service")),
            "Migrate: no command: call m.Prisma() or m.Command(\"program\", \"args\"...)."),
        ["Migrate.OnEcsWithoutDeploy"] = (() => Base().Migrate(m => m.Prisma()),
            "Migrate on ECS runs on the task definition the Deploy stage renders, but there is no Deploy stage: add .Deploy(...) or run it here with m.Locally()."),

        ["Ollama.EmptyFilter"] = (() => Base().WithOllama(o => o.LoadBalancerNameContains("")).Deploy(d => d.Service("api-service")),
            "Ollama: the load-balancer name filter is empty: give o.LoadBalancerNameContains(\"ollama\")."),

        ["Build.ShellSyntax"] = (() => Base().Build(b => b.Run("npm ci && npm run build")),
            "Build: Command 'npm ci && npm run build' uses shell syntax, but commands run without a shell: pass the program and its arguments separately, Run(\"program\", \"arg1\", \"arg2\")."),
        ["Build.EmptyCommand"] = (() => Base().Build(b => b.Run(" ")),
            "Build: A build command is empty: give the program to run, for example Run(\"npm\", \"ci\")."),
        ["Build.NothingToDo"] = (() => Base().Build(_ => { }),
            "Build: nothing to do: add .Run(...) commands or .Image(\"Dockerfile\")."),
        ["Build.ImageOptionsWithoutImage"] = (() => Base().Build(b => b.Run("npm ci").Builder(ImageBuilderKind.Docker)),
            "Build: image options (Builder, BaseImage..., Platform, BuildCache) without an image: add .Image(\"Dockerfile\")."),
        ["Build.CacheWithBuildah"] = (() => Base().Build(b => b.Image().Builder(ImageBuilderKind.Buildah).BuildCache("123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:buildcache")),
            "Build: b.BuildCache(...) is a docker build cache, but b.Builder(ImageBuilderKind.Buildah) was asked for: remove BuildCache or use ImageBuilderKind.Docker (or Auto)."),
        ["Build.UnknownBuilder"] = (() => Base().Build(b => b.Image().Builder((ImageBuilderKind)9)),
            "Build: b.Builder(9) is not a builder: use ImageBuilderKind.Auto, Docker, Buildah or Daemonless."),
        ["Build.BaseImageRegistry"] = (() => Base().Build(b => b.Image().BaseImageRegistry("not a registry")),
            "Build: b.BaseImageRegistry(\"not a registry\") is not a registry: give a host[:port][/prefix], for example \"mirror.example:5000\"."),
        ["Build.BaseImagePolicy"] = (() => Base().Build(b => b.Image().BaseImage((BaseImagePolicy)9)),
            "Build: b.BaseImage(9) is not a policy: use BaseImagePolicy.Default, Required, IfReachable or Skip."),
        ["Build.Platform"] = (() => Base().Build(b => b.Image().Platform("amd64")),
            "Build: b.Platform(\"amd64\") is not os/arch[/variant]: use for example \"linux/amd64\" or \"linux/arm64\"."),
        ["Build.BuildCacheReference"] = (() => Base().Build(b => b.Image().BuildCache("no image here")),
            "Build: b.BuildCache(\"no image here\") is not an image reference: give for example \"123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:buildcache\"."),

        ["Push.NoTags"] = (() => Base().Build(b => b.Image()).Push(p => p.Tags()).Deploy(d => d.Service("api-service")),
            "Push: no tags: keep the default (git SHA and latest) or give p.Tags(PushOptions.GitSha, \"latest\")."),
        ["Push.ScanThreshold"] = (() => Base().Build(b => b.Image()).Push(p => p.ScanGate((ScanSeverity)99)),
            "Push: scan gate threshold 99 is not a severity: use ScanSeverity.Critical, High, Medium, Low, Informational or Undefined."),
        ["Push.ScanTimeout"] = (() => Base().Build(b => b.Image()).Push(p => p.ScanGate(ScanSeverity.Critical, s => s.Timeout(TimeSpan.Zero))),
            "Push: scan gate timeout 00:00:00 is not positive: give s.Timeout(TimeSpan.FromMinutes(10))."),
        ["Push.ScanPoll"] = (() => Base().Build(b => b.Image()).Push(p => p.ScanGate(ScanSeverity.Critical, s => s.PollEvery(TimeSpan.Zero))),
            "Push: scan gate poll interval 00:00:00 is not positive: give s.PollEvery(TimeSpan.FromSeconds(5))."),
        ["Push.ScanStart"] = (() => Base().Build(b => b.Image()).Push(p => p.ScanGate(ScanSeverity.Critical, s => s.StartScanIfNoneAfter(TimeSpan.FromSeconds(-1)))),
            "Push: scan gate StartScanIfNoneAfter(-00:00:01) is negative: give TimeSpan.FromSeconds(30)."),
        ["Push.KeepNoImage"] = (() => Base().Build(b => b.Image()).Push(p => p.KeepLastImages(0)),
            "Push: KeepLastImages(0) keeps no image: keep at least the image being deployed and the one a rollback returns to, for example p.KeepLastImages(10)."),

        ["Checks.TypeCheckProject"] = (() => Pipeline.For("api").TypeCheck(t => t.Project("")),
            "TypeCheck: the tsconfig path is empty: give it, for example .Project(\"tsconfig.json\")."),
        ["Checks.LintPath"] = (() => Pipeline.For("api").Lint(l => l.Paths("")),
            "Lint: a path in .Paths(...) is empty: give the folders or files to lint, for example .Paths(\"src\")."),
        ["Checks.PrismaSchema"] = (() => Pipeline.For("api").PrismaValidate(p => p.Schema("")),
            "PrismaValidate: the schema path is empty: give it, for example .Schema(\"prisma/schema.prisma\")."),
        ["Checks.DriftMigrations"] = (() => Pipeline.For("api").MigrationDrift(m => m.Migrations("")),
            "MigrationDrift: the migrations folder is empty: give it, for example .Migrations(\"prisma/migrations\")."),
        ["Checks.DriftVariable"] = (() => Pipeline.For("api").MigrationDrift(m => m.ShadowServerFromEnvironment("")),
            "MigrationDrift: .ShadowServerFromEnvironment(...) needs a variable name, for example \"PRISMA_SHADOW_SERVER_URL\"."),
        ["Checks.ImageBuildWithoutImage"] = (() => Pipeline.For("api").ImageBuild(i => i.With(b => b.Run("npm ci"))),
            "ImageBuild: no image to build: add .Image(\"Dockerfile\") to the build, for example .ImageBuild(i => i.With(b => b.Image(\"Dockerfile\")))."),
        ["Checks.AuditLevel"] = (() => Pipeline.For("api").DependencyAudit(a => a.FailAt((AuditLevel)9)),
            "DependencyAudit: .FailAt(9) is not a severity: use AuditLevel.Low, Moderate, High or Critical."),
        ["Checks.WorkingDirectory"] = (() => Pipeline.For("api").TypeCheck(t => t.WorkingDirectory(" ")),
            "TypeCheck: the working directory is empty: give the project folder, for example .WorkingDirectory(\"samples/truecaller-backend\")."),
        ["Checks.EnvironmentName"] = (() => Pipeline.For("api").Lint(l => l.Environment("", "x")),
            "Lint: An environment variable name is empty: give the name, for example .Environment(\"NODE_OPTIONS\", \"--max-old-space-size=4096\")."),

        ["Terraform.TwoSources"] = (() => Pipeline.FromTerraform("api", t => t.StateFile("terraform.tfstate").Project("terraform")).Deploy(d => d.Service("api-service")),
            "Terraform: both a state file and a project folder are set: choose one source of outputs."),
    };

    public static TheoryData<string> Names() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Build_ListsTheProblem_InTheseWords(string name)
    {
        var (pipeline, message) = Cases[name];
        var error = Assert.Throws<PipelineValidationException>(() => pipeline().Build());
        Assert.True(error.Problems.Contains(message), $"Expected:\n  {message}\nProblems:\n  {string.Join("\n  ", error.Problems)}");
    }

    /// <summary>A required output no stage produces: the message names the built-in stage that produces it.</summary>
    [Theory]
    [InlineData("built image", "Stage 'SmokeTask' requires 'built image', which no stage of this pipeline produces: add the stage that produces it (.Build(...)) before .SmokeTask(...).")]
    [InlineData("image", "Stage 'SmokeTask' requires 'image', which no stage of this pipeline produces: add the stage that produces it (.Push(...)) before .SmokeTask(...).")]
    [InlineData("OLLAMA_URL", "Stage 'SmokeTask' requires 'OLLAMA_URL', which no stage of this pipeline produces: add the stage that produces it (.WithOllama(...)) before .SmokeTask(...).")]
    [InlineData("previous task definition", "Stage 'SmokeTask' requires 'previous task definition', which no stage of this pipeline produces: add the stage that produces it (.Deploy(...)) before .SmokeTask(...).")]
    [InlineData("smoke report", "Stage 'SmokeTask' requires 'smoke report', which no stage of this pipeline produces: add the stage that produces it before .SmokeTask(...).")]
    public void StageOrdering_MissingInput_NamesItsProducer(string output, string message)
    {
        var smoke = new EcsDeploy.Rules.StageOrder("SmokeTask", [output], [], [], [], []);
        Assert.Equal([message], EcsDeploy.Rules.StageOrderingRules.Check([smoke]));
    }

    [Fact]
    public void Build_Twice_IsRefusedInTheseWords()
    {
        var builder = Deploy(_ => { });
        builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Equal("Pipeline 'api' has already been built; a built definition is immutable. Start a new one with Pipeline.For(...).", error.Message);
    }

    [Fact]
    public void TerraformSettings_ChangedAfterBuild_AreRefusedInTheseWords()
    {
        var definition = Pipeline.FromTerraform("api", t => t.StateFile("terraform.tfstate")).InRegion("eu-central-1").Deploy(d => d.Service("api-service")).Build();

        var error = Assert.Throws<InvalidOperationException>(() => definition.Terraform.Require("ecs_cluster_name"));
        Assert.Equal("These Terraform settings belong to a built pipeline and cannot change.", error.Message);
    }
}
