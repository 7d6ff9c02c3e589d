using EcsDeploy.Aws;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy.Testing.Tests.Operations;

public sealed class RunCommandTests
{
    /// <summary>Registers a revision whose app container is essential and whose log-router sidecar is not.</summary>
    private static string WithSidecar(DayTwo day2)
    {
        var current = day2.Aws.Ecs.CurrentTaskDefinition(DayTwo.Cluster, DayTwo.Service);
        var app = current.ContainerDefinitions![0];
        return day2.Aws.Ecs.Register(TaskDefinitionRenderer.StripReadOnly(current) with
        {
            ContainerDefinitions = [app, app with { Name = "log-router", Essential = false, PortMappings = [] }],
        });
    }

    [Fact]
    public async Task Run_StreamsTheLogLines_AndSucceeds_OnTheServicesRevisionAndNetwork()
    {
        var day2 = new DayTwo();
        var (code, stdout, _) = await day2.RunAsync("run", "--", "npm", "run", "seed");

        Assert.Equal(0, code);
        Assert.Contains("simulated: npm run seed", stdout, StringComparison.Ordinal);
        Assert.Contains("succeeded: npm run seed on truecaller-backend:1", stdout, StringComparison.Ordinal);
        var task = Assert.Single(day2.Aws.Ecs.AllTasks(), t => t.Group == "family:truecaller-backend");
        Assert.Equal(["npm", "run", "seed"], task.Overrides!.ContainerOverrides[0].Command);
    }

    [Fact]
    public async Task Run_PrintsEachLogLineExactlyOnce_WhileTheTaskLogsOverSeveralPolls()
    {
        var day2 = new DayTwo();
        day2.Aws.Ecs.Behaviour = launch => launch.ServiceName is null ? TaskBehaviour.Exits(0, ["finished"], TimeSpan.FromSeconds(30)) : TaskBehaviour.Healthy;
        var ticks = 0;
        // While the one-off task runs, it logs a line every time the clock moves (the follower polls every 3 s).
        day2.Aws.Clock.Advanced += _ =>
        {
            var task = day2.Aws.Ecs.AllTasks().SingleOrDefault(t => t.Group == "family:truecaller-backend" && t.LastStatus == "RUNNING");
            if (task is not null && ticks < 4)
            {
                ticks++;
                day2.Aws.Logs.Append("/ecs/truecaller-backend", $"ecs/truecaller-backend/{task.TaskArn.Split('/')[^1]}", day2.Aws.Clock.GetUtcNow(), [$"tick {ticks}"]);
            }
        };

        var (code, stdout, stderr) = await day2.RunAsync("run", "--", "npm", "run", "seed");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal(4, ticks);
        var logged = stdout.Split('\n').Select(l => l.TrimEnd()).Where(l => l.StartsWith("tick ", StringComparison.Ordinal) || l == "finished");
        Assert.Equal(["tick 1", "tick 2", "tick 3", "tick 4", "finished"], logged);
        Assert.True(day2.Aws.CallsTo("GetLogEvents").Count >= 4, "the lines came over several polls");
    }

