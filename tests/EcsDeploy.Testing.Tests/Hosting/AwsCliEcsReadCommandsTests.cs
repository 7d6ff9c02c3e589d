using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>The everyday ECS read commands of the AWS CLI v1 against the local AWS host, answered from the simulation.</summary>
public sealed class AwsCliEcsReadCommandsTests : IAsyncLifetime
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";
    private const string OllamaService = "truecaller-backend-ollama-service";

    private readonly SimulatedAws _aws = Seed.Truecaller();
    private LocalAwsHost _host = null!;

    public async Task InitializeAsync() => _host = await LocalAwsHost.StartAsync(_aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static List<string> Strings(JsonElement json, string member) => [.. json.GetProperty(member).EnumerateArray().Select(e => e.GetString()!)];

    private string Arn(string resource) => $"arn:aws:ecs:eu-central-1:123456789012:{resource}";

    [Fact]
    public async Task ListAndDescribeClusters_CountRunningAndPendingTasksAndActiveServices_AndMissingClustersAreFailures()
    {
        var list = (await AwsCli.RunAsync(_host, "ecs", "list-clusters")).Json();
        Assert.Equal([Arn($"cluster/{Cluster}")], Strings(list, "clusterArns"));

        var before = (await AwsCli.RunAsync(_host, "ecs", "describe-clusters", "--clusters", Cluster, "no-such-cluster")).Json();
        var cluster = Assert.Single(before.GetProperty("clusters").EnumerateArray());
        Assert.Equal((Cluster, "ACTIVE", 3, 0, 2), (cluster.GetProperty("clusterName").GetString(), cluster.GetProperty("status").GetString(),
            cluster.GetProperty("runningTasksCount").GetInt32(), cluster.GetProperty("pendingTasksCount").GetInt32(), cluster.GetProperty("activeServicesCount").GetInt32()));
        var failure = Assert.Single(before.GetProperty("failures").EnumerateArray());
        Assert.Equal((Arn("cluster/no-such-cluster"), "MISSING"), (failure.GetProperty("arn").GetString(), failure.GetProperty("reason").GetString()));

        // A new deployment of the backend: 6 s later its two new tasks are PENDING beside the three running ones.
        await _aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, ForceNewDeployment = true }, CancellationToken.None);
        _aws.Clock.Advance(TimeSpan.FromSeconds(6));
        var during = (await AwsCli.RunAsync(_host, "ecs", "describe-clusters", "--clusters", Arn($"cluster/{Cluster}"))).Json().GetProperty("clusters")[0];
        Assert.Equal((3, 2), (during.GetProperty("runningTasksCount").GetInt32(), during.GetProperty("pendingTasksCount").GetInt32()));
    }

    [Fact]
    public async Task ListServices_PagesTenAtATimeAsEcs_FiltersByLaunchType_AndRefusesAnUnknownCluster()
    {
        _aws.Ecs.CreateCluster("many");
        var definition = _aws.Ecs.Service(Cluster, Service).TaskDefinition!;
        var names = Enumerable.Range(1, 12).Select(i => $"svc-{i:D2}").ToList();
        foreach (var name in names)
        {
            _aws.Ecs.CreateRunningService("many", name, definition, 0);
        }
        var calls = _aws.CallsTo("ListServices").Count;

        var all = (await AwsCli.RunAsync(_host, "ecs", "list-services", "--cluster", "many")).Json();
        Assert.Equal(names.Select(n => Arn($"service/many/{n}")), Strings(all, "serviceArns"));
        Assert.Equal(2, _aws.CallsTo("ListServices").Count - calls); // 10, then 2 with the nextToken

        var firstPage = (await AwsCli.RunAsync(_host, "ecs", "list-services", "--cluster", "many", "--max-items", "3")).Json();
        Assert.Equal(3, Strings(firstPage, "serviceArns").Count);
        var rest = (await AwsCli.RunAsync(_host, "ecs", "list-services", "--cluster", "many", "--starting-token", firstPage.GetProperty("NextToken").GetString()!)).Json();
        Assert.Equal(names.Skip(3).Select(n => Arn($"service/many/{n}")), Strings(rest, "serviceArns"));

        var fargate = (await AwsCli.RunAsync(_host, "ecs", "list-services", "--cluster", Cluster, "--launch-type", "FARGATE")).Json();
        Assert.Equal([Arn($"service/{Cluster}/{OllamaService}"), Arn($"service/{Cluster}/{Service}")], Strings(fargate, "serviceArns"));
        var ec2 = (await AwsCli.RunAsync(_host, "ecs", "list-services", "--cluster", Cluster, "--launch-type", "EC2")).Json();
        Assert.Empty(Strings(ec2, "serviceArns"));

        var missing = await AwsCli.RunAsync(_host, "ecs", "list-services", "--cluster", "no-such-cluster");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("ClusterNotFoundException", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListTasks_FiltersByServiceFamilyDesiredStatusAndLaunchType_AndPages()
    {
        var backend = (await _aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = Cluster, ServiceName = Service }, CancellationToken.None)).TaskArns;
        var ollama = (await _aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = Cluster, ServiceName = OllamaService }, CancellationToken.None)).TaskArns;
        Assert.Equal((2, 1), (backend.Count, ollama.Count));
        await _aws.Ecs.StopTaskAsync(new StopTaskRequest(Cluster, backend[0], "checking list-tasks"), CancellationToken.None);
        _aws.Clock.Advance(TimeSpan.FromSeconds(30));

        var byService = Strings((await AwsCli.RunAsync(_host, "ecs", "list-tasks", "--cluster", Cluster, "--service-name", Service)).Json(), "taskArns");
        var byFamily = Strings((await AwsCli.RunAsync(_host, "ecs", "list-tasks", "--cluster", Cluster, "--family", "truecaller-backend-ollama")).Json(), "taskArns");
        var stopped = Strings((await AwsCli.RunAsync(_host, "ecs", "list-tasks", "--cluster", Cluster, "--desired-status", "STOPPED")).Json(), "taskArns");
        var pending = Strings((await AwsCli.RunAsync(_host, "ecs", "list-tasks", "--cluster", Cluster, "--desired-status", "PENDING")).Json(), "taskArns");
        var ec2 = Strings((await AwsCli.RunAsync(_host, "ecs", "list-tasks", "--cluster", Cluster, "--launch-type", "EC2")).Json(), "taskArns");

        // The stopped task is replaced: the service again has two tasks whose desired status is RUNNING, neither the stopped one.
        Assert.Equal(2, byService.Count);
        Assert.DoesNotContain(backend[0], byService);
        Assert.Contains(backend[1], byService);
        Assert.Equal(ollama, byFamily);
        Assert.Equal([backend[0]], stopped);
        Assert.Empty(pending); // ECS never sets a desired status of PENDING.
        Assert.Empty(ec2);

        var calls = _aws.CallsTo("ListTasks").Count;
        var paged = Strings((await AwsCli.RunAsync(_host, "ecs", "list-tasks", "--cluster", Cluster, "--page-size", "1")).Json(), "taskArns");
        Assert.Equal(3, paged.Count);
        Assert.Equal(3, _aws.CallsTo("ListTasks").Count - calls);

        var unknown = await AwsCli.RunAsync(_host, "ecs", "list-tasks", "--cluster", Cluster, "--service-name", "no-such-service");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("ServiceNotFoundException", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListTaskDefinitionFamiliesAndDefinitions_FollowTheRevisionsStatus()
    {
        await _aws.Ecs.DeregisterTaskDefinitionAsync(new DeregisterTaskDefinitionRequest("truecaller-backend-ollama:1"), CancellationToken.None);

        var all = (await AwsCli.RunAsync(_host, "ecs", "list-task-definition-families")).Json();
        var active = (await AwsCli.RunAsync(_host, "ecs", "list-task-definition-families", "--status", "ACTIVE")).Json();
        var inactive = (await AwsCli.RunAsync(_host, "ecs", "list-task-definition-families", "--status", "INACTIVE")).Json();
        var prefixed = (await AwsCli.RunAsync(_host, "ecs", "list-task-definition-families", "--family-prefix", "truecaller-backend-")).Json();
        var definitions = (await AwsCli.RunAsync(_host, "ecs", "list-task-definitions")).Json();
        var inactiveDefinitions = (await AwsCli.RunAsync(_host, "ecs", "list-task-definitions", "--status", "INACTIVE")).Json();

        Assert.Equal(["truecaller-backend", "truecaller-backend-ollama"], Strings(all, "families"));
        Assert.Equal(["truecaller-backend"], Strings(active, "families"));
        Assert.Equal(["truecaller-backend-ollama"], Strings(inactive, "families"));
        Assert.Equal(["truecaller-backend-ollama"], Strings(prefixed, "families"));
        Assert.Equal([Arn("task-definition/truecaller-backend:1")], Strings(definitions, "taskDefinitionArns"));
        Assert.Equal([Arn("task-definition/truecaller-backend-ollama:1")], Strings(inactiveDefinitions, "taskDefinitionArns"));
    }

    [Fact]
    public async Task AnOperationTheHostDoesNotServe_IsStillRefusedNamingIt()
    {
        var ecs = await AwsCli.RunAsync(_host, "ecs", "list-attributes", "--cluster", Cluster, "--target-type", "container-instance");
        var elbv2 = await AwsCli.RunAsync(_host, "elbv2", "describe-ssl-policies");

        Assert.NotEqual(0, ecs.ExitCode);
        Assert.Contains("UnknownOperationException", ecs.Stderr, StringComparison.Ordinal);
        Assert.Contains("The operation ListAttributes is not supported by the local AWS host.", ecs.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, elbv2.ExitCode);
        Assert.Contains("InvalidAction", elbv2.Stderr, StringComparison.Ordinal);
        Assert.Contains("The action DescribeSSLPolicies is not valid for this web service.", elbv2.Stderr, StringComparison.Ordinal);
    }
}
