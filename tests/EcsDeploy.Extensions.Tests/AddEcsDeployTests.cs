using EcsDeploy.Hosting;
using EcsDeploy.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EcsDeploy.Extensions.Tests;

public sealed class AddEcsDeployTests
{
    private sealed class ListLogger : ILogger<LoggerReporter>
    {
        public List<(LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries) { Entries.Add((logLevel, formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? [])); }
        }
    }

    internal static string Context()
    {
        var directory = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), "FROM node:20\nWORKDIR /app\nCMD [\"node\", \"server.js\"]\n");
        File.WriteAllText(Path.Combine(directory, "server.js"), "1");
        return directory;
    }

    internal static PipelineBuilder Pipeline(string context) => EcsDeploy.Pipeline.For("truecaller-backend")
        .InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
        .Build(b => b.WorkingDirectory(context).Image("Dockerfile"))
        .Push()
        .Deploy(d => d.Service("truecaller-backend-service").Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL"));

    [Fact]
    public async Task AddEcsDeploy_BindsOptionsFromConfigurationAndLogsTheRunWithoutSecrets()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EcsDeploy:Target"] = "local",
            ["EcsDeploy:GitSha"] = "2222222222222222222222222222222222222222",
            ["EcsDeploy:DeployDependencies"] = "true",
        }).Build();
        var logger = new ListLogger();
        var local = new LocalTarget();
        var host = new PipelineHost();
        host.Targets.Add("local", local);
        using var provider = new ServiceCollection()
            .AddSingleton<ILogger<LoggerReporter>>(logger)
            .AddSingleton(host)
            .AddEcsDeploy(configuration)
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<HostOptions>>().Value;
        Assert.Equal("local", options.Target);
        Assert.Equal("2222222222222222222222222222222222222222", options.GitSha);
        Assert.True(options.DeployDependencies);

        var result = await provider.GetRequiredService<IPipelineExecutor>().RunAsync(Pipeline(Context()));

        Assert.Equal(RunOutcome.Deployed, result.Outcome);
        Assert.Contains("2222222222222222222222222222222222222222", result.Image!.Tags);
        Assert.Equal(result.TaskDefinitionArn, local.Created!.Ecs.CurrentTaskDefinition("truecaller-backend-cluster", "truecaller-backend-service").TaskDefinitionArn);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.State.Any(kv => kv.Key == "RolloutState" && (string?)kv.Value == "COMPLETED"));
        Assert.Contains(logger.Entries, e => e.State.Any(kv => kv.Key == "Stage" && (string?)kv.Value == "Deploy")
            && e.State.Any(kv => kv.Key == "Status" && Equals(kv.Value, Reporting.StageStatus.Succeeded)));
        var text = string.Join("\n", logger.Entries.Select(e => e.Message));
        Assert.All(SeedSpec.Truecaller.Secrets.Values, value => Assert.DoesNotContain(value, text, StringComparison.Ordinal));
    }

    [Fact]
    public void AddEcsDeploy_WithoutConfiguration_HasTheScriptsDefaults()
    {
        using var provider = new ServiceCollection().AddEcsDeploy().BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<HostOptions>>().Value;
        var script = new PipelineHost().Parse([], out var problems);

        Assert.Empty(problems);
        Assert.Equal("local", options.Target);
        Assert.Equal(script.Host.Target, options.Target);
        Assert.Equal((script.Host.DryRun, script.Host.NoWait, script.Host.DeployOllama, script.Host.DeployDependencies, script.Host.ImageTag, script.Host.Fault),
            (options.DryRun, options.NoWait, options.DeployOllama, options.DeployDependencies, options.ImageTag, options.Fault));
    }

    [Theory]
    [InlineData("Target", "mars", "EcsDeploy:Target must be 'local' or 'aws', not 'mars'.")]
    [InlineData("ImageTag", ".starts-with-a-dot", "EcsDeploy:ImageTag: ")]
    public async Task AddEcsDeploy_WithInvalidOptions_RunsNothingAndReturnsInvalidNamingTheSetting(string setting, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["EcsDeploy:" + setting] = value }).Build();
        var local = new LocalTarget();
        var host = new PipelineHost();
        host.Targets.Add("local", local);
        using var provider = new ServiceCollection().AddSingleton(host).AddEcsDeploy(configuration).BuildServiceProvider();

        var result = await provider.GetRequiredService<IPipelineExecutor>().RunAsync(Pipeline(Context()));

        Assert.Equal(RunOutcome.Invalid, result.Outcome);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Null(local.Created);
    }

    [Fact]
    public async Task AddEcsDeploy_FaultWithTheAwsTarget_IsRefusedAsOnTheCommandLine()
    {
        using var provider = new ServiceCollection().AddEcsDeploy(configure: o => { o.Target = "aws"; o.Fault = "throttling"; }).BuildServiceProvider();

        var result = await provider.GetRequiredService<IPipelineExecutor>().RunAsync(Pipeline(Context()));

        Assert.Equal(RunOutcome.Invalid, result.Outcome);
        Assert.Contains("EcsDeploy:Fault works with EcsDeploy:Target local only", result.Error, StringComparison.Ordinal);
    }
}
