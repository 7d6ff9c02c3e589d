using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0007OllamaConfigurationTests
{
    [Theory]
    [InlineData("llama 3.2")]
    [InlineData("llama3.2:")]
    [InlineData(":1b")]
    [InlineData("http://ollama/llama3")]
    public Task MalformedModel_Reports(string model)
        => Analyzer<OllamaConfigurationAnalyzer>($$"""
            await Pipeline.For("api").WithOllama(o => o.Model({|#0:"{{model}}"|})).Deploy(d => d.Service("api-service")).RunAsync(args);
            """,
            Diagnostic("ED0007", $"Ollama model '{model}' is not a model reference: use name[:tag], such as 'llama3.2:1b'."));

    [Theory]
    [InlineData("TimeSpan.Zero", 0)]
    [InlineData("TimeSpan.FromSeconds(-5)", -5)]
    public Task NonPositiveTimeout_Reports(string expression, int seconds)
        => Analyzer<OllamaConfigurationAnalyzer>($$"""
            await Pipeline.For("api").WithOllama(o => o.Timeout({|#0:{{expression}}|})).Deploy(d => d.Service("api-service")).RunAsync(args);
            """,
            Diagnostic("ED0007", $"Ollama timeout {seconds} s is not positive: give a timeout such as TimeSpan.FromSeconds(30)."));

    [Fact]
    public Task TimeoutLongerThanTheDefaultWait_Reports()
        => Analyzer<OllamaConfigurationAnalyzer>("""
            await Pipeline.For("api")
                .WithOllama(o => o.Model("llama3.2:1b").Timeout({|#0:TimeSpan.FromMinutes(15)|}))
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);
            """,
            Diagnostic("ED0007", "Ollama timeout 15 min is longer than the deployment wait of 10 min: a request could outlive the deployment check; shorten the timeout or raise .WaitTimeout(...) in .Deploy(...)."));

    [Fact]
    public Task TimeoutLongerThanTheWaitTimeout_AcrossStatements_Reports()
        => Analyzer<OllamaConfigurationAnalyzer>("""
            var pipeline = Pipeline.For("api");
            pipeline.WithOllama(o => o.Timeout({|#0:new TimeSpan(0, 3, 0)|}));
            pipeline.Deploy(d => d.Service("api-service").WaitTimeout(TimeSpan.FromMinutes(2)));
            await pipeline.RunAsync(args);
            """,
            Diagnostic("ED0007", "Ollama timeout 3 min is longer than the deployment wait of 2 min: a request could outlive the deployment check; shorten the timeout or raise .WaitTimeout(...) in .Deploy(...)."));

    [Fact]
    public Task WellConfigured_ReportsNothing()
        => Analyzer<OllamaConfigurationAnalyzer>("""
            await Pipeline.For("api")
                .WithOllama(o => o.Model("llama3.2:1b").Timeout(TimeSpan.FromSeconds(30)))
                .Deploy(d => d.Service("api-service"))
                .RunAsync(args);
            await Pipeline.For("big")
                .WithOllama(o => o.Model("library/qwen2.5-coder:7b-instruct-Q4_K_M").Timeout(TimeSpan.FromMinutes(15)))
                .Deploy(d => d.Service("big-service").WaitTimeout(TimeSpan.FromMinutes(20)))
                .RunAsync(args);
            """);
}
