using EcsDeploy.Rules;
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
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.PipelineName, "my api")!, 0),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.Region, "europe")!, 1),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.Cluster, "cluster/prod")!, 2),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.EcrRepository, "My_Repo")!, 3),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.ImageTag, ".hidden")!, 4),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.Service, "")!, 5),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.TaskFamily, "fam.ily")!, 6),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.Container, "web app")!, 7),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.EnvironmentVariable, "1NODE_ENV")!, 8),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.EnvironmentVariable, "DB-URL")!, 9),
            Diagnostic("ED0006", AwsNamingRules.Check(AwsNameKind.Service, "ollama service")!, 10));

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
