using System.Text;
using System.Text.Json;
using EcsDeploy.Images.Registry;
using EcsDeploy.Processes;

namespace EcsDeploy.Images.Builders;

/// <summary>
/// <c>buildah bud</c> with the vfs storage driver and chroot isolation (the modes that work without a daemon or
/// privileges), in a private storage root and runroot under the output folder (removed afterwards), with a fixed
/// timestamp and no identity label so that a build is reproducible; then <c>buildah push</c> to an OCI layout,
/// read back into an <see cref="OciImage"/>. Base-image credentials go in a private auth file, never on the command line.
/// </summary>
/// <param name="runner">Runs the program.</param>
/// <param name="program">The buildah program: found on PATH by default; tests give a stand-in to pin what detection sees.</param>
internal sealed class BuildahImageBuilder(ProcessRunner runner, string program = BuildahImageBuilder.Program) : IImageBuilder
{
    public const string Program = "buildah";

    public ImageBuilderKind Kind => ImageBuilderKind.Buildah;

    public async Task<BuilderAvailability> DetectAsync(CancellationToken cancellationToken)
    {
        if (!ProcessRunner.IsOnPath(program))
        {
            return new BuilderAvailability(false, "buildah: not installed (apt-get install buildah)");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            var version = await runner.RunAsync(new CommandSpec(program, ["--version"]), null, timeout.Token).ConfigureAwait(false);
            return new BuilderAvailability(true, "buildah: " + version.StandardOutput.Trim());
        }
        catch (Exception ex) when (ex is CommandExecutionException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new BuilderAvailability(false, "buildah: installed but 'buildah --version' failed: " + ex.Message);
        }
    }

    /// <summary>The arguments of the build and the push (public for tests; no secret is ever among them).</summary>
    internal static (List<string> Build, List<string> Push) Arguments(ImageBuildRequest request, string storage, string tag, string layout, string? authFile, IEnumerable<string> insecureRegistries)
    {
        List<string> Storage() => ["--root", Path.Combine(storage, "root"), "--runroot", Path.Combine(storage, "runroot"), "--storage-driver", "vfs"];
        var platform = request.BaseImage.Platform;
        var build = Storage();
        build.AddRange(["bud", "--isolation", "chroot", "--layers=false", "--timestamp", "0", "--identity-label=false",
            "--platform", platform.Os + "/" + platform.Architecture + (platform.Variant is null ? "" : "/" + platform.Variant),
            "--format", "oci", "-f", request.DockerfilePath, "-t", tag]);
        foreach (var (name, value) in request.BuildArguments)
        {
            build.AddRange(["--build-arg", name + "=" + value]);
        }
        if (authFile is not null)
        {
            build.AddRange(["--authfile", authFile]);
        }
        if (insecureRegistries.Any())
        {
            // Only loopback registries get plain http (as the registry client allows).
            build.Add("--tls-verify=false");
        }
        build.Add(request.ContextDirectory);
        var push = Storage();
        push.AddRange(["push", "--format", "oci", tag, "oci:" + layout]);
        return (build, push);
    }

