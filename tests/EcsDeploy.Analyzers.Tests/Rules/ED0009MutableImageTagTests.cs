using EcsDeploy.Analyzers.CodeFixes;
using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0009MutableImageTagTests
{
    [Fact]
    public Task OnlyLatest_Reports()
        => Analyzer<MutableImageTagAnalyzer>("""
            await Pipeline.For("api").Push(p => p.{|#0:Tags("latest")|}).Deploy(d => d.Service("api-service")).RunAsync(args);
            """,
            Diagnostic("ED0009", "The image is tagged only with mutable tag(s) 'latest': add an immutable tag, such as .Tags(PushOptions.GitSha, \"latest\"), so that the deployment names an exact image."));

    [Fact]
    public Task ImmutableTagPresent_ReportsNothing()
        => Analyzer<MutableImageTagAnalyzer>("""
            await Pipeline.For("api").Push(p => p.Tags(PushOptions.GitSha, "latest")).Deploy(d => d.Service("api-service")).RunAsync(args);
            await Pipeline.For("web").Push(p => p.Tags("v1.4.2", "latest")).Deploy(d => d.Service("web-service")).RunAsync(args);
            await Pipeline.For("job").Push().Deploy(d => d.Service("job-service")).RunAsync(args);
            """);

    [Fact]
    public Task CodeFix_AddsTheGitShaTag_FixAll()
        => CodeFix<MutableImageTagAnalyzer, MutableImageTagCodeFixProvider>("""
            await Pipeline.For("api").Push(p => p.{|ED0009:Tags("latest")|}).Deploy(d => d.Service("api-service")).RunAsync(args);
            await Pipeline.For("web").Push(p => p.{|ED0009:Tags("latest", "stable")|}).Deploy(d => d.Service("web-service")).RunAsync(args);
            """, """
            await Pipeline.For("api").Push(p => p.Tags(PushOptions.GitSha, "latest")).Deploy(d => d.Service("api-service")).RunAsync(args);
            await Pipeline.For("web").Push(p => p.Tags(PushOptions.GitSha, "latest", "stable")).Deploy(d => d.Service("web-service")).RunAsync(args);
            """);
}
