using System.Diagnostics;
using System.Text;

namespace EcsDeploy.Samples.Tests;

/// <summary>
/// A copy of the repository's samples in a temporary folder, laid out as in the repository (samples/ beside the root's
/// build files, a git repository of its own), so that `dotnet run samples/X.cs -- ARGS` runs there exactly as the README
/// gives it while every file it writes (the backends' dist/ and node_modules/) stays out of the repository. The only
/// edit: the samples' `#:project ../src/...` lines and samples/Directory.Build.props's analyzer reference point at the
/// repository's projects by absolute path, so the libraries are the ones this test run built.
/// </summary>
internal sealed class SampleCheckout : IDisposable
{
    /// <summary>
    /// The samples' builds touch the repository's src/ and analyzers/ projects (their obj/ and bin/): one MSBuild at a
    /// time, across classes. `dotnet run samples/X.cs` builds too (an incremental build of every #:project), so a plain
    /// `dotnet run` beside another class's build raced it (CI saw the run print an MSBuild error instead of running).
    /// </summary>
    private static readonly SemaphoreSlim Builds = new(1, 1);

    private readonly HashSet<string> _built = [];

    public SampleCheckout()
    {
        Root = Directory.CreateTempSubdirectory("ecsdeploy-samples-").FullName;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", "NuGet.config", ".editorconfig" })
        {
            File.Copy(Path.Combine(RepositoryRoot, file), Path.Combine(Root, file));
        }
        Directory.CreateDirectory(Path.Combine(Root, "artifacts", "packages"));
        CopyTree(Path.Combine(RepositoryRoot, "samples"), Path.Combine(Root, "samples"));
        var repository = RepositoryRoot.TrimEnd('/') + "/";
        foreach (var script in Directory.EnumerateFiles(Path.Combine(Root, "samples"), "*.cs"))
        {
            File.WriteAllText(script, File.ReadAllText(script).Replace("#:project ../", "#:project " + repository, StringComparison.Ordinal));
        }
        var props = Path.Combine(Root, "samples", "Directory.Build.props");
        File.WriteAllText(props, File.ReadAllText(props).Replace("$(MSBuildThisFileDirectory)../", repository, StringComparison.Ordinal));
        // The TypeScript backend's packages: hard links to the repository's installed ones (npm ci in the copy removes
        // only the links), or a symbolic link where the temporary folder is on another file system.
        var modules = Path.Combine(RepositoryRoot, "samples", "truecaller-backend", "node_modules");
        if (Directory.Exists(modules))
        {
            var target = Path.Combine(Root, "samples", "truecaller-backend", "node_modules");
            if (Run("cp", ["-al", modules, target], Root).ExitCode != 0)
            {
                Directory.CreateSymbolicLink(target, modules);
            }
        }
        // deploy.cs tags the image with `git rev-parse HEAD`, as in a clone.
        foreach (var git in new[] { new[] { "init", "-q" }, ["add", "-A"], ["-c", "user.name=samples", "-c", "user.email=samples@example.invalid", "commit", "-q", "-m", "samples"] })
        {
            var result = Run("git", git, Root);
            Assert.True(result.ExitCode == 0, $"git {string.Join(' ', git)} failed: {result.Output}");
        }
    }

    /// <summary>The temporary folder that plays the repository's root.</summary>
    public string Root { get; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The commit the checkout's git repository is at (what deploy.cs tags the image with).</summary>
    public string GitSha => Run("git", ["rev-parse", "HEAD"], Root).Output.Trim();

    /// <summary>
    /// Builds <c>samples/NAME</c> once (`dotnet build samples/NAME`), one build at a time across the test classes, so that
    /// the runs that follow only check that everything is up to date.
    /// </summary>
    public async Task BuildAsync(string sample)
    {
        lock (_built)
        {
            if (_built.Contains(sample))
            {
                return;
            }
        }
        await Builds.WaitAsync();
        try
        {
            var build = await SampleProcess.RunAsync(Root, ["build", $"samples/{sample}"], null, TimeSpan.FromMinutes(8));
            Assert.True(build.ExitCode == 0, $"dotnet build samples/{sample} exited with {build.ExitCode}:\n{build.Output}");
            lock (_built)
            {
                _built.Add(sample);
            }
        }
        finally
        {
            Builds.Release();
        }
    }

    /// <summary>
    /// `dotnet run samples/NAME -- ARGS` in the checkout, with the test's environment: built first under the build lock,
    /// then run with `--no-build`, which runs what that build made and starts no MSBuild beside other classes' builds.
    /// </summary>
    public async Task<SampleResult> RunAsync(string sample, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        await BuildAsync(sample);
        return await SampleProcess.RunAsync(Root, RunCommand(sample, arguments, build: false), environment, timeout ?? TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Exactly the README's line, `dotnet run samples/NAME -- ARGS`, its own build included: it holds the build lock until
    /// it ends, so no other class builds meanwhile.
    /// </summary>
    public async Task<SampleResult> RunAsTheReadmeGivesItAsync(string sample, IReadOnlyList<string> arguments, TimeSpan? timeout = null)
    {
        await Builds.WaitAsync();
        try
        {
            return await SampleProcess.RunAsync(Root, RunCommand(sample, arguments, build: true), null, timeout ?? TimeSpan.FromMinutes(10));
        }
        finally
        {
            Builds.Release();
        }
    }

    /// <summary>The arguments of `dotnet run` for a sample, after <see cref="BuildAsync"/> when <paramref name="build"/> is false.</summary>
    public static string[] RunCommand(string sample, IReadOnlyList<string> arguments, bool build)
    {
        string[] run = build ? ["run", $"samples/{sample}"] : ["run", "--no-build", $"samples/{sample}"];
        return arguments.Count == 0 ? run : [.. run, "--", .. arguments];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepositoryRoot()
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

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            if (Path.GetFileName(dir) is "node_modules" or "dist" or "bin" or "obj" or ".ecsdeploy")
            {
                continue;
            }
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    private static (int ExitCode, string Output) Run(string program, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = new StringBuilder(process.StandardOutput.ReadToEnd());
        process.WaitForExit();
        output.Append(stderr.GetAwaiter().GetResult());
        return (process.ExitCode, output.ToString());
    }
}
