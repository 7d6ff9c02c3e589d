using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0006InvalidNameTests
{
    [Fact]
    public Task InvalidNames_ReportTheRuntimeMessages()
        => Analyzer<InvalidNameAnalyzer>("""
            await Pipeline.For({|#0:"my api"|})
                .InRegion({|#1:"europe"|})
                .OnCluster({|#2:"cluster/prod"|})
                .Push(p => p.Repository({|#3:"My_Repo"|}).Tags({|#4:".hidden"|}, PushOptions.GitSha))
                .Deploy(d => d.Service({|#5:""|}).Family({|#6:"fam.ily"|}).Container({|#7:"web app"|})
                    .Environment({|#8:"1NODE_ENV"|}, "production").Secret({|#9:"DB-URL"|}, "api/db"))
                .WithOllama(o => o.Service({|#10:"ollama service"|}))
                .RunAsync(args);
            """,
            Diagnostic("ED0006", "Pipeline name 'my api' is invalid: use 1-255 letters, digits, hyphens and underscores.", 0),
            Diagnostic("ED0006", "Region 'europe' is invalid: use a region code such as 'eu-central-1'.", 1),
            Diagnostic("ED0006", "Cluster name 'cluster/prod' is invalid: use 1-255 letters, digits, hyphens and underscores.", 2),
            Diagnostic("ED0006", "ECR repository name 'My_Repo' is invalid: use 2-256 lowercase letters and digits, separated by '.', '_', '-' or '/'.", 3),
            Diagnostic("ED0006", "Image tag '.hidden' is invalid: use 1-300 letters, digits, '_', '.' and '-', not starting with '.' or '-'.", 4),
            Diagnostic("ED0006", "Service name is empty: give a name.", 5),
            Diagnostic("ED0006", "Task-definition family 'fam.ily' is invalid: use 1-255 letters, digits, hyphens and underscores.", 6),
            Diagnostic("ED0006", "Container name 'web app' is invalid: use 1-255 letters, digits, hyphens and underscores.", 7),
            Diagnostic("ED0006", "Environment variable name '1NODE_ENV' is invalid: use letters, digits and underscores, not starting with a digit.", 8),
            Diagnostic("ED0006", "Environment variable name 'DB-URL' is invalid: use letters, digits and underscores, not starting with a digit.", 9),
            Diagnostic("ED0006", "Service name 'ollama service' is invalid: use 1-255 letters, digits, hyphens and underscores.", 10));

    [Fact]
    public Task ValidOrNonConstantNames_ReportNothing()
        => Analyzer<InvalidNameAnalyzer>("""
            var region = Environment.GetEnvironmentVariable("AWS_REGION") ?? "eu-central-1";
            await Pipeline.For("truecaller-backend")
                .InRegion(region)
                .OnCluster("truecaller-backend-cluster")
                .Push(p => p.Repository("team/truecaller-backend").Tags(PushOptions.GitSha, "latest", "v1.2.3"))
                .Deploy(d => d.Service("truecaller-backend-service").Family("truecaller_backend").Container("api")
                    .Environment("NODE_ENV", "production").Secret("DATABASE_URL", "api/db"))
                .RunAsync(args);
            """);
}
