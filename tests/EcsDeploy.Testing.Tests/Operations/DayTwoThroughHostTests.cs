using System.Text.Json;
using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Hosting;
using EcsDeploy.Images.Registry;
using EcsDeploy.Testing.Hosting;
using EcsDeploy.Testing.Tests.Hosting;

namespace EcsDeploy.Testing.Tests.Operations;

/// <summary>Day-2 commands through EcsDeploy's wire clients against the local AWS host; the AWS CLI confirms the state.</summary>
public sealed class DayTwoThroughHostTests
{
    private sealed class WireTarget(LocalAwsHost host) : IDeploymentTarget
    {
        public async Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken)
            => await AwsWireEnvironment.CreateAsync(new AwsWireOptions
            {
                Region = host.Region,
                TimeProvider = new ScaledTimeProvider(host.Speed),
                Credentials = new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey),
                Environment = name => host.EnvironmentVariables.GetValueOrDefault(name),
                OpenRegistry = (authorization, _) => Task.FromResult<IImageRegistry>(EcrRegistry.CreateClient(authorization)),
                RequestTimeout = TimeSpan.FromSeconds(20),
            }, cancellationToken);
    }

    /// <summary>Runs the script's command line with <c>--target wire</c>: the wire clients against <paramref name="host"/>.</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(LocalAwsHost host, PipelineBuilder pipeline, params string[] args)
    {
        var pipelineHost = new PipelineHost();
        pipelineHost.Targets.Add("wire", new WireTarget(host));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        // The target right after the command's name: the script's options come before the command run sends (TrailingCommand).
        string[] line = args.Length == 0 ? ["--target", "wire"] : [args[0], "--target", "wire", .. args[1..]];
        var code = await pipelineHost.RunAsync(pipeline, line, stdout, stderr, _ => null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task<JsonElement> DescribeServiceAsync(LocalAwsHost host)
        => (await AwsCli.RunAsync(host, "ecs", "describe-services", "--cluster", DayTwo.Cluster, "--services", DayTwo.Service)).Json().GetProperty("services")[0];

    private static string Short(JsonElement arn) => arn.GetString()![(arn.GetString()!.LastIndexOf('/') + 1)..];

    [Fact]
    public async Task Deregister_ThroughTheWireClients_LeavesTheRevisionsTheAwsCliListsAsInactive()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        day2.Register("v3");
        var v4 = day2.Register("v4");
        await day2.DeployAsync(v2);
        await day2.DeployAsync(v4);
        await using var host = await LocalAwsHost.StartAsync(day2.Aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None);

        var (code, stdout, stderr) = await RunAsync(host, DayTwo.Pipeline(), "deregister", "--keep", "1");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        var inactive = (await AwsCli.RunAsync(host, "ecs", "list-task-definitions", "--family-prefix", DayTwo.Family, "--status", "INACTIVE")).Json()
            .GetProperty("taskDefinitionArns").EnumerateArray().Select(Short).Order(StringComparer.Ordinal);
        // 4 is kept (the newest, and the service's); 2 is the rollback target.
        Assert.Equal(["truecaller-backend:1", "truecaller-backend:3"], inactive);
    }

    [Fact]
    public async Task Scale_ThroughTheWireClients_LeavesTheCountTheAwsCliDescribes_AndWithAdjustRangeTheRangeToo()
    {
        var day2 = new DayTwo();
        await using var host = await LocalAwsHost.StartAsync(day2.Aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None);

        var refused = await RunAsync(host, DayTwo.Pipeline(), "scale", "--count", "5");
        var (code, stdout, stderr) = await RunAsync(host, DayTwo.Pipeline(), "scale", "--count", "5", "--adjust-range", "--output", "json");

        Assert.Equal(2, refused.Code);
        Assert.Contains("above the maximum capacity 4", refused.Stderr, StringComparison.Ordinal);
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        var service = await DescribeServiceAsync(host);
        Assert.Equal(5, service.GetProperty("desiredCount").GetInt32());
        Assert.Equal(5, service.GetProperty("runningCount").GetInt32());
        Assert.Equal(1, service.GetProperty("deployments").GetArrayLength());
        var target = (await AwsCli.RunAsync(host, "application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs",
            "--resource-ids", $"service/{DayTwo.Cluster}/{DayTwo.Service}")).Json().GetProperty("ScalableTargets")[0];
        Assert.Equal(1, target.GetProperty("MinCapacity").GetInt32());
        Assert.Equal(5, target.GetProperty("MaxCapacity").GetInt32());
    }

    [Fact]
    public async Task DeployWithSuspendAutoScaling_ThroughTheWireClients_LeavesScalingAsTheAwsCliDescribedItBefore()
    {
        var day2 = new DayTwo();
        await using var host = await LocalAwsHost.StartAsync(day2.Aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None);
        var describe = new[] { "application-autoscaling", "describe-scalable-targets", "--service-namespace", "ecs" };
        var before = (await AwsCli.RunAsync(host, describe)).Json().GetProperty("ScalableTargets")[0].GetProperty("SuspendedState").GetRawText();
        var pipeline = DayTwo.Pipeline(d => d.Environment("FEATURE_FLAGS", "wire").SuspendAutoScaling());

        var (code, stdout, stderr) = await RunAsync(host, pipeline);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        var after = (await AwsCli.RunAsync(host, describe)).Json().GetProperty("ScalableTargets")[0].GetProperty("SuspendedState");
        Assert.Equal(before, after.GetRawText());
        Assert.False(after.GetProperty("DynamicScalingInSuspended").GetBoolean());
        Assert.Equal([SuspendedState.All, SuspendedState.None], day2.Aws.AutoScaling.SuspendedStates.Select(s => s.State));
        Assert.Equal("truecaller-backend:2", Short((await DescribeServiceAsync(host)).GetProperty("taskDefinition")));
    }

    [Fact]
    public async Task Rollback_ThroughTheWireClients_LeavesTheServiceOnTheRevisionTheAwsCliDescribes()
    {
        var day2 = new DayTwo();
        await day2.DeployAsync(day2.Register("v2"));
        await using var host = await LocalAwsHost.StartAsync(day2.Aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None);

        var (code, stdout, stderr) = await RunAsync(host, DayTwo.Pipeline(), "rollback", "--to", "1", "--deregister-failed");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        var service = await DescribeServiceAsync(host);
        Assert.Equal("truecaller-backend:1", Short(service.GetProperty("taskDefinition")));
        Assert.Equal("COMPLETED", service.GetProperty("deployments")[0].GetProperty("rolloutState").GetString());
        var inactive = (await AwsCli.RunAsync(host, "ecs", "list-task-definitions", "--family-prefix", DayTwo.Family, "--status", "INACTIVE")).Json()
            .GetProperty("taskDefinitionArns").EnumerateArray().Select(Short);
        Assert.Equal(["truecaller-backend:2"], inactive);
    }

    [Fact]
    public async Task Run_ThroughTheWireClients_RunsAStoppedTaskTheAwsCliDescribes_AndLeavesTheServiceAlone()
    {
        var day2 = new DayTwo();
        await using var host = await LocalAwsHost.StartAsync(day2.Aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None);

        var (code, stdout, stderr) = await RunAsync(host, DayTwo.Pipeline(), "run", "--", "npm", "run", "seed");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        // Each log line once: the follower passes CloudWatch Logs' forward token back and reads only what is new.
        Assert.Equal(["simulated: npm run seed", "done"], stdout.Split('\n').Select(l => l.TrimEnd()).Where(l => l is "simulated: npm run seed" or "done"));
        var stopped = (await AwsCli.RunAsync(host, "ecs", "list-tasks", "--cluster", DayTwo.Cluster, "--desired-status", "STOPPED")).Json()
            .GetProperty("taskArns").EnumerateArray().Select(a => a.GetString()!).ToArray();
        var tasks = (await AwsCli.RunAsync(host, ["ecs", "describe-tasks", "--cluster", DayTwo.Cluster, "--tasks", .. stopped])).Json().GetProperty("tasks").EnumerateArray()
            .Where(t => t.GetProperty("group").GetString() == "family:truecaller-backend").ToList();
        var task = Assert.Single(tasks);
        Assert.Equal(0, task.GetProperty("containers")[0].GetProperty("exitCode").GetInt32());
        Assert.Equal(["npm", "run", "seed"], task.GetProperty("overrides").GetProperty("containerOverrides")[0].GetProperty("command").EnumerateArray().Select(c => c.GetString()));
        var service = await DescribeServiceAsync(host);
        Assert.Equal(2, service.GetProperty("runningCount").GetInt32());
        Assert.Equal("truecaller-backend:1", Short(service.GetProperty("taskDefinition")));
    }

    [Fact]
    public async Task StatusDiffAndRevisions_ThroughTheWireClients_ReadWhatTheAwsCliDescribes_AndChangeNothing()
    {
        var day2 = new DayTwo();
        await day2.DeployAsync(day2.Register("v2"));
        await using var host = await LocalAwsHost.StartAsync(day2.Aws, new LocalAwsHostOptions { Speed = 60 }, CancellationToken.None);
        var before = await DescribeServiceAsync(host);
        var callsBefore = day2.Aws.Calls.Count;

        var status = await RunAsync(host, DayTwo.Pipeline(), "status", "--output", "json");
        var diff = await RunAsync(host, DayTwo.Pipeline(d => d.Environment("FEATURE_FLAGS", "on")), "diff", "--exit-code");
        var revisions = await RunAsync(host, DayTwo.Pipeline(), "revisions", "--output", "json");

        Assert.True(status.Code == 0, status.Stderr);
        var statusJson = JsonDocument.Parse(status.Stdout).RootElement;
        Assert.Equal(Short(before.GetProperty("taskDefinition")), Short(statusJson.GetProperty("taskDefinition")));
        Assert.Equal(before.GetProperty("runningCount").GetInt32(), statusJson.GetProperty("runningCount").GetInt32());
        Assert.Equal(1, diff.Code);
        Assert.Contains("FEATURE_FLAGS", diff.Stdout, StringComparison.Ordinal);
        Assert.True(revisions.Code == 0, revisions.Stderr);
        var listed = (await AwsCli.RunAsync(host, "ecs", "list-task-definitions", "--family-prefix", DayTwo.Family, "--sort", "DESC")).Json()
            .GetProperty("taskDefinitionArns").EnumerateArray().Select(a => a.GetString());
        Assert.Equal(listed, JsonDocument.Parse(revisions.Stdout).RootElement.GetProperty("revisions").EnumerateArray().Select(r => r.GetProperty("taskDefinitionArn").GetString()));
        var after = await DescribeServiceAsync(host);
        Assert.Equal(before.GetProperty("deployments")[0].GetProperty("id").GetString(), after.GetProperty("deployments")[0].GetProperty("id").GetString());
        Assert.DoesNotContain(day2.Aws.Calls.Skip(callsBefore), c => c.Operation is "UpdateService" or "RegisterTaskDefinition" or "DeregisterTaskDefinition" or "RunTask" or "RegisterScalableTarget");
    }
}
