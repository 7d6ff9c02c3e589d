using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// The everyday read commands of ELBv2, CloudWatch Logs, ECR and Secrets Manager (AWS CLI v1) against the local AWS host:
/// targets and their states through a rolling deployment, listener rules whose weights a canary shifts, logs by pattern.
/// </summary>
public sealed class AwsCliReadCommandsTests : IAsyncLifetime
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";
    private const string Group = "/ecs/truecaller-backend";

    private readonly SimulatedAws _aws = new(seed: 1);
    private TrafficShifting _traffic = null!;
    private LocalAwsHost _host = null!;

    public async Task InitializeAsync()
    {
        Seed.Apply(_aws, SeedSpec.Truecaller with { TrafficShifting = true });
        _traffic = new TrafficShifting(
            (await _aws.Terraform.ReadAsync(CancellationToken.None))!["alternate_target_group_arn"].Value.GetString()!,
            (await _aws.Terraform.ReadAsync(CancellationToken.None))!["production_listener_rule_arn"].Value.GetString()!,
            (await _aws.Terraform.ReadAsync(CancellationToken.None))!["test_listener_rule_arn"].Value.GetString()!, "", 8080);
        _host = await LocalAwsHost.StartAsync(_aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string TargetGroup => _aws.Ecs.Service(Cluster, Service).LoadBalancers[0].TargetGroupArn!;

    private async Task<List<(string Id, string State, string? Reason)>> TargetsAsync(string targetGroupArn, params string[] more)
    {
        var json = (await AwsCli.RunAsync(_host, ["elbv2", "describe-target-health", "--target-group-arn", targetGroupArn, .. more])).Json();
        return [.. json.GetProperty("TargetHealthDescriptions").EnumerateArray().Select(d => (
            d.GetProperty("Target").GetProperty("Id").GetString()!,
            d.GetProperty("TargetHealth").GetProperty("State").GetString()!,
            d.GetProperty("TargetHealth").TryGetProperty("Reason", out var reason) ? reason.GetString() : null))];
    }

    /// <summary>The private addresses of the service's tasks the predicate selects, as <c>aws ecs describe-tasks</c> shows them.</summary>
    private async Task<List<string>> TaskIpsAsync(Func<EcsTask, bool> predicate)
    {
        var arns = (await _aws.Ecs.ListTasksAsync(new ListTasksRequest { Cluster = Cluster, ServiceName = Service }, CancellationToken.None)).TaskArns;
        var selected = (await _aws.Ecs.DescribeTasksAsync(new DescribeTasksRequest(Cluster, arns), CancellationToken.None)).Tasks.Where(predicate).Select(t => t.TaskArn!).ToList();
        if (selected.Count == 0)
        {
            return [];
        }
        var described = (await AwsCli.RunAsync(_host, ["ecs", "describe-tasks", "--cluster", Cluster, "--tasks", .. selected])).Json();
        return [.. described.GetProperty("tasks").EnumerateArray().Select(t =>
        {
            var ip = t.GetProperty("attachments")[0].GetProperty("details").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "privateIPv4Address").GetProperty("value").GetString()!;
            Assert.Equal(ip, t.GetProperty("containers")[0].GetProperty("networkInterfaces")[0].GetProperty("privateIpv4Address").GetString());
            return ip;
        }).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task DescribeTargetHealth_FollowsTheTasksThroughARollingDeployment()
    {
        var old = await TaskIpsAsync(_ => true);
        Assert.Equal(old.Select(ip => (ip, "healthy", (string?)null)), (await TargetsAsync(TargetGroup)).OrderBy(t => t.Id, StringComparer.Ordinal));

        await _aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, ForceNewDeployment = true }, CancellationToken.None);
        _aws.Clock.Advance(TimeSpan.FromSeconds(21)); // launched, registering (ACTIVATING)
        var registering = await TargetsAsync(TargetGroup);
        _aws.Clock.Advance(TimeSpan.FromSeconds(10)); // RUNNING, health checks under way (5 x 30 s by default)
        var checking = await TargetsAsync(TargetGroup);
        _aws.Clock.Advance(TimeSpan.FromSeconds(150)); // healthy: the old tasks drain for the deregistration delay
        var draining = await TargetsAsync(TargetGroup);
        var fresh = await TaskIpsAsync(t => t.StartedBy == _aws.Ecs.Service(Cluster, Service).Deployments[0].Id);

        Assert.Equal(2, fresh.Count);
        Assert.Equal(old.Select(ip => (ip, "healthy", (string?)null)).Concat(fresh.Select(ip => (ip, "initial", (string?)"Elb.RegistrationInProgress"))).OrderBy(t => t.ip, StringComparer.Ordinal),
            registering.OrderBy(t => t.Id, StringComparer.Ordinal));
        Assert.Equal(fresh.Select(ip => (ip, "initial", (string?)"Elb.InitialHealthChecking")), checking.Where(t => t.State == "initial").OrderBy(t => t.Id, StringComparer.Ordinal));
        Assert.Equal(old.Select(ip => (ip, "draining", (string?)"Target.DeregistrationInProgress")), draining.Where(t => !fresh.Contains(t.Id)).OrderBy(t => t.Id, StringComparer.Ordinal));
        Assert.Equal(fresh.Select(ip => (ip, "healthy", (string?)null)), draining.Where(t => fresh.Contains(t.Id)).OrderBy(t => t.Id, StringComparer.Ordinal));

        var asked = await TargetsAsync(TargetGroup, "--targets", $"Id={fresh[0]},Port=3000", "Id=10.9.9.9,Port=3000");
        Assert.Equal([(fresh[0], "healthy", null), ("10.9.9.9", "unused", "Target.NotRegistered")], asked);
        var missing = await AwsCli.RunAsync(_host, "elbv2", "describe-target-health", "--target-group-arn", TargetGroup + "0");
        Assert.Contains("TargetGroupNotFound", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeListenersAndRules_ShowTheForwardWeightsACanaryShifts_AndItsTargetsInTheAlternateGroup()
    {
        var loadBalancer = _aws.Elbv2.All.Single(lb => lb.LoadBalancerName == "truecaller-backend-alb").LoadBalancerArn;
        var listeners = (await AwsCli.RunAsync(_host, "elbv2", "describe-listeners", "--load-balancer-arn", loadBalancer)).Json().GetProperty("Listeners").EnumerateArray().ToList();
        Assert.Equal([80, 8080], listeners.Select(l => l.GetProperty("Port").GetInt32()));
        Assert.All(listeners, l => Assert.Equal(TargetGroup, l.GetProperty("DefaultActions")[0].GetProperty("TargetGroupArn").GetString()));
        var production = listeners[0].GetProperty("ListenerArn").GetString()!;
        Assert.StartsWith(production.Replace(":listener/", ":listener-rule/", StringComparison.Ordinal) + "/", _traffic.ProductionListenerRule, StringComparison.Ordinal);

        async Task<Dictionary<string, int>> WeightsAsync(string ruleArn)
        {
            var rule = Assert.Single((await AwsCli.RunAsync(_host, "elbv2", "describe-rules", "--rule-arns", ruleArn)).Json().GetProperty("Rules").EnumerateArray());
            return rule.GetProperty("Actions")[0].GetProperty("ForwardConfig").GetProperty("TargetGroups").EnumerateArray()
                .ToDictionary(g => g.GetProperty("TargetGroupArn").GetString()!, g => g.GetProperty("Weight").GetInt32());
        }
        var rules = (await AwsCli.RunAsync(_host, "elbv2", "describe-rules", "--listener-arn", production)).Json().GetProperty("Rules").EnumerateArray().ToList();
        Assert.Equal([(_traffic.ProductionListenerRule, "1", false), (rules[1].GetProperty("RuleArn").GetString()!, "default", true)],
            rules.Select(r => (r.GetProperty("RuleArn").GetString()!, r.GetProperty("Priority").GetString()!, r.GetProperty("IsDefault").GetBoolean())));
        Assert.Equal(new Dictionary<string, int> { [TargetGroup] = 100, [_traffic.AlternateTargetGroupArn] = 0 }, await WeightsAsync(_traffic.ProductionListenerRule));

        // A canary of 10 %: once production traffic moved, the rules say 90/10 and 0/100 (test), and the new revision's
        // tasks are the targets of the alternate group.
        var service = _aws.Ecs.Service(Cluster, Service);
        await _aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest
        {
            Cluster = Cluster,
            Service = Service,
            ForceNewDeployment = true,
            DeploymentConfiguration = service.DeploymentConfiguration! with { Strategy = DeploymentStrategies.Canary, CanaryConfiguration = new CanaryConfiguration(10, 5) },
            LoadBalancers = [service.LoadBalancers[0] with { AdvancedConfiguration = new AdvancedConfiguration
            {
                AlternateTargetGroupArn = _traffic.AlternateTargetGroupArn,
                ProductionListenerRule = _traffic.ProductionListenerRule,
                TestListenerRule = _traffic.TestListenerRule,
                RoleArn = "arn:aws:iam::123456789012:role/ecs-infrastructure",
            } }],
        }, CancellationToken.None);
        for (var i = 0; i < 600 && !_aws.Ecs.TrafficHistory(Service).Any(h => h.ProductionPercent > 0); i++)
        {
            _aws.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(10, _aws.Ecs.TrafficHistory(Service)[^1].ProductionPercent);

        Assert.Equal(new Dictionary<string, int> { [TargetGroup] = 90, [_traffic.AlternateTargetGroupArn] = 10 }, await WeightsAsync(_traffic.ProductionListenerRule));
        Assert.Equal(new Dictionary<string, int> { [TargetGroup] = 0, [_traffic.AlternateTargetGroupArn] = 100 }, await WeightsAsync(_traffic.TestListenerRule));
        var newTasks = await TaskIpsAsync(t => t.TaskDefinitionArn == service.TaskDefinition && t.StartedBy != service.Deployments[0].Id);
        Assert.Equal(2, newTasks.Count);
        Assert.Equal(newTasks.Select(ip => (ip, "healthy", (string?)null)), (await TargetsAsync(_traffic.AlternateTargetGroupArn)).OrderBy(t => t.Id, StringComparer.Ordinal));
        Assert.Equal(2, (await TargetsAsync(TargetGroup)).Count(t => t.State == "healthy" && !newTasks.Contains(t.Id)));
    }

    [Fact]
    public async Task DescribeLogStreamsAndFilterLogEvents_OrderPageAndMatchPlainTerms_AndRefuseJsonPatternsNamingWhatIsSupported()
    {
        var start = _aws.Clock.GetUtcNow();
        _aws.Logs.Append(Group, "ecs/truecaller-backend/aaa", start, ["listening on 3000", "GET /health 200", "ERROR connection refused by db"]);
        _aws.Logs.Append(Group, "ecs/truecaller-backend/bbb", start + TimeSpan.FromSeconds(10), ["WARN slow query", "GET /health 200"]);
        _aws.Logs.Append(Group, "migrate/prisma/ccc", start + TimeSpan.FromSeconds(5), ["ERROR migration failed"]);

        var byName = (await AwsCli.RunAsync(_host, "logs", "describe-log-streams", "--log-group-name", Group)).Json().GetProperty("logStreams").EnumerateArray().ToList();
        Assert.Equal(["ecs/truecaller-backend/aaa", "ecs/truecaller-backend/bbb", "migrate/prisma/ccc"], byName.Select(s => s.GetProperty("logStreamName").GetString()));
        Assert.Equal((start + TimeSpan.FromSeconds(10)).ToUnixTimeMilliseconds(), byName[1].GetProperty("lastEventTimestamp").GetInt64());
        var newest = (await AwsCli.RunAsync(_host, "logs", "describe-log-streams", "--log-group-name", Group, "--order-by", "LastEventTime", "--descending", "--max-items", "1")).Json();
        Assert.Equal("ecs/truecaller-backend/bbb", newest.GetProperty("logStreams")[0].GetProperty("logStreamName").GetString());
        var calls = _aws.CallsTo("DescribeLogStreams").Count;
        var prefixed = (await AwsCli.RunAsync(_host, "logs", "describe-log-streams", "--log-group-name", Group, "--log-stream-name-prefix", "ecs/", "--page-size", "1")).Json();
        Assert.Equal(2, prefixed.GetProperty("logStreams").GetArrayLength());
        Assert.Equal(2, _aws.CallsTo("DescribeLogStreams").Count - calls);

        async Task<List<(string Stream, string Message)>> FilterAsync(params string[] arguments)
            => [.. (await AwsCli.RunAsync(_host, ["logs", "filter-log-events", "--log-group-name", Group, .. arguments])).Json().GetProperty("events").EnumerateArray()
                .Select(e => (e.GetProperty("logStreamName").GetString()!, e.GetProperty("message").GetString()!))];
        Assert.Equal([("ecs/truecaller-backend/aaa", "ERROR connection refused by db"), ("migrate/prisma/ccc", "ERROR migration failed")], await FilterAsync("--filter-pattern", "ERROR"));
        Assert.Equal([("ecs/truecaller-backend/aaa", "ERROR connection refused by db")], await FilterAsync("--filter-pattern", "\"connection refused\""));
        Assert.Equal(["ERROR connection refused by db", "ERROR migration failed", "WARN slow query"], (await FilterAsync("--filter-pattern", "?ERROR ?WARN")).Select(e => e.Message));
        Assert.Equal(["listening on 3000"], (await FilterAsync("--filter-pattern", "-health -ERROR -WARN")).Select(e => e.Message));
        Assert.Equal(["WARN slow query", "GET /health 200"], (await FilterAsync("--log-stream-name-prefix", "ecs/", "--start-time", (start + TimeSpan.FromSeconds(1)).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture))).Select(e => e.Message));
        calls = _aws.CallsTo("FilterLogEvents").Count;
        Assert.Equal(6, (await FilterAsync("--page-size", "2")).Count);
        Assert.Equal(3, _aws.CallsTo("FilterLogEvents").Count - calls);

        var json = await AwsCli.RunAsync(_host, "logs", "filter-log-events", "--log-group-name", Group, "--filter-pattern", "{ $.level = \"error\" }");
        Assert.NotEqual(0, json.ExitCode);
        Assert.Contains("InvalidParameterException", json.Stderr, StringComparison.Ordinal);
        Assert.Contains("JSON ({...}), space-delimited ([...]) and regular-expression (%...%) patterns are not simulated", json.Stderr, StringComparison.Ordinal);
        var noGroup = await AwsCli.RunAsync(_host, "logs", "describe-log-streams", "--log-group-name", "/ecs/none");
        Assert.Contains("ResourceNotFoundException", noGroup.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EcrListImages_ListsEveryTag_AndUntaggedImagesByDigest_FilteredByTagStatus()
    {
        var running = _aws.Ecr.Images("truecaller-backend").Keys.Single();
        var first = _aws.Ecr.PushTestImage("truecaller-backend", "build-1");
        var second = _aws.Ecr.PushTestImage("truecaller-backend", "build-2");
        var manifest = (await _aws.Ecr.BatchGetImageAsync("truecaller-backend", [new ImageIdentifier(second, null)], CancellationToken.None)).Images[0];
        await _aws.Ecr.PutImageAsync(new PutImageRequest("truecaller-backend", manifest.ImageManifest, manifest.ImageManifestMediaType, "build-1", null), CancellationToken.None);

        static List<(string Digest, string? Tag)> Ids(JsonElement json) => [.. json.GetProperty("imageIds").EnumerateArray()
            .Select(i => (i.GetProperty("imageDigest").GetString()!, i.TryGetProperty("imageTag", out var tag) ? tag.GetString() : null))];
        var all = Ids((await AwsCli.RunAsync(_host, "ecr", "list-images", "--repository-name", "truecaller-backend", "--page-size", "2")).Json());
        var untagged = Ids((await AwsCli.RunAsync(_host, "ecr", "list-images", "--repository-name", "truecaller-backend", "--filter", "tagStatus=UNTAGGED")).Json());

        Assert.Equal([(running, "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6"), (first, null), (second, "build-1"), (second, "build-2")],
            all.OrderBy(i => i.Digest == running ? 0 : i.Digest == first ? 1 : 2).ThenBy(i => i.Tag, StringComparer.Ordinal));
        Assert.Equal([(first, null)], untagged);
        var missing = await AwsCli.RunAsync(_host, "ecr", "list-images", "--repository-name", "no-such-repository");
        Assert.Contains("RepositoryNotFoundException", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretsManagerListSecrets_NamesEverySecretWithoutAValue_FiltersByNameAndPages()
    {
        var calls = _aws.CallsTo("ListSecrets").Count;
        var result = await AwsCli.RunAsync(_host, "secretsmanager", "list-secrets", "--page-size", "3");
        var secrets = result.Json().GetProperty("SecretList").EnumerateArray().ToList();

        Assert.Equal(SeedSpec.Truecaller.Secrets.Keys.Order(StringComparer.Ordinal), secrets.Select(s => s.GetProperty("Name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(secrets, s => Assert.StartsWith($"arn:aws:secretsmanager:eu-central-1:123456789012:secret:{s.GetProperty("Name").GetString()}-", s.GetProperty("ARN").GetString(), StringComparison.Ordinal));
        Assert.All(secrets, s => Assert.False(s.TryGetProperty("SecretString", out _)));
        Assert.All(_aws.SecretsManager.AllValues, value => Assert.DoesNotContain(value, result.Stdout, StringComparison.Ordinal));
        Assert.Equal(2, _aws.CallsTo("ListSecrets").Count - calls);

        var filtered = (await AwsCli.RunAsync(_host, "secretsmanager", "list-secrets", "--filters", "Key=name,Values=truecaller-backend/J,truecaller-backend/R")).Json();
        Assert.Equal(["truecaller-backend/JWT_SECRET", "truecaller-backend/REDIS_URL"], filtered.GetProperty("SecretList").EnumerateArray().Select(s => s.GetProperty("Name").GetString()!).Order(StringComparer.Ordinal));
        var negated = (await AwsCli.RunAsync(_host, "secretsmanager", "list-secrets", "--filters", "Key=name,Values=!truecaller-backend/D")).Json();
        Assert.Equal(3, negated.GetProperty("SecretList").GetArrayLength());
    }
}
