using EcsDeploy.Analyzers.CodeFixes;
using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0008DevelopmentMigrationTests
{
    [Theory]
    [InlineData("\"npx\", \"prisma\", \"migrate\", \"dev\"", new[] { "npx", "prisma", "migrate", "dev" }, "migrate dev")]
    [InlineData("\"npx prisma migrate reset --force\"", new[] { "npx", "prisma", "migrate", "reset", "--force" }, "migrate reset")]
    [InlineData("\"npx\", \"prisma db push\"", new[] { "npx", "prisma", "db", "push" }, "db push")]
    [InlineData("\"npx\", \"prisma\", \"migrate\", \"deploy\", \"--accept-data-loss\"", new[] { "npx", "prisma", "migrate", "deploy", "--accept-data-loss" }, "--accept-data-loss")]
    public Task DevelopmentCommand_InMigrate_Reports(string arguments, string[] words, string forbidden)
        => Analyzer<DevelopmentMigrationAnalyzer>($$"""
            await Pipeline.For("api").Migrate(m => m.{|#0:Command({{arguments}})|}).Deploy(d => d.Service("api-service")).RunAsync(args);
            """,
            Diagnostic("ED0008", $"Migration command '{string.Join(" ", words)}' is development-only ('{forbidden}' can drop or rewrite data): use 'prisma migrate deploy', which applies committed migrations only."));

    [Fact]
    public Task DevelopmentCommand_InABuildStep_Reports()
        => Analyzer<DevelopmentMigrationAnalyzer>("""
            await Pipeline.For("api").Build(b => b.Run("npm ci").{|#0:Run("npx prisma migrate dev")|}).Deploy(d => d.Service("api-service")).RunAsync(args);
            """,
            Diagnostic("ED0008", "Migration command 'npx prisma migrate dev' is development-only ('migrate dev' can drop or rewrite data): use 'prisma migrate deploy', which applies committed migrations only."));

    [Fact]
    public Task DeploySafeCommands_ReportNothing()
        => Analyzer<DevelopmentMigrationAnalyzer>("""
            await Pipeline.For("api")
                .Build(b => b.Run("npm", "ci").Run("npm run build"))
                .Migrate(m => m.Prisma().Command("npx", "prisma", "migrate", "deploy"))
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_UsesMigrateDeploy_FixAll()
        => CodeFix<DevelopmentMigrationAnalyzer, DevelopmentMigrationCodeFixProvider>("""
            await Pipeline.For("api")
                .Build(b => b.{|ED0008:Run("npx prisma migrate dev --name init")|})
                .Migrate(m => m.{|ED0008:Command("npx", "prisma", "db", "push", "--accept-data-loss")|})
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);
            """, """
            await Pipeline.For("api")
                .Build(b => b.Run("npx prisma migrate deploy"))
                .Migrate(m => m.Command("npx", "prisma", "migrate", "deploy"))
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);
            """);
}
