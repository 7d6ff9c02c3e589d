using EcsDeploy.Aws;
using EcsDeploy.Reporting;

namespace EcsDeploy.Testing.Tests;

/// <summary>Services and their dependencies form a graph; --deploy-dependencies deploys it deepest first.</summary>
public sealed class ServiceGraphTests
{
    private const string Cluster = "truecaller-backend-cluster";

    private static SimulatedAws WithExtraServices(params string[] services)
    {
        var aws = Seed.Truecaller();
        var template = aws.Ecs.Revisions("truecaller-backend")[0];
        foreach (var service in services)
        {
            var arn = aws.Ecs.Register(TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(template) with { Family = service });
            aws.Ecs.CreateRunningService(Cluster, service, arn, 1);
        }
        return aws;
    }

    private static PipelineBuilder Graph(string context) => TestPipelines.Seed(context, d => d
        .DependsOn("worker")
        .Dependency("worker", "vector-db")
        .Dependency("truecaller-backend-ollama-service", "vector-db"));

    [Fact]
    public async Task DeployDependencies_RollsOutEachDependencyAfterItsOwnThenTheService()
    {
        var aws = WithExtraServices("worker", "vector-db");
        var (result, events) = await TestPipelines.RunAsync(aws, Graph(TestPipelines.CreateContext()).Build(),
            new RunOptions { GitSha = TestPipelines.GitSha, DeployDependencies = true });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var order = events.Events.OfType<DeploymentProgress>().Select(p => p.Service).Distinct().ToList();
        Assert.Equal(["vector-db", "worker", "truecaller-backend-ollama-service", "truecaller-backend-service"], order);
        Assert.Equal(4, aws.CallsTo("UpdateService").Count);
    }

    [Fact]
    public async Task WithoutTheFlag_DependenciesAreLeftAsTheyAreAndThePlanSaysSo()
    {
        var aws = WithExtraServices("worker", "vector-db");
        var (result, events) = await TestPipelines.RunAsync(aws, Graph(TestPipelines.CreateContext()).Build());

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Single(aws.CallsTo("UpdateService"));
        var plan = result.Plan.Single(p => p.Stage == "Deploy");
        Assert.Contains(plan.Details, d => d.Key == "depends on" && d.Value.Contains("--deploy-dependencies", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenADependencyFails_TheServiceIsNotTouched()
    {
        var aws = WithExtraServices("worker", "vector-db");
        // Every new deployment of worker's revision fails to start.
        var previous = aws.Ecs.Behaviour;
        aws.Ecs.Behaviour = launch => launch.ServiceName == "worker" ? TaskBehaviour.FailsToStart("CannotPullContainerError: not found") : previous(launch);
        await aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = "worker", DeploymentConfiguration = new DeploymentConfiguration { DeploymentCircuitBreaker = new DeploymentCircuitBreaker(true, true) } }, CancellationToken.None);

        var (result, _) = await TestPipelines.RunAsync(aws, Graph(TestPipelines.CreateContext()).Build(),
            new RunOptions { GitSha = TestPipelines.GitSha, DeployDependencies = true });

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("Dependency 'worker'", result.Error, StringComparison.Ordinal);
        Assert.EndsWith(":1", aws.Ecs.CurrentTaskDefinition(Cluster, "truecaller-backend-service").TaskDefinitionArn);
    }

    [Fact]
    public void Build_WithACycle_NamesItsPath()
    {
        var error = Assert.Throws<PipelineValidationException>(() => TestPipelines.Seed(TestPipelines.CreateContext(), d => d
            .DependsOn("worker").Dependency("worker", "vector-db").Dependency("vector-db", "worker")).Build());

        Assert.Contains(error.Problems, p => p.Contains("worker -> vector-db -> worker", StringComparison.Ordinal));
    }
}
