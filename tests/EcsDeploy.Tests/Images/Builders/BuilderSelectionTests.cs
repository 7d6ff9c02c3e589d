using EcsDeploy.Images.Builders;
using EcsDeploy.Images.Registry;
using EcsDeploy.Processes;

namespace EcsDeploy.Tests.Images.Builders;

public sealed class BuilderSelectionTests
{
    private static CancellationToken Ct => CancellationToken.None;

    /// <summary>A builder whose detection answers as told; building is never expected of it.</summary>
    private sealed class Detected(ImageBuilderKind kind, bool available, string reason) : IImageBuilder
    {
        public ImageBuilderKind Kind => kind;
        public Task<BuilderAvailability> DetectAsync(CancellationToken cancellationToken) => Task.FromResult(new BuilderAvailability(available, reason));
        public Task<ImageBuildResult> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("not built in selection tests");
    }

    private static IReadOnlyList<IImageBuilder> Builders(bool docker, bool buildah) =>
    [
        new Detected(ImageBuilderKind.Docker, docker, docker ? "docker: daemon 27.0 answers" : "docker: client present, no daemon (Cannot connect to the Docker daemon at unix:///var/run/docker.sock)"),
        new Detected(ImageBuilderKind.Buildah, buildah, buildah ? "buildah: buildah version 1.28.2" : "buildah: not installed (apt-get install buildah)"),
        new Detected(ImageBuilderKind.Daemonless, true, "daemonless: always available"),
    ];