    public async Task<ImageBuildResult> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Directory.CreateDirectory(request.OutputDirectory);
        var storage = Path.Combine(request.OutputDirectory, "buildah-storage");
        var layout = Path.Combine(request.OutputDirectory, "oci");
        var tag = "localhost/ecsdeploy-build:" + Path.GetFileName(request.OutputDirectory.TrimEnd('/')).ToLowerInvariant();
        string? authFile = null;
        var warnings = new List<string>();
        var problems = new List<string>();
        var dockerfile = ParsedDockerfile.Parse(await File.ReadAllTextAsync(request.DockerfilePath, cancellationToken).ConfigureAwait(false), "Dockerfile", problems);
        ImageReference? reference = null;
        if (dockerfile.BaseImage is not null)
        {
            try
            {
                reference = ImageReference.Parse(dockerfile.BaseImage, null);
            }
            catch (FormatException)
            {
                // buildah reports its own error
            }
        }
        // With a mirror, the base is pulled through it (a private registries.conf); the host to authenticate to is then the mirror's.
        var mirrored = reference is { IsDockerHub: true } && request.BaseImage.Mirror is not null ? ImageReference.Parse(dockerfile.BaseImage!, request.BaseImage.Mirror) : null;
        string? registriesConf = null;
        try
        {
            if (mirrored is not null)
            {
                registriesConf = Path.Combine(request.OutputDirectory, "registries.conf");
                var location = mirrored.Registry + (mirrored.Repository.EndsWith(reference!.Repository, StringComparison.Ordinal) && mirrored.Repository.Length > reference.Repository.Length
                    ? "/" + mirrored.Repository[..^(reference.Repository.Length + 1)]
                    : "");
                await File.WriteAllTextAsync(registriesConf, RegistriesConf(location, mirrored.IsLoopback), cancellationToken).ConfigureAwait(false);
            }
            if (request.BaseImage.Credentials is { } credentials && reference is not null)
            {
                authFile = Path.Combine(request.OutputDirectory, "auth.json");
                var auth = new Dictionary<string, object>
                {
                    ["auths"] = new Dictionary<string, object>
                    {
                        [mirrored?.Registry ?? (reference.IsDockerHub ? "docker.io" : reference.Registry)] = new Dictionary<string, string>
                        {
                            ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Username + ":" + credentials.Password)),
                        },
                    },
                };
                var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // the auth file holds a password
                }
                await using (var file = new FileStream(authFile, fileOptions))
                {
                    await JsonSerializer.SerializeAsync(file, auth, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            var insecure = reference is { IsLoopback: true } ? new[] { reference.Registry } : mirrored is { IsLoopback: true } ? [mirrored.Registry] : [];
            var (build, push) = Arguments(request, storage, tag, layout, authFile, insecure);
            if (registriesConf is not null)
            {
                build.InsertRange(0, ["--registries-conf", registriesConf]);
            }
            try
            {
                await runner.RunAsync(new CommandSpec(program, build, request.ContextDirectory), request.OnOutput, cancellationToken).ConfigureAwait(false);
            }
            catch (CommandExecutionException ex) when (CouldNotPullBase(ex.LastLines))
            {
                throw new BaseImageUnavailableException(
                    $"Build: buildah could not pull the base image {dockerfile.BaseImage}: {ex.LastLines.Last(l => l.Contains("creating build container", StringComparison.Ordinal))}. " +
                    "Fix: give a reachable mirror (b.BaseImageRegistry(\"mirror.example:5000\")) or credentials (b.BaseImageCredentials(...)).", ex);
            }
            await runner.RunAsync(new CommandSpec(program, push, request.ContextDirectory), request.OnOutput, cancellationToken).ConfigureAwait(false);
            var image = await OciLayout.ReadAsync(layout, request.BaseImage.Platform, cancellationToken).ConfigureAwait(false);
            return new ImageBuildResult(image, "buildah", dockerfile.BaseImage, warnings);
        }
        finally
        {
            if (registriesConf is not null)
            {
                File.Delete(registriesConf);
            }
            if (authFile is not null)
            {
                File.Delete(authFile);
            }
            await RemoveStorageAsync(storage, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A registries.conf that sends Docker Hub pulls to <paramref name="mirror"/> (host or host/prefix) and resolves short names on Docker Hub.</summary>
    internal static string RegistriesConf(string mirror, bool insecure) => $"""
        unqualified-search-registries = ["docker.io"]
        short-name-mode = "permissive"

        [[registry]]
        prefix = "docker.io"
        location = "docker.io"

        [[registry.mirror]]
        location = "{mirror}"
        insecure = {(insecure ? "true" : "false")}
        """;

    /// <summary>Removes the private storage (vfs layers are plain folders; unmount first in case a container is left).</summary>
    private async Task RemoveStorageAsync(string storage, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(storage))
        {
            return;
        }
        try
        {
            await runner.RunAsync(new CommandSpec(program, ["--root", Path.Combine(storage, "root"), "--runroot", Path.Combine(storage, "runroot"), "--storage-driver", "vfs", "rm", "--all"]), null, cancellationToken).ConfigureAwait(false);
        }
        catch (CommandExecutionException)
        {
            // nothing mounted: deleting the folders is enough
        }
        try
        {
            Directory.Delete(storage, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // best effort: a temp folder
        }
    }

    /// <summary>
    /// buildah's pull failures that are about reaching the registry (DNS, connection, TLS, timeout), as in
    /// <c>creating build container: initializing source docker://node:20-alpine: pinging container registry ...: dial tcp ...</c>;
    /// a base that does not exist (manifest unknown) is not one of them: that is the Dockerfile's mistake.
    /// </summary>
    internal static bool CouldNotPullBase(IReadOnlyList<string> lines) =>
        lines.Any(line => line.Contains("creating build container", StringComparison.Ordinal)
            && (line.Contains("pinging container registry", StringComparison.Ordinal)
                || line.Contains("dial tcp", StringComparison.Ordinal)
                || line.Contains("no such host", StringComparison.Ordinal)
                || line.Contains("connection refused", StringComparison.Ordinal)
                || line.Contains("i/o timeout", StringComparison.Ordinal)
                || line.Contains("TLS handshake", StringComparison.Ordinal)));
}
