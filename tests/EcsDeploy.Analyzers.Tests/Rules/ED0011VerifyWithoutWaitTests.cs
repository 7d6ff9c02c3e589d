using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0011VerifyWithoutWaitTests
{
    [Fact]
    public Task VerifyWithWaitOff_ReportsAtWait()
        => Analyzer<VerifyWithoutWaitAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").{|#0:Wait(false)|})
                .Verify(v => v.Http("/health"))
                .RunAsync(args);
            """,
            Diagnostic("ED0011", "Verify is configured but the deployment is not waited for (.Wait(false)): verification would test the old revision; remove .Wait(false) or the Verify stage."));

    [Fact]
    public Task VerifyAddedByAHelper_WithWaitOff_Reports()
        => Analyzer<VerifyWithoutWaitAnalyzer>("""
            var pipeline = Pipeline.For("api").Deploy(d => d.Service("api-service").{|#0:Wait(false)|});
            await AddChecks(pipeline).RunAsync(args);

            static PipelineBuilder AddChecks(PipelineBuilder pipeline) => pipeline.Verify(v => v.Http("/health"));
            """,
            Diagnostic("ED0011", "Verify is configured but the deployment is not waited for (.Wait(false)): verification would test the old revision; remove .Wait(false) or the Verify stage."));

    [Fact]
    public Task WaitOffWithoutVerify_OrVerifyWithWait_ReportsNothing()
        => Analyzer<VerifyWithoutWaitAnalyzer>("""
            await Pipeline.For("api").Deploy(d => d.Service("api-service").Wait(false)).RunAsync(args);
            await Pipeline.For("web").Deploy(d => d.Service("web-service").Wait()).Verify(v => v.Http("/")).RunAsync(args);
            """);
}
