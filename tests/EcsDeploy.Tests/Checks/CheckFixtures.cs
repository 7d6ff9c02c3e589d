using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EcsDeploy.Checks;
using EcsDeploy.Reporting;
using EcsDeploy.TestSupport;

namespace EcsDeploy.Tests.Checks;

/// <summary>
/// A copy of samples/truecaller-backend in a temporary folder (its node_modules linked, not copied) that a test may
/// break. The sample's packages are installed on first use (npm ci, as .ci/install-deps.sh does), so a plain
/// `dotnet test` on a fresh clone works.
/// </summary>
internal sealed class BackendCopy : IDisposable
{
    private static readonly Lazy<string> InstalledModules = new(InstallModules, LazyThreadSafetyMode.ExecutionAndPublication);

    public BackendCopy()
    {
        var source = SampleBackend;
        var modules = InstalledModules.Value;
        Directory = Path.Combine(Path.GetTempPath(), "ecsdeploy-check-" + Guid.NewGuid().ToString("n")[..10]);
        Copy(source, Directory);
        System.IO.Directory.CreateSymbolicLink(Path.Combine(Directory, "node_modules"), modules);
    }

    public string Directory { get; }

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "EcsDeploy.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("EcsDeploy.sln not found above the test assembly.");
        }
    }

    public static string SampleBackend => Path.Combine(RepositoryRoot, "samples", "truecaller-backend");

    /// <summary>The sample's node_modules, installed from its lockfile when they are not there yet.</summary>
    private static string InstallModules()
    {
        var modules = Path.Combine(SampleBackend, "node_modules");
        if (File.Exists(Path.Combine(modules, ".bin", "tsc")))
        {
            return modules;
        }
        var npm = new ProcessStartInfo(TestPeers.Require(TestPeer.Npm), "ci --ignore-scripts --no-audit --no-fund")
        {
            WorkingDirectory = SampleBackend,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string output;
        int exitCode;
        try
        {
            using var process = Process.Start(npm)!;
            var stderr = process.StandardError.ReadToEndAsync();
            output = process.StandardOutput.ReadToEnd() + stderr.GetAwaiter().GetResult();
            process.WaitForExit();
            exitCode = process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"The sample backend's packages are not installed and npm could not be started ({e.Message}): install Node.js, or run .ci/install-deps.sh.", e);
        }
        if (exitCode != 0 || !File.Exists(Path.Combine(modules, ".bin", "tsc")))
        {
            throw new InvalidOperationException($"'npm ci --ignore-scripts' in {SampleBackend} failed (exit code {exitCode}): {output.Trim()}");
        }
        return modules;
    }

    public void Write(string relativePath, string content) => File.WriteAllText(Path.Combine(Directory, relativePath), content);

    public string Read(string relativePath) => File.ReadAllText(Path.Combine(Directory, relativePath));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Copy(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var dir in System.IO.Directory.EnumerateDirectories(from))
        {
            var name = Path.GetFileName(dir);
            if (name is "node_modules" or "dist")
            {
                continue;
            }
            Copy(dir, Path.Combine(to, name));
        }
    }
}

/// <summary>Runs a pipeline of checks without AWS and returns the result.</summary>
internal static class CheckRun
{
    public static async Task<(PipelineResult Result, RecordingReporter Events)> RunAsync(PipelineBuilder builder)
    {
        var definition = builder.Build();
        var reporter = new RecordingReporter();
        var result = await PipelineRunner.RunAsync(definition, NoAwsEnvironment.Create(), new RunOptions(), reporter);
        return (result, reporter);
    }

    public static async Task<CheckResult> SingleAsync(PipelineBuilder builder)
    {
        var (result, _) = await RunAsync(builder);
        return Assert.Single(result.Checks);
    }

    public static PipelineBuilder Checks() => Pipeline.For("truecaller-backend");

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on (bound, then released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A real PostgreSQL 15 server of its own (initdb in a temporary folder, run as the postgres user, listening on
/// 127.0.0.1 only), for the drift check's throwaway databases. .ci/install-deps.sh installs postgresql-15.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private string _folder = "";

    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        TestPeers.Require(TestPeer.PgCtl);
        _folder = Path.Combine(Path.GetTempPath(), "ecsdeploy-pg-" + Guid.NewGuid().ToString("n")[..10]);
        System.IO.Directory.CreateDirectory(_folder);
        var port = CheckRun.FreePort();
        await RunAsync("chown", "postgres", _folder);
        await RunAsAsync($"{Bin}/initdb -D {_folder}/data -U postgres --auth=trust -E UTF8 >/dev/null");
        await RunAsAsync($"{Bin}/pg_ctl -D {_folder}/data -o '-h 127.0.0.1 -p {port} -k {_folder}' -l {_folder}/log -w start >/dev/null");
        Url = $"postgresql://postgres@127.0.0.1:{port}/postgres";
    }

    public async Task DisposeAsync()
    {
        if (_folder.Length == 0)
        {
            return;
        }
        await RunAsAsync($"{Bin}/pg_ctl -D {_folder}/data -m immediate -w stop >/dev/null");
        try
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Task RunAsAsync(string command)
        => Environment.UserName == "postgres" ? RunAsync("/bin/sh", "-c", command) : RunAsync("su", "postgres", "-s", "/bin/sh", "-c", command);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        }
    }
}

/// <summary>
/// The checks' tests run the real tools (tsc, eslint, prisma, npm, PostgreSQL), which take the machine's CPU: they run
/// on their own, after the parallel tests, so that timing-sensitive tests (moto's start-up) do not starve.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ToolChecksCollection
{
    public const string Name = "Real tool checks";
}
