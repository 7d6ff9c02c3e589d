using System.Formats.Tar;
using EcsDeploy.Processes;

namespace EcsDeploy.Images.Builders;

/// <summary>
/// The Docker CLI: <c>docker buildx build --output type=oci,dest=DIR,tar=false</c> (with a registry build cache when
/// configured), or <c>docker build</c> + <c>docker save</c> when buildx is absent (Docker 25+ saves an OCI layout).
/// Detection asks the daemon (<c>docker version</c> needs it), not only whether the client is installed.
/// Credentials come from the user's docker login; none is passed on a command line.
/// </summary>
/// <param name="runner">Runs the program.</param>
/// <param name="program">The docker program: found on PATH by default; tests give a stand-in to pin what detection sees.</param>
internal sealed class DockerImageBuilder(ProcessRunner runner, string program = DockerImageBuilder.Program) : IImageBuilder
{
    public const string Program = "docker";

    public ImageBuilderKind Kind => ImageBuilderKind.Docker;

    /// <summary>Whether the buildx plugin answered during detection.</summary>
    public bool? HasBuildx { get; private set; }

    public async Task<BuilderAvailability> DetectAsync(CancellationToken cancellationToken)
    {
        if (!ProcessRunner.IsOnPath(program))
        {
            return new BuilderAvailability(false, "docker: not installed");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        string server;
        try
        {
            var version = await runner.RunAsync(new CommandSpec(program, ["version", "--format", "{{.Server.Version}}"]), null, timeout.Token).ConfigureAwait(false);
            server = version.StandardOutput.Trim();
        }
        catch (CommandExecutionException ex)
        {
            return new BuilderAvailability(false, "docker: client present, no daemon (" + DaemonProblem(ex.LastLines) + ")");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new BuilderAvailability(false, "docker: client present, the daemon did not answer within 15 s");
        }
        try
        {
            await runner.RunAsync(new CommandSpec(program, ["buildx", "version"]), null, timeout.Token).ConfigureAwait(false);
            HasBuildx = true;
        }
        catch (Exception ex) when (ex is CommandExecutionException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            HasBuildx = false;
        }
        return new BuilderAvailability(true, $"docker: daemon {server} answers" + (HasBuildx == true ? ", buildx present" : ", no buildx (docker build + docker save)"));
    }

    /// <summary>The daemon's complaint, for example <c>Cannot connect to the Docker daemon at unix:///var/run/docker.sock</c>.</summary>
    internal static string DaemonProblem(IReadOnlyList<string> lines)
    {
        var line = lines.LastOrDefault(l => l.Contains("daemon", StringComparison.OrdinalIgnoreCase) || l.Contains("docker.sock", StringComparison.Ordinal) || l.Contains("error", StringComparison.OrdinalIgnoreCase))
            ?? lines.LastOrDefault(l => l.Trim().Length > 0) ?? "docker version failed";
        line = line.Trim();
        // "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
        var question = line.IndexOf(". Is the docker daemon running?", StringComparison.Ordinal);
        return question > 0 ? line[..question] : line;
    }

    /// <summary>The <c>docker buildx build</c> arguments.</summary>
    internal static List<string> BuildxArguments(ImageBuildRequest request, string tag, string layout)
    {
        var platform = request.BaseImage.Platform;
        var args = new List<string>
        {
            "buildx", "build",
            "--file", request.DockerfilePath,
            "--tag", tag,
            "--platform", platform.Os + "/" + platform.Architecture + (platform.Variant is null ? "" : "/" + platform.Variant),
            "--provenance=false",
            "--output", $"type=oci,dest={layout},tar=false",
        };
        foreach (var (name, value) in request.BuildArguments)
        {
            args.AddRange(["--build-arg", name + "=" + value]);
        }
        if (request.CacheReference is { } cache)
        {
            args.AddRange(["--cache-from", "type=registry,ref=" + cache, "--cache-to", "type=registry,ref=" + cache + ",mode=max"]);
        }
        args.Add(request.ContextDirectory);
        return args;
    }

    /// <summary>The <c>docker build</c> and <c>docker save</c> arguments (no buildx: no registry cache either).</summary>
    internal static (List<string> Build, List<string> Save) ClassicArguments(ImageBuildRequest request, string tag, string archive)
    {
        var platform = request.BaseImage.Platform;
        List<string> build = ["build", "--file", request.DockerfilePath, "--tag", tag, "--platform", platform.Os + "/" + platform.Architecture,
            .. request.BuildArguments.SelectMany(a => new[] { "--build-arg", a.Key + "=" + a.Value }), request.ContextDirectory];
        List<string> save = ["save", "--output", archive, tag];
        return (build, save);
    }

    public async Task<ImageBuildResult> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Directory.CreateDirectory(request.OutputDirectory);
        var tag = "ecsdeploy-build:" + Path.GetFileName(request.OutputDirectory.TrimEnd('/')).ToLowerInvariant();
        var layout = Path.Combine(request.OutputDirectory, "oci");
        var warnings = new List<string>();
        if (HasBuildx is null)
        {
            await DetectAsync(cancellationToken).ConfigureAwait(false);
        }
        if (request.BaseImage.Mirror is not null)
        {
            warnings.Add("b.BaseImageRegistry(...) applies to the daemonless builder only: docker pulls the base through the daemon's registry-mirrors setting");
        }
        if (HasBuildx == true)
        {
            await runner.RunAsync(new CommandSpec(program, BuildxArguments(request, tag, layout), request.ContextDirectory), request.OnOutput, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (request.CacheReference is not null)
            {
                warnings.Add("the registry build cache needs docker buildx, which is not installed: built without it");
            }
            var archive = Path.Combine(request.OutputDirectory, "image.tar");
            var (build, save) = ClassicArguments(request, tag, archive);
            await runner.RunAsync(new CommandSpec(program, build, request.ContextDirectory), request.OnOutput, cancellationToken).ConfigureAwait(false);
            await runner.RunAsync(new CommandSpec(program, save, request.ContextDirectory), request.OnOutput, cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(layout);
            await TarFile.ExtractToDirectoryAsync(archive, layout, overwriteFiles: true, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(Path.Combine(layout, "index.json")))
            {
                throw new PipelineStageException("Build: 'docker save' wrote a legacy archive without an OCI index (Docker before 25): install docker buildx, or use b.Builder(ImageBuilderKind.Buildah).", FailureKind.Failed);
            }
        }
        var image = await OciLayout.ReadAsync(layout, request.BaseImage.Platform, cancellationToken).ConfigureAwait(false);
        return new ImageBuildResult(image, "docker", null, warnings);
    }
}
