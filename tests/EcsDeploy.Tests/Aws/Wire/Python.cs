using System.Diagnostics;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>Runs the pyenv python3 that has boto3/botocore and moto (see FACTS.md).</summary>
internal static class Python
{
    public static string Executable { get; } = Find("python3");

    public static string MotoServer { get; } = Find("moto_server");

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Aws", "Wire", name);

    /// <summary>Runs a script, feeding <paramref name="stdin"/>, and returns its standard output; fails with its stderr.</summary>
    public static async Task<string> RunAsync(string script, IReadOnlyList<string> arguments, string? stdin, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Script(script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {timeout}.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} exited with {process.ExitCode}: {await stderr}");
        }
        return await stdout;
    }

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
