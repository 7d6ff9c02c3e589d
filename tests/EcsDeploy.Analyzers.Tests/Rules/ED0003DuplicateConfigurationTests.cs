using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0003DuplicateConfigurationTests
{
    [Fact]
    public Task StageAddedTwice_ReportsTheSecond()
        => Analyzer<DuplicateConfigurationAnalyzer>("""
            await Pipeline.For("api")
                .Migrate(m => m.Prisma())
                .{|#0:Migrate(m => m.Prisma())|}
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);
            """,
            Diagnostic("ED0003", "Stage 'Migrate' is added twice: keep one .Migrate(...) call and configure it there."));

    [Fact]
    public Task StageAddedTwice_AcrossStatementsAndAHelper_Reports()
        => Analyzer<DuplicateConfigurationAnalyzer>("""
            var pipeline = WithDeploy(Pipeline.For("api"));
            pipeline.{|#0:Deploy(d => d.Service("other-service"))|};
            await pipeline.RunAsync(args);

            static PipelineBuilder WithDeploy(PipelineBuilder pipeline) => pipeline.Deploy(d => d.Service("api-service"));
            """,
            Diagnostic("ED0003", "Stage 'Deploy' is added twice: keep one .Deploy(...) call and configure it there."));

    [Fact]
    public Task EnvironmentVariableSetTwice_ReportsTheSecond()
        => Analyzer<DuplicateConfigurationAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Environment("NODE_ENV", "production")
                    .Secret("DATABASE_URL", "api/database-url")
                    .{|#0:Environment("NODE_ENV", "staging")|}
                    .{|#1:Secret("DATABASE_URL", "api/other")|})
                .RunAsync(args);
            """,
            Diagnostic("ED0003", "Environment variable 'NODE_ENV' is set twice: keep one .Environment(...) or .Secret(...) for it.", 0),
            Diagnostic("ED0003", "Environment variable 'DATABASE_URL' is set twice: keep one .Environment(...) or .Secret(...) for it.", 1));

    [Fact]
    public Task DistinctStagesAndVariables_ReportNothing()
        => Analyzer<DuplicateConfigurationAnalyzer>("""
            await Pipeline.For("api")
                .Migrate(m => m.Prisma())
                .Deploy(d => d.Service("api-service").Environment("NODE_ENV", "production").Secret("DATABASE_URL", "api/db"))
                .RunAsync(args);
            await Pipeline.For("worker").Migrate(m => m.Prisma()).Deploy(d => d.Service("worker-service")).RunAsync(args);
            """);
}
