using EcsDeploy.Analyzers.CodeFixes;
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
            Diagnostic("ED0005", $"Environment variable '{name}' looks like a secret but is given a literal value: use .Secret(\"{name}\", \"<secret name or ARN>\") so ECS injects it from Secrets Manager."));

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
                    .Secret("DATABASE_URL", "api/DATABASE_URL")
                    .Secret("JWT_SECRET", "api/JWT_SECRET"))
                .RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_PipelineNameAcrossStatementsAndAConstant_NamesTheSecretAfterThePipeline_FixAll()
        => CodeFix<LiteralSecretAnalyzer, LiteralSecretCodeFixProvider>("""
            const string Name = "billing";
            var pipeline = Pipeline.For(Name).InRegion("eu-central-1");
            pipeline.Deploy(d => d.Service("billing-service").Environment("JWT_SECRET", {|ED0005:"s3cr3t"|}));
            var other = Pipeline.For("orders");
            other = other.Deploy(d => d.Service("orders-service").Environment("REDIS_URL", {|ED0005:"redis://cache:6379"|}));
            await pipeline.RunAsync(args);
            await other.RunAsync(args);
            """, """
            const string Name = "billing";
            var pipeline = Pipeline.For(Name).InRegion("eu-central-1");
            pipeline.Deploy(d => d.Service("billing-service").Secret("JWT_SECRET", "billing/JWT_SECRET"));
            var other = Pipeline.For("orders");
            other = other.Deploy(d => d.Service("orders-service").Secret("REDIS_URL", "orders/REDIS_URL"));
            await pipeline.RunAsync(args);
            await other.RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_PipelineNameNotAConstantOrNotInScope_WritesAPlaceholder_FixAll()
        => CodeFix<LiteralSecretAnalyzer, LiteralSecretCodeFixProvider>("""
            await Pipeline.For(args[0])
                .Deploy(d => d.Service("api-service").Environment("DATABASE_URL", {|ED0005:"postgres://u:p@db/app"|}))
                .RunAsync(args);

            static PipelineBuilder WithSecrets(PipelineBuilder pipeline)
                => pipeline.Deploy(d => d.Environment("JWT_SECRET", {|ED0005:"s3cr3t"|}));
            """, """
            await Pipeline.For(args[0])
                .Deploy(d => d.Service("api-service").Secret("DATABASE_URL", "<pipeline-name>/DATABASE_URL"))
                .RunAsync(args);

            static PipelineBuilder WithSecrets(PipelineBuilder pipeline)
                => pipeline.Deploy(d => d.Secret("JWT_SECRET", "<pipeline-name>/JWT_SECRET"));
            """);
}
