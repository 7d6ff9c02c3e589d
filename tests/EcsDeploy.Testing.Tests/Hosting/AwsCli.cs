using System.Diagnostics;
using System.Text.Json;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>Runs the AWS CLI v1 of the pyenv Python (see FACTS.md) against a <see cref="LocalAwsHost"/>.</summary>
internal static class AwsCli
{
    public static string Executable { get; } = Find("aws");

    /// <summary>The AWS CLI v2 of Debian's awscli package (2.9: it predates AWS_ENDPOINT_URL, so it gets --endpoint-url).</summary>
    public const string V2Executable = "/usr/bin/aws";

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json()
        {
            Assert.True(ExitCode == 0, $"aws exited with {ExitCode}: {Stderr}");
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Runs <c>aws ARGS --output json</c> with the host's environment (optionally overridden).</summary>
    public static Task<Result> RunAsync(LocalAwsHost host, IReadOnlyDictionary<string, string>? overrides, params string[] arguments)
        => RunWithAsync(Executable, host, overrides, arguments);

    /// <summary>Runs the AWS CLI v2 with <c>--endpoint-url</c>.</summary>
    public static Task<Result> RunV2Async(LocalAwsHost host, IReadOnlyDictionary<string, string>? overrides, params string[] arguments)
        => RunWithAsync(V2Executable, host, overrides, [.. arguments, "--endpoint-url", host.Endpoint.GetLeftPart(UriPartial.Authority)]);

    private static async Task<Result> RunWithAsync(string executable, LocalAwsHost host, IReadOnlyDictionary<string, string>? overrides, string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.ArgumentList.Add("--output");
        start.ArgumentList.Add("json");
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy" })
        {
            start.Environment.Remove(name);
        }
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = "";
        foreach (var (name, value) in host.EnvironmentVariables)
        {
            start.Environment[name] = value;
        }
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"aws {string.Join(' ', arguments)} did not finish within 90 s.");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Result> RunAsync(LocalAwsHost host, params string[] arguments) => RunAsync(host, null, arguments);

    private static string Find(string name)
    {
        var pyenv = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv", "shims", name);
        if (File.Exists(pyenv))
        {
            return pyenv;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return name;
    }
}
