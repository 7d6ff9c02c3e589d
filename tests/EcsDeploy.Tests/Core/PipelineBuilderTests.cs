using EcsDeploy.Rules;

namespace EcsDeploy.Tests.Core;

public sealed class PipelineBuilderTests
{
    private static PipelineBuilder Valid() => Pipeline.For("truecaller-backend")
        .InRegion("eu-central-1")
        .OnCluster("truecaller-backend-cluster")
        .Deploy(d => d.Service("truecaller-backend-service"));

    [Fact]
    public void Build_ValidDefinition_FreezesItWithStagesInOrder()
    {
        var definition = Valid().Verify(v => v.Http("/health")).Build();

        Assert.Equal("truecaller-backend", definition.Name);
        Assert.Equal("eu-central-1", definition.Region);
        Assert.Equal(["Deploy", "Verify"], definition.Stages.Select(s => s.Descriptor.Name));
    }

    [Fact]
    public void Build_FreezesStageOptions_SoAChangeThroughAKeptReferenceIsRefused()
    {
        DeployOptions? kept = null;
        var definition = Pipeline.For("truecaller-backend")
            .InRegion("eu-central-1")
            .OnCluster("truecaller-backend-cluster")
            .Deploy(d => kept = d.Service("truecaller-backend-service"))
            .Build();

        var error = Assert.Throws<InvalidOperationException>(() => kept!.Service("another-service"));

        Assert.Equal("The Deploy options belong to a built pipeline and are immutable: set them inside the configure callback before Build(), or start a new pipeline with Pipeline.For(...).", error.Message);
        Assert.Equal("truecaller-backend-service", definition.DeployedService!.Target.Service);
    }

    [Fact]
    public void Build_VerifyBeforeDeploy_IsRefusedWithTheLiteralOrderingMessage()
    {
        var builder = Pipeline.For("api").InRegion("eu-central-1").OnCluster("c")
            .Verify(v => v.Http("/health"))
            .Deploy(d => d.Service("api-service"));

        var error = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Contains("Stage 'Deploy' must run before 'Verify': it produces 'deployment', which 'Verify' needs. Move .Deploy(...) before .Verify(...).", error.Problems);
    }

    [Fact]
    public void Build_WithSeveralMistakes_ReportsEveryProblemAtOnceWithItsFix()
    {
        var builder = Pipeline.For("bad name!")
            .InRegion("europe")
            .OnCluster("")
            .Verify(v => v.Http("health"))
            .Deploy(d => d.Service("svc").Environment("DATABASE_URL", "postgresql://u:p@h/db").Environment("A", "1").Environment("A", "2"))
            .Migrate(m => m.Command("npx", "prisma", "migrate", "dev"));

        var error = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Contains(AwsNamingRules.Check(AwsNameKind.PipelineName, "bad name!"), error.Problems);
        Assert.Contains(AwsNamingRules.Check(AwsNameKind.Region, "europe"), error.Problems);
        Assert.Contains(AwsNamingRules.Check(AwsNameKind.Cluster, ""), error.Problems);
        Assert.Contains(StageOrderingRules.OutOfOrder("Verify", "Deploy", "deployment"), error.Problems);
        Assert.Contains(StageOrderingRules.OutOfOrder("Deploy", "Migrate"), error.Problems);
        Assert.Contains(SecretRules.LiteralSecret("DATABASE_URL"), error.Problems);
        Assert.Contains(EnvironmentRules.DuplicateVariable("A"), error.Problems);
        Assert.Contains(MigrationRules.Check(["npx", "prisma", "migrate", "dev"]), error.Problems);
        Assert.Contains(error.Problems, p => p.Contains("must start with '/'", StringComparison.Ordinal));
        Assert.Contains("is invalid (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Twice_RefusesBecauseTheDefinitionIsImmutable()
    {
        var builder = Valid();
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Throws<InvalidOperationException>(() => builder.InRegion("us-east-1"));
    }

    [Fact]
    public void Build_WithTheSameStageTwice_ReportsTheDuplicate()
    {
        var error = Assert.Throws<PipelineValidationException>(() => Valid().Deploy(d => d.Service("other")).Build());

        Assert.Contains(StageOrderingRules.Duplicate("Deploy"), error.Problems);
    }

    [Fact]
    public void Build_WithOllamaTimeoutLongerThanDeployWait_ReportsIt()
    {
        var error = Assert.Throws<PipelineValidationException>(() => Pipeline.For("app").InRegion("eu-central-1").OnCluster("c")
            .WithOllama(o => o.Timeout(TimeSpan.FromMinutes(20)).Model("Not A Model"))
            .Deploy(d => d.Service("s").WaitTimeout(TimeSpan.FromMinutes(5)))
            .Build());

        Assert.Contains(OllamaRules.CheckTimeout(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(5)), error.Problems);
        Assert.Contains(OllamaRules.CheckModel("Not A Model"), error.Problems);
    }

    [Fact]
    public void Build_WithShellSyntaxInACommand_RefusesItAndSaysHowToPassArguments()
    {
        var error = Assert.Throws<PipelineValidationException>(() => Valid().Build(b => b.Run("npm ci && npm run build")).Build());

        Assert.Contains(error.Problems, p => p.Contains("Run(\"program\", \"arg1\", \"arg2\")", StringComparison.Ordinal));
    }

    [Fact]
    public void Descriptor_OfBuiltInStages_ComesFromTheAttributeOnTheExtensionMethod()
    {
        var migrate = StageDescriptor.FromMethod(typeof(MigrationExtensions), nameof(MigrationExtensions.Migrate));

        Assert.Equal("Migrate", migrate.Name);
        Assert.Equal(["Deploy"], migrate.RunsBefore);      // no data flows: an explicit fact
        Assert.Equal([OutputNames.Image], migrate.Uses);   // after Push, when there is one: data flow
        Assert.Empty(migrate.RunsAfter);
    }

    [Fact]
    public void CustomStage_DeclaringItsOrder_IsCheckedLikeABuiltInOne()
    {
        var error = Assert.Throws<PipelineValidationException>(() => Valid().Notify().Build());

        Assert.Contains(StageOrderingRules.OutOfOrder("Deploy", "Notify"), error.Problems);
    }
}

internal static class NotifyExtensions
{
    [PipelineStage("Notify", RunsBefore = ["Deploy"])]
    public static PipelineBuilder Notify(this PipelineBuilder builder) => builder.AddStage(new NotifyStage());

    private sealed class NotifyStage : IPipelineStage
    {
        public StageDescriptor Descriptor { get; } = StageDescriptor.FromMethod(typeof(NotifyExtensions), nameof(Notify));
        public void Validate(PipelineDefinition definition, ICollection<string> problems) { }
        public Task<StagePlan> PlanAsync(PipelineContext context, CancellationToken cancellationToken) => Task.FromResult(new StagePlan("Notify", "notify"));
        public Task ExecuteAsync(PipelineContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
