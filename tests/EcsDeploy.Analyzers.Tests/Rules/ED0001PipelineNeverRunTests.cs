using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0001PipelineNeverRunTests
{
    private const string Message = "Pipeline 'api' is defined but never run: end it with .RunAsync(args), or call .Build() to only validate it.";

    [Fact]
    public Task ChainAsAStatement_NeverRun_ReportsAtPipelineFor()
        => Analyzer<PipelineNeverRunAnalyzer>("""
            {|#0:Pipeline.For("api")|}.InRegion("eu-central-1").Deploy(d => d.Service("api-service"));
            """,
            Diagnostic("ED0001", Message));

    [Fact]
    public Task LocalBuiltAcrossStatements_NeverRun_Reports()
        => Analyzer<PipelineNeverRunAnalyzer>("""
            var pipeline = {|#0:Pipeline.For("api")|};
            pipeline.Migrate(m => m.Prisma());
            pipeline = pipeline.Deploy(d => d.Service("api-service"));
            Console.WriteLine("done");
            """,
            Diagnostic("ED0001", Message));

    [Fact]
    public Task RunAsync_ReportsNothing()
        => Analyzer<PipelineNeverRunAnalyzer>("""
            return await Pipeline.For("api").Deploy(d => d.Service("api-service")).RunAsync(args);
            """);

    [Fact]
    public Task LocalRunLater_ReportsNothing()
        => Analyzer<PipelineNeverRunAnalyzer>("""
            var pipeline = Pipeline.For("api");
            pipeline.Deploy(d => d.Service("api-service"));
            await pipeline.RunAsync(args);
            """);

    [Fact]
    public Task BuildOnly_ReportsNothing()
        => Analyzer<PipelineNeverRunAnalyzer>("""
            var definition = Pipeline.For("api").Deploy(d => d.Service("api-service")).Build();
            """);

    [Fact]
    public Task ReturnedFromAHelper_ReportsNothing()
        => Analyzer<PipelineNeverRunAnalyzer>("""
            await Create().RunAsync(args);

            static PipelineBuilder Create() => Pipeline.For("api").Deploy(d => d.Service("api-service"));
            """);

    [Fact]
    public Task PassedToAnotherMethod_ReportsNothing()
        => Analyzer<PipelineNeverRunAnalyzer>("""
            var pipeline = Pipeline.For("api").Deploy(d => d.Service("api-service"));
            Keep(pipeline);

            static void Keep(PipelineBuilder builder) { }
            """);
}
