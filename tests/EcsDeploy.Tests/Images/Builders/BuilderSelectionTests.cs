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

    [Fact]
    public async Task DockerDetection_OnThisMachine_FindsTheClientButNoDaemon()
    {
        // This machine (and CI) has the docker client and no engine (FACTS.md): detection must ask the daemon.
        Assert.True(ProcessRunner.IsOnPath("docker"), "the docker client is expected on this kind of machine (FACTS.md); without it this test proves nothing");

        var detection = await new DockerImageBuilder(new ProcessRunner()).DetectAsync(Ct);

        Assert.False(detection.Available);
        Assert.StartsWith("docker: client present, no daemon (", detection.Reason, StringComparison.Ordinal);
        Assert.Contains("unix:///var/run/docker.sock", detection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildahDetection_OnThisMachine_IsAvailable()
    {
        Assert.True(ProcessRunner.IsOnPath("buildah"), "buildah is not installed: run .ci/install-deps.sh (apt-get install buildah)");

        var detection = await new BuildahImageBuilder(new ProcessRunner()).DetectAsync(Ct);

        Assert.True(detection.Available, detection.Reason);
        Assert.StartsWith("buildah: buildah version ", detection.Reason, StringComparison.Ordinal);
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
