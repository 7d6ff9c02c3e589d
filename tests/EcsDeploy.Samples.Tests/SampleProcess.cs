using System.Diagnostics;
using System.Text;

namespace EcsDeploy.Samples.Tests;

/// <summary>What a finished sample process printed and how it ended.</summary>
internal sealed record SampleResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Both streams, for failure messages.</summary>
    public string Output => $"--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// A `dotnet` process started as a user starts it from a shell, with an environment cleared of what would change what
/// the samples do (CI and GitHub Actions switches, AWS credentials and endpoints, the PR checks' switches, proxies).
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    /// <summary>Variables the samples read that a developer's or CI's shell may carry; tests set what they need.</summary>
    private static readonly string[] Cleared =
    [
        "CI", "GITHUB_ACTIONS", "GITHUB_SHA", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "TF_BUILD",
        "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "PRISMA_SHADOW_SERVER_URL", "PR_CHECK_SKIP_AUDIT", "PR_CHECK_SKIP_DRIFT", "BASE_IMAGE_REGISTRY", "DATABASE_URL",
        "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy",
    ];

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout { get { lock (_gate) { return _stdout.ToString(); } } }

    public string Stderr { get { lock (_gate) { return _stderr.ToString(); } } }

    /// <summary>Starts `dotnet ARGS` in <paramref name="workingDirectory"/>.</summary>
    public static SampleProcess Start(string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in Cleared)
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = new Process { StartInfo = start };
        var sample = new SampleProcess(process);
        process.OutputDataReceived += (_, e) => sample.Append(sample._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => sample.Append(sample._stderr, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Runs `dotnet ARGS` to its end; kills it (and fails) after <paramref name="timeout"/>.</summary>
    public static async Task<SampleResult> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        await using var sample = Start(workingDirectory, arguments, environment);
        var exitCode = await sample.WaitForExitAsync(timeout);
        Assert.True(exitCode is not null, $"dotnet {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s and was killed.\n{sample.Stdout}\n{sample.Stderr}");
        return new SampleResult(exitCode!.Value, sample.Stdout, sample.Stderr);
    }

    /// <summary>The exit code, or null (and the process tree killed) when it did not end within <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            return null;
        }
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Waits until standard output or standard error holds a line starting with <paramref name="prefix"/>; fails when the process ends first or after the timeout.</summary>
    public async Task WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if ((_stdout.ToString() + "\n" + _stderr).Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    return;
                }
                arrived = _lineArrived.Task;
            }
            Assert.False(_process.HasExited, $"the process ended (exit code {(_process.HasExited ? _process.ExitCode : 0)}) before printing '{prefix}'.\n{Stdout}\n{Stderr}");
            var left = deadline - DateTimeOffset.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"no line '{prefix}' within {timeout.TotalSeconds:0} s.\n{Stdout}\n{Stderr}");
            await Task.WhenAny(arrived, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)));
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }
        _process.Dispose();
    }

    private void Append(StringBuilder to, string? line)
    {
        if (line is null)
        {
            return;
        }
        TaskCompletionSource arrived;
        lock (_gate)
        {
            to.Append(line).Append('\n');
            arrived = _lineArrived;
            _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        arrived.TrySetResult();
    }
}
