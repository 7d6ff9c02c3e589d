using System.Text.Json;
using System.Text.Json.Nodes;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// The seed's own CLI pipeline (register the rendered task definition, then <c>aws ecs update-service</c> with no
/// deployment configuration) against the local AWS host: the seeded service has the circuit breaker and rollback on, as
/// the seed's Terraform leaves it, so unhealthy tasks trip the breaker and ECS rolls the service back.
/// </summary>
public sealed class SeedCliPipelineAgainstHostTests : IAsyncLifetime
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";

    private readonly SimulatedAws _aws = Seed.Truecaller();
    private LocalAwsHost _host = null!;

    public async Task InitializeAsync() => _host = await LocalAwsHost.StartAsync(_aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task UpdateServiceWithoutDeploymentConfiguration_UnhealthyTasks_TheSeededBreakerTripsAndEcsRollsBack()
    {
        _aws.Faults.Arm("unhealthy-tasks");

        // The seed's render step: the running revision with the new image (what amazon-ecs-render-task-definition does).
        var running = (await AwsCli.RunAsync(_host, "ecs", "describe-task-definition", "--task-definition", "truecaller-backend")).Json().GetProperty("taskDefinition");
        var input = new JsonObject
        {
            ["family"] = running.GetProperty("family").GetString(),
            ["networkMode"] = running.GetProperty("networkMode").GetString(),
            ["requiresCompatibilities"] = JsonNode.Parse(running.GetProperty("requiresCompatibilities").GetRawText()),
            ["cpu"] = running.GetProperty("cpu").GetString(),
            ["memory"] = running.GetProperty("memory").GetString(),
            ["executionRoleArn"] = running.GetProperty("executionRoleArn").GetString(),
            ["taskRoleArn"] = running.GetProperty("taskRoleArn").GetString(),
            ["containerDefinitions"] = JsonNode.Parse(running.GetProperty("containerDefinitions").GetRawText()),
        };
        input["containerDefinitions"]![0]!["image"] = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/truecaller-backend:2222222222222222222222222222222222222222";
        var registered = (await AwsCli.RunAsync(_host, "ecs", "register-task-definition", "--cli-input-json", input.ToJsonString())).Json();
        Assert.Equal(2, registered.GetProperty("taskDefinition").GetProperty("revision").GetInt32());

        // The seed's deploy step: update-service naming the revision, no deployment configuration.
        var updated = (await AwsCli.RunAsync(_host, "ecs", "update-service", "--cluster", Cluster, "--service", Service, "--task-definition", "truecaller-backend:2")).Json();
        var breaker = updated.GetProperty("service").GetProperty("deploymentConfiguration").GetProperty("deploymentCircuitBreaker");
        Assert.True(breaker.GetProperty("enable").GetBoolean());
        Assert.True(breaker.GetProperty("rollback").GetBoolean());
        var ours = updated.GetProperty("service").GetProperty("deployments").EnumerateArray().Single(d => d.GetProperty("status").GetString() == "PRIMARY").GetProperty("id").GetString();

        // Follow it as the seed's "wait for stability" would, until the breaker has decided.
        _host.Speed = 60;
        JsonElement service = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            service = (await AwsCli.RunAsync(_host, "ecs", "describe-services", "--cluster", Cluster, "--services", Service)).Json().GetProperty("services")[0];
            var deployments = service.GetProperty("deployments").EnumerateArray().ToList();
            if (deployments.Count == 1 && deployments[0].GetProperty("id").GetString() != ours && deployments[0].GetProperty("rolloutState").GetString() == "COMPLETED")
            {
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        // ECS rolled back: the service runs revision 1 again, and its events say the breaker failed our deployment.
        Assert.EndsWith("task-definition/truecaller-backend:1", service.GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
        var rollback = Assert.Single(service.GetProperty("deployments").EnumerateArray());
        Assert.EndsWith("task-definition/truecaller-backend:1", rollback.GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
        Assert.Equal("COMPLETED", rollback.GetProperty("rolloutState").GetString());
        var events = service.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("message").GetString()!).ToList();
        Assert.Contains(events, m => m.Contains($"(deployment {ours}) deployment failed", StringComparison.Ordinal));
        Assert.Contains(events, m => m.Contains("rolling back to deployment", StringComparison.Ordinal));
        Assert.Equal(2, service.GetProperty("runningCount").GetInt32());
    }
}