    [Theory]
    [InlineData(true, true, ImageBuilderKind.Docker)]
    [InlineData(false, true, ImageBuilderKind.Buildah)]
    [InlineData(false, false, ImageBuilderKind.Daemonless)]
    public async Task Auto_PicksDockerThenBuildahThenDaemonless(bool docker, bool buildah, ImageBuilderKind expected)
    {
        var choice = await ImageBuilderSelector.ChooseAsync(ImageBuilderKind.Auto, localTarget: false, Builders(docker, buildah), Ct);

        Assert.Equal(expected, choice.Builder.Kind);
        Assert.StartsWith("auto: ", choice.Why, StringComparison.Ordinal);
        Assert.Equal(2, choice.NotPicked.Count);
        if (!docker)
        {
            Assert.Contains(choice.NotPicked, r => r.StartsWith("docker: client present, no daemon (Cannot connect to the Docker daemon at unix:///var/run/docker.sock)", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Auto_OnTheLocalTarget_PicksDaemonlessAndSaysWhyBuildahWasNotUsed()
    {
        var choice = await ImageBuilderSelector.ChooseAsync(ImageBuilderKind.Auto, localTarget: true, Builders(false, true), Ct);

        Assert.Equal(ImageBuilderKind.Daemonless, choice.Builder.Kind);
        Assert.Contains("local target", choice.Why, StringComparison.Ordinal);
        Assert.Contains(choice.NotPicked, r => r.StartsWith("buildah: buildah version 1.28.2 (not used on the local target", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explicit_Unavailable_ThrowsInvalidWithTheReasonAndTheFix()
    {
        var ex = await Assert.ThrowsAsync<PipelineStageException>(() => ImageBuilderSelector.ChooseAsync(ImageBuilderKind.Docker, localTarget: false, Builders(false, true), Ct));

        Assert.Equal(FailureKind.Invalid, ex.Kind);
        Assert.Contains("b.Builder(ImageBuilderKind.Docker) cannot run here: docker: client present, no daemon", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ImageBuilderKind.Auto", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A stand-in program (a shell script in a temporary folder) that prints and exits as told for each first argument.</summary>
    private static string StandIn(string name, string script)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("ecsdeploy-standin-").FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n" + script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    [Fact]
    public async Task DockerDetection_WhenTheClientCannotReachTheDaemon_IsUnavailableAndNamesTheSocket()
    {
        var docker = StandIn("docker", """
            echo "Client: Docker Engine - Community"
            echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
            exit 1
            """);

        var detection = await new DockerImageBuilder(new ProcessRunner(), docker).DetectAsync(Ct);

        Assert.False(detection.Available);
        Assert.StartsWith("docker: client present, no daemon (Cannot connect to the Docker daemon at unix:///var/run/docker.sock", detection.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, true, "docker: daemon 27.0.3 answers, buildx present")]
    [InlineData(1, false, "docker: daemon 27.0.3 answers, no buildx (docker build + docker save)")]
    public async Task DockerDetection_WhenTheDaemonAnswers_IsAvailableAndSaysWhetherBuildxIs(int buildxExit, bool buildx, string reason)
    {
        var docker = StandIn("docker", $$"""
            case "$1" in
              version) echo "27.0.3"; exit 0 ;;
              buildx) exit {{buildxExit}} ;;
            esac
            exit 2
            """);
        var builder = new DockerImageBuilder(new ProcessRunner(), docker);

        var detection = await builder.DetectAsync(Ct);

        Assert.True(detection.Available);
        Assert.Equal(reason, detection.Reason);
        Assert.Equal(buildx, builder.HasBuildx);
    }

    [Fact]
    public async Task Detection_WhenTheProgramIsMissing_SaysNotInstalled()
    {
        var nowhere = Path.Combine(Path.GetTempPath(), "ecsdeploy-no-such-folder", "docker");

        Assert.Equal("docker: not installed", (await new DockerImageBuilder(new ProcessRunner(), nowhere).DetectAsync(Ct)).Reason);
        Assert.Equal("buildah: not installed (apt-get install buildah)", (await new BuildahImageBuilder(new ProcessRunner(), nowhere).DetectAsync(Ct)).Reason);
    }

    [Fact]
    public async Task BuildahDetection_WhenItAnswersItsVersion_IsAvailable()
    {
        var buildah = StandIn("buildah", """
            echo "buildah version 1.28.2 (image-spec 1.0.2-dev, runtime-spec 1.0.2-dev)"
            """);

        var detection = await new BuildahImageBuilder(new ProcessRunner(), buildah).DetectAsync(Ct);

        Assert.True(detection.Available, detection.Reason);
        Assert.Equal("buildah: buildah version 1.28.2 (image-spec 1.0.2-dev, runtime-spec 1.0.2-dev)", detection.Reason);
    }

    [Fact]
    public void DockerArguments_Buildx_WriteAnOciLayoutWithRegistryCache()
    {
        var request = new ImageBuildRequest("/ctx", "/ctx/Dockerfile", "/out") { CacheReference = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:buildcache" };

        var args = DockerImageBuilder.BuildxArguments(request, "ecsdeploy-build:x", "/out/oci");

        Assert.Equal(
            ["buildx", "build", "--file", "/ctx/Dockerfile", "--tag", "ecsdeploy-build:x", "--platform", "linux/amd64", "--provenance=false",
             "--output", "type=oci,dest=/out/oci,tar=false",
             "--cache-from", "type=registry,ref=123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:buildcache",
             "--cache-to", "type=registry,ref=123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:buildcache,mode=max", "/ctx"],
            args);
        var (build, save) = DockerImageBuilder.ClassicArguments(request, "ecsdeploy-build:x", "/out/image.tar");
        Assert.Equal(["build", "--file", "/ctx/Dockerfile", "--tag", "ecsdeploy-build:x", "--platform", "linux/amd64", "/ctx"], build);
        Assert.Equal(["save", "--output", "/out/image.tar", "ecsdeploy-build:x"], save);
    }

    [Fact]
    public void DockerAndBuildahArguments_PassEachBuildArgument_AsTheOllamaImageBakesItsModel()
    {
        var request = new ImageBuildRequest("/ctx", "/ctx/Dockerfile", "/out") { BuildArguments = new Dictionary<string, string> { ["OLLAMA_MODEL"] = "llama3.2:1b" } };

        var buildx = DockerImageBuilder.BuildxArguments(request, "ecsdeploy-build:x", "/out/oci");
        var (classic, _) = DockerImageBuilder.ClassicArguments(request, "ecsdeploy-build:x", "/out/image.tar");
        var (buildah, _) = BuildahImageBuilder.Arguments(request, "/out/storage", "localhost/ecsdeploy-build:x", "/out/oci", null, []);

        foreach (var args in new[] { buildx, classic, buildah })
        {
            var at = args.IndexOf("--build-arg");
            Assert.True(at >= 0, string.Join(' ', args));
            Assert.Equal("OLLAMA_MODEL=llama3.2:1b", args[at + 1]);
            Assert.Equal("/ctx", args[^1]);
        }
    }

    [Fact]
    public void BuildahArguments_PrivateVfsStorageChrootAndAuthFile_NoSecretOnTheCommandLine()
    {
        var request = new ImageBuildRequest("/ctx", "/ctx/Dockerfile", "/out")
        {
            BaseImage = new BaseImageSettings { Credentials = new RegistryCredentials("user", "Pa55-secret"), Platform = new("arm64", "linux", "v8") },
        };

        var (build, push) = BuildahImageBuilder.Arguments(request, "/out/storage", "localhost/ecsdeploy-build:x", "/out/oci", "/out/auth.json", ["127.0.0.1:5000"]);

        Assert.Equal(["--root", "/out/storage/root", "--runroot", "/out/storage/runroot", "--storage-driver", "vfs", "bud", "--isolation", "chroot"], build.Take(9));
        Assert.Contains("linux/arm64/v8", build);
        Assert.Equal("/out/auth.json", build[build.IndexOf("--authfile") + 1]);
        Assert.Contains("--tls-verify=false", build);
        Assert.Equal("/ctx", build[^1]);
        Assert.Equal(["--root", "/out/storage/root", "--runroot", "/out/storage/runroot", "--storage-driver", "vfs", "push", "--format", "oci", "localhost/ecsdeploy-build:x", "oci:/out/oci"], push);
        Assert.DoesNotContain(build.Concat(push), a => a.Contains("Pa55-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_ListsImageOptionProblemsWithTheirFix()
    {
        var ex = Assert.Throws<PipelineValidationException>(() => Pipeline.For("app")
            .InRegion("eu-central-1").OnCluster("c")
            .Build(b => b.Image().Builder(ImageBuilderKind.Buildah).BuildCache("x y").Platform("amd64").BaseImageRegistry(" "))
            .Build());

        Assert.Contains("b.BuildCache(\"x y\") is not an image reference", ex.Message, StringComparison.Ordinal);
        Assert.Contains("b.BuildCache(...) is a docker build cache, but b.Builder(ImageBuilderKind.Buildah)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("b.Platform(\"amd64\") is not os/arch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("b.BaseImageRegistry(\" \") is not a registry", ex.Message, StringComparison.Ordinal);
    }
}
