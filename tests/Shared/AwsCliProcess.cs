// Linked into every test project by tests/Directory.Build.targets.
using System.Diagnostics;
using System.Text.Json;

namespace EcsDeploy.TestSupport;

/// <summary>What one AWS CLI run printed and how it ended.</summary>
internal sealed record AwsCliResult(IReadOnlyList<string> Arguments, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The JSON it printed; throws with the command and its stderr when it failed.</summary>
    public JsonElement Json()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"aws {string.Join(' ', Arguments)} exited with {ExitCode}: {Stderr}");
        }
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }
}

/// <summary>
/// Runs an AWS CLI (v1 of the pyenv Python, or Debian's v2) the way a user on a clean shell would, against the
/// endpoint and credentials given: no profile, config file, proxy or instance metadata of the machine leaks in.
/// </summary>
internal static class AwsCliProcess
{
    /// <summary>The AWS CLI v1 of the pyenv Python (see FACTS.md): its botocore knows the 2025 ECS operations.</summary>
    public static string V1Executable { get; } = FindV1();

    /// <summary>Runs <c>EXECUTABLE ARGS --output json</c> with <paramref name="environment"/> set over a cleared AWS environment.</summary>
    public static async Task<AwsCliResult> RunAsync(string executable, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Concat(["--output", "json"]))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy" })
        {
            start.Environment.Remove(name);
        }
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = "";
        foreach (var (name, value) in environment)
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
        return new AwsCliResult(arguments, process.ExitCode, await stdout, await stderr);
    }

    private static string FindV1()
    {
        var pyenv = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv", "shims", "aws");
        if (File.Exists(pyenv))
        {
            return pyenv;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "aws");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return "aws";
    }
}
