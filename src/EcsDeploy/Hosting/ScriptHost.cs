using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcsDeploy.Hosting;

/// <summary>Runs a pipeline from a script's command line on a default <see cref="PipelineHost"/>; what <c>RunAsync(args)</c> does.</summary>
public static class ScriptHost
{
    internal static readonly JsonSerializerOptions ResultJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Parses <paramref name="args"/>, builds the definition, runs it, prints the result, returns the exit code.</summary>
    public static Task<int> RunAsync(PipelineBuilder builder, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
        => RunAsync(builder, args, stdout, stderr, Environment.GetEnvironmentVariable, cancellationToken);

    /// <summary>As <see cref="RunAsync(PipelineBuilder, string[], TextWriter, TextWriter, CancellationToken)"/>, reading
    /// environment variables (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY) through <paramref name="environment"/>.</summary>
    public static Task<int> RunAsync(PipelineBuilder builder, string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken cancellationToken = default)
        => new PipelineHost().RunAsync(builder, args, stdout, stderr, environment, cancellationToken);
}
