using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0004HardCodedCredentialsTests
{
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    [Fact]
    public Task AccessKeyIdLiteral_InAnEnvironmentVariable_Reports()
        => Analyzer<HardCodedCredentialsAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").Environment("AWS_ACCESS_KEY_ID", {|#0:"AKIAIOSFODNN7EXAMPLE"|}))
                .RunAsync(args);
            """,
            Diagnostic("ED0004", "Hard-coded AWS access key id 'AKIA...MPLE' in the pipeline definition: remove it (and deactivate the key); the default credential chain (environment, profile, role) supplies credentials."));

    [Fact]
    public Task SecretKeyConstant_PassedToThePipeline_Reports()
        => Analyzer<HardCodedCredentialsAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").Environment("AWS_SECRET_ACCESS_KEY", {|#0:Keys.Secret|}))
                .RunAsync(args);

            static class Keys { public const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"; }
            """,
            Diagnostic("ED0004", "Hard-coded AWS secret access key in the pipeline definition: remove it (and rotate the key); the default credential chain (environment, profile, role) supplies credentials."));

    [Fact]
    public Task TemporaryKeyId_InsideAConnectionString_Reports()
        => Analyzer<HardCodedCredentialsAnalyzer>("""
            await Pipeline.For("api")
                .Migrate(m => m.Command("aws", "configure", "set", "aws_access_key_id", {|#0:"ASIAIOSFODNN7EXAMPLE"|}))
                .RunAsync(args);
            """,
            Diagnostic("ED0004", "Hard-coded AWS access key id 'ASIA...MPLE' in the pipeline definition: remove it (and deactivate the key); the default credential chain (environment, profile, role) supplies credentials."));

    [Fact]
    public Task GitShaAndSecretReferences_ReportNothing()
        => Analyzer<HardCodedCredentialsAnalyzer>("""
            await Pipeline.For("api")
                .Push(p => p.Tags("3f2c1a9b8e7d6c5b4a39281706f5e4d3c2b1a098"))
                .Deploy(d => d.Service("api-service").Secret("AWS_SECRET_ACCESS_KEY", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:api/aws"))
                .RunAsync(args);
            """);

    [Fact]
    public Task KeyIdOutsideAnyPipeline_ReportsNothing()
        => Analyzer<HardCodedCredentialsAnalyzer>("""
            Console.WriteLine("AKIAIOSFODNN7EXAMPLE");
            """);
}
