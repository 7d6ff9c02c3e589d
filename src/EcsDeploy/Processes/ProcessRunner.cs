using System.Diagnostics;
using System.Text;

namespace EcsDeploy.Processes;

/// <summary>A command: a program and its arguments as a list (never a shell string).</summary>
public sealed record CommandSpec(string FileName, IReadOnlyList<string> Arguments, string? WorkingDirectory = null)
{
    /// <summary>Extra environment variables for the process.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The command as a person would type it, for messages.</summary>
    public string Display => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(Quote));

    /// <summary>
    /// Parses <c>"npm run build"</c>: plain words separated by spaces. Quotes, pipes, redirections and other
    /// shell syntax are refused (returns null with the problem), because nothing here runs a shell.
    /// </summary>
    public static CommandSpec? ParseWords(string commandLine, string? workingDirectory, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        problem = null;
        if (commandLine.IndexOfAny(['"', '\'', '|', '&', ';', '<', '>', '$', '`', '(', ')', '*', '\\']) >= 0)
        {
            problem = $"Command '{commandLine}' uses shell syntax, but commands run without a shell: pass the program and its arguments separately, Run(\"program\", \"arg1\", \"arg2\").";
            return null;
        }
        var words = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            problem = "A build command is empty: give the program to run, for example Run(\"npm\", \"ci\").";
            return null;
        }
        return new CommandSpec(words[0], words[1..], workingDirectory);
    }

    private static string Quote(string s) => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./:=@+,".Contains(c)) ? s : $"'{s.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}

/// <summary>What a finished command printed.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, IReadOnlyList<string> LastLines);

/// <summary>A command that exited with a non-zero code (or could not start): names the command and its output's tail.</summary>
public sealed class CommandExecutionException(CommandSpec command, int exitCode, IReadOnlyList<string> lastLines, string message, Exception? inner = null)
    : PipelineStageException(message, FailureKind.Failed, inner)
{
    /// <summary>The command.</summary>
    public CommandSpec Command { get; } = command;
    /// <summary>Its exit code (-1 when it could not start).</summary>
    public int CommandExitCode { get; } = exitCode;
    /// <summary>The last lines it printed.</summary>
    public IReadOnlyList<string> LastLines { get; } = lastLines;
}

/// <summary>Runs processes: arguments as a list, output streamed line by line, errors that name the command.</summary>
public sealed class ProcessRunner
{
    private const int TailLines = 20;

    /// <summary>Whether <paramref name="program"/> is found on PATH.</summary>
    public static bool IsOnPath(string program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program);
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, program)));
    }

    /// <summary>Runs the command; throws <see cref="CommandExecutionException"/> when it fails.</summary>
    /// <param name="command">The command.</param>
    /// <param name="onLine">Called with each line of standard output and standard error.</param>
    /// <param name="cancellationToken">Kills the process tree when cancelled.</param>
    public Task<CommandResult> RunAsync(CommandSpec command, Action<string>? onLine, CancellationToken cancellationToken)
        => RunCoreAsync(command, onLine, throwOnFailure: true, cancellationToken);

    /// <summary>
    /// Runs the command and returns its exit code whatever it is, for tools whose exit code carries an answer
    /// (<c>npm audit</c>, <c>prisma migrate diff --exit-code</c>). Throws <see cref="CommandExecutionException"/>
    /// (exit code -1) only when the command could not start.
    /// </summary>
    public Task<CommandResult> RunToExitAsync(CommandSpec command, Action<string>? onLine, CancellationToken cancellationToken)
        => RunCoreAsync(command, onLine, throwOnFailure: false, cancellationToken);

    private async Task<CommandResult> RunCoreAsync(CommandSpec command, Action<string>? onLine, bool throwOnFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in command.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        var tail = new Queue<string>();
        var stdout = new StringBuilder();
        void OnLine(string? line, bool isStdout)
        {
            if (line is null)
            {
                return;
            }
            lock (tail)
            {
                if (isStdout)
                {
                    stdout.AppendLine(line);
                }
                tail.Enqueue(line);
                if (tail.Count > TailLines)
                {
                    tail.Dequeue();
                }
            }
            onLine?.Invoke(line);
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data, true);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, false);

        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException("the process did not start");
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new CommandExecutionException(command, -1, [],
                $"Command '{command.Display}' could not start: {ex.Message}. Is '{command.FileName}' installed and on PATH?", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        // WaitForExitAsync returns after the output streams close, so the tail is complete here.
        string[] lastLines;
        lock (tail) { lastLines = [.. tail]; }
        if (process.ExitCode != 0 && throwOnFailure)
        {
            throw new CommandExecutionException(command, process.ExitCode, lastLines,
                $"Command '{command.Display}' exited with code {process.ExitCode}" + (command.WorkingDirectory is null ? "." : $" (in {command.WorkingDirectory})."));
        }
        return new CommandResult(process.ExitCode, stdout.ToString(), lastLines);
    }
}
