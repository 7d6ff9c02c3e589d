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
            => Entries.Add((logLevel, formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
    }

    private static string Context()
    {
        var directory = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(directory, "Dockerfile"), "FROM node:20\nWORKDIR /app\nCMD [\"node\", \"server.js\"]\n");
        File.WriteAllText(Path.Combine(directory, "server.js"), "1");
        return directory;
    }

    [Fact]
    public async Task AddEcsDeploy_BindsOptionsFromConfigurationAndLogsTheRunWithoutSecrets()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EcsDeploy:Target"] = "local",
            ["EcsDeploy:GitSha"] = "2222222222222222222222222222222222222222",
        }).Build();
        var logger = new ListLogger();
        using var provider = new ServiceCollection()
            .AddSingleton<ILogger<LoggerReporter>>(logger)
            .AddEcsDeploy(configuration)
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<EcsDeployOptions>>().Value;
        Assert.Equal("local", options.Target);

        var result = await provider.GetRequiredService<IPipelineExecutor>().RunAsync(Pipeline.For("truecaller-backend")
            .InRegion("eu-central-1").OnCluster("truecaller-backend-cluster")
            .Build(b => b.WorkingDirectory(Context()).Image("Dockerfile"))
            .Push()
            .Deploy(d => d.Service("truecaller-backend-service").Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.State.Any(kv => kv.Key == "RolloutState" && (string?)kv.Value == "COMPLETED"));
        Assert.Contains(logger.Entries, e => e.State.Any(kv => kv.Key == "Stage" && (string?)kv.Value == "Deploy")
            && e.State.Any(kv => kv.Key == "Status" && Equals(kv.Value, Reporting.StageStatus.Succeeded)));
        var text = string.Join("\n", logger.Entries.Select(e => e.Message));
        Assert.All(SeedSpec.Truecaller.Secrets.Values, value => Assert.DoesNotContain(value, text, StringComparison.Ordinal));
    }

    [Fact]
    public void AddEcsDeploy_WithAnUnknownTarget_FailsOptionsValidation()
    {
        using var provider = new ServiceCollection().AddEcsDeploy(configure: o => o.Target = "mars").BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EcsDeployOptions>>().Value);
        Assert.Contains("'local' or 'aws'", error.Message, StringComparison.Ordinal);
    }
}
