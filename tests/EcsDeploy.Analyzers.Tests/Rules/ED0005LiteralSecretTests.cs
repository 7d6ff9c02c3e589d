using EcsDeploy.Analyzers.CodeFixes;
using EcsDeploy.Rules;
using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0005LiteralSecretTests
{
    [Theory]
    [InlineData("DATABASE_URL")]
    [InlineData("REDIS_URL")]
    [InlineData("JWT_SECRET")]
    [InlineData("GOOGLE_APPLICATION_CREDENTIALS_JSON")]
    [InlineData("STRIPE_API_KEY")]
    [InlineData("ADMIN_PASSWORD")]
    [InlineData("GITHUB_TOKEN")]
    [InlineData("SIGNING_PRIVATE_KEY")]
    public Task SecretLikeVariable_WithALiteral_ReportsAtTheValue(string name)
        => Analyzer<LiteralSecretAnalyzer>($$"""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").Environment("{{name}}", {|#0:"value"|}))
                .RunAsync(args);
            """,
            Diagnostic("ED0005", SecretRules.LiteralSecret(name)));

    [Fact]
    public Task OrdinaryVariableOrSecretReference_ReportsNothing()
        => Analyzer<LiteralSecretAnalyzer>("""
            var url = Environment.GetEnvironmentVariable("DB") ?? "";
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Environment("NODE_ENV", "production")
                    .Environment("DATABASE_URL", url)
                    .Secret("JWT_SECRET", "api/jwt"))
                .RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_ReplacesTheLiteralByASecretReference_FixAll()
        => CodeFix<LiteralSecretAnalyzer, LiteralSecretCodeFixProvider>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Environment("DATABASE_URL", {|ED0005:"postgres://u:p@db/app"|})
                    .Environment("JWT_SECRET", {|ED0005:"s3cr3t"|}))
                .RunAsync(args);
            """, """
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service")
                    .Secret("DATABASE_URL", "DATABASE_URL")
                    .Secret("JWT_SECRET", "JWT_SECRET"))
                .RunAsync(args);
            """);
}