    [Fact]
    public async Task Run_WhoseEssentialContainerExits3_AndSidecarExits0_Fails()
    {
        var day2 = new DayTwo();
        var revision = WithSidecar(day2);
        day2.Aws.Ecs.Behaviour = launch => launch.ServiceName is null
            ? TaskBehaviour.ContainersExit(new Dictionary<string, int> { ["truecaller-backend"] = 3, ["log-router"] = 0 }, ["migrating", "error: relation exists"])
            : TaskBehaviour.Healthy;

        var (code, json, _) = await day2.JsonAsync("run", "--revision", revision, "--", "npm", "run", "migrate");

        Assert.Equal(1, code);
        Assert.Equal("failed", json.GetProperty("outcome").GetString());
        Assert.Equal(3, json.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Run_WhoseSidecarExits3_AndEssentialContainerExits0_Succeeds()
    {
        var day2 = new DayTwo();
        var revision = WithSidecar(day2);
        day2.Aws.Ecs.Behaviour = launch => launch.ServiceName is null
            ? TaskBehaviour.ContainersExit(new Dictionary<string, int> { ["truecaller-backend"] = 0, ["log-router"] = 3 }, ["done"])
            : TaskBehaviour.Healthy;

        var (code, json, _) = await day2.JsonAsync("run", "--revision", "2", "--", "true");

        Assert.EndsWith(":2", revision);
        Assert.Equal(0, code);
        Assert.Equal("succeeded", json.GetProperty("outcome").GetString());
        Assert.Equal(0, json.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Run_WhoseTaskFailsToStart_IsReportedAsSuch_WithTheReason()
    {
        var day2 = new DayTwo();
        day2.Aws.Ecs.Behaviour = launch => launch.ServiceName is null
            ? TaskBehaviour.FailsToStart("CannotPullContainerError: pull image manifest has been retried 5 time(s)")
            : TaskBehaviour.Healthy;

        var (code, json, _) = await day2.JsonAsync("run", "--", "true");

        Assert.Equal(1, code);
        Assert.Equal("failed-to-start", json.GetProperty("outcome").GetString());
        Assert.Equal("TaskFailedToStart", json.GetProperty("stopCode").GetString());
        Assert.Contains("CannotPullContainerError", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ThatTimesOut_StopsTheTask_AndSaysSo()
    {
        var day2 = new DayTwo();
        day2.Aws.Ecs.Behaviour = launch => launch.ServiceName is null ? TaskBehaviour.Exits(0, ["working"], TimeSpan.FromHours(2)) : TaskBehaviour.Healthy;

        var (code, json, _) = await day2.JsonAsync("run", "--timeout", "1", "--", "sleep", "7200");

        Assert.Equal(3, code);
        Assert.Equal("timed-out", json.GetProperty("outcome").GetString());
        Assert.Contains("stopped (StopTask)", json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(day2.Aws.CallsTo("StopTask"));
        day2.Aws.Clock.Advance(TimeSpan.FromMinutes(1));
        var task = Assert.Single(day2.Aws.Ecs.AllTasks(), t => t.Group == "family:truecaller-backend");
        Assert.Equal("STOPPED", task.LastStatus);
        Assert.Equal(StopCodes.UserInitiated, task.StopCode);
    }

    [Fact]
    public async Task Run_ThatIsCancelled_StopsTheTask()
    {
        var day2 = new DayTwo();
        using var cancel = new CancellationTokenSource();
        day2.Aws.Ecs.Behaviour = launch =>
        {
            if (launch.ServiceName is not null)
            {
                return TaskBehaviour.Healthy;
            }
            cancel.CancelAfter(TimeSpan.FromMilliseconds(100));
            return TaskBehaviour.Exits(0, ["working"], TimeSpan.FromDays(3650));
        };
        var host = new EcsDeploy.Hosting.PipelineHost();
        host.Targets.Add("local", new LocalTarget(_ => day2.Aws));

        var code = await host.RunAsync(DayTwo.Pipeline(), ["run", "--timeout", "100000000", "--", "sleep", "infinity"], new StringWriter(), new StringWriter(), _ => null, cancel.Token);

        Assert.Equal(130, code);
        Assert.Single(day2.Aws.CallsTo("StopTask"));
    }

    /// <summary>
    /// The script's options come before the command; the command begins at "--" or at its first word, and everything
    /// from there is the command. Both orders, and the line "dotnet run deploy.cs run -- ..." hands over (without "--").
    /// </summary>
    [Theory]
    [InlineData("run --target other -- echo hi", "other", "echo hi")]
    [InlineData("--target other run -- echo hi", "other", "echo hi")]
    [InlineData("run --target=other --timeout 5 -- echo hi", "other", "echo hi")]
    [InlineData("run -- echo hi --target other", "local", "echo hi --target other")]
    [InlineData("run echo hi --target other", "local", "echo hi --target other")]
    [InlineData("run --target other echo hi --verbose", "other", "echo hi --verbose")]
    [InlineData("run --dry-run false --target other npm test -- --watch", "other", "npm test -- --watch")]
    [InlineData("run -- echo -- hi", "local", "echo -- hi")]
    public async Task Run_OptionsBeforeTheCommandAreTheScripts_EverythingFromTheCommandOnIsSent(string line, string target, string sent)
    {
        var local = new DayTwo();
        var other = new DayTwo();
        var host = new EcsDeploy.Hosting.PipelineHost();
        host.Targets.Add("local", new LocalTarget(_ => local.Aws));
        host.Targets.Add("other", new LocalTarget(_ => other.Aws));
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await host.RunAsync(DayTwo.Pipeline(), line.Split(' '), stdout, stderr, _ => null);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        var (ran, idle) = target == "local" ? (local, other) : (other, local);
        var task = Assert.Single(ran.Aws.Ecs.AllTasks(), t => t.Group == "family:truecaller-backend");
        Assert.Equal(sent, string.Join(' ', task.Overrides!.ContainerOverrides[0].Command!));
        Assert.Empty(idle.Aws.CallsTo("RunTask"));
        Assert.Contains($"succeeded: {sent} on truecaller-backend:1", stdout.ToString(), StringComparison.Ordinal);
        // An option of the script inside the command is sent as written, with a warning that says where it belongs.
        Assert.Equal(sent.Contains("--target", StringComparison.Ordinal), stdout.ToString().Contains("--target after -- belongs to the task's command", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--revision", "99")]
    [InlineData("--revision", "truecaller-backend-ollama:1")]
    [InlineData("--container", "no-such-container")]
    public async Task Run_WithBadInput_ExitsTwo_AndStartsNoTask(string option, string value)
    {
        var day2 = new DayTwo();
        var (code, _, stderr) = await day2.RunAsync("run", option, value, "--", "true");

        Assert.Equal(2, code);
        Assert.Contains(value, stderr, StringComparison.Ordinal);
        Assert.Empty(day2.Aws.CallsTo("RunTask"));
    }

    [Fact]
    public async Task Run_WithoutACommand_ExitsTwo()
    {
        var day2 = new DayTwo();
        var (code, _, _) = await day2.RunAsync("run");

        Assert.Equal(2, code);
        Assert.Empty(day2.Aws.CallsTo("RunTask"));
    }
}
