using EcsDeploy.Checks;
using EcsDeploy.Tests.Images.Builders;
using EcsDeploy.Tests.Images.Registry;

namespace EcsDeploy.Tests.Checks;

/// <summary>
/// The ImageBuild check on the sample backend with the real builders and the real CNCF registry as the base image's
/// mirror (nothing beyond 127.0.0.1 is asked): a build passes only when its base was fetched, and a base that cannot be
/// fetched is could-not-run, never a pass.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ImageBuildCheckTests(RegistryFixture registry)
{
    [Fact]
    public async Task ImageBuild_OnTheBaseImageFromAMirror_BuildsTheImageAndNeverPushesIt()
    {
        using var backend = new BackendCopy();
        using var client = registry.CreateClient();
        // The sample's Dockerfile says FROM node:20-alpine, Docker Hub's library/node: the mirror serves a stand-in.
        var baseImage = await BaseImage.PushAsync(client, "library/node", "20-alpine");

        var (result, _) = await CheckRun.RunAsync(CheckRun.Checks().ImageBuild(i => i
            .WorkingDirectory(backend.Directory)
            .With(b => b.Run("npm", "run", "build").Image("Dockerfile")
                .Builder(ImageBuilderKind.Daemonless)
                .BaseImageRegistry(registry.Address)
                .BaseImageCredentials(registry.Credentials))));

        var check = Assert.Single(result.Checks);
        Assert.Equal(CheckStatus.Passed, check.Status);
        Assert.Matches($"^image sha256:[0-9a-f]{{64}} \\(\\d+ bytes in {baseImage.Layers.Count + 1} layer\\(s\\)\\), not pushed$", check.Summary);
        Assert.Null(result.Image);
        Assert.Equal(RunOutcome.ChecksPassed, result.Outcome);
    }

    [Theory]
    [InlineData(ImageBuilderKind.Daemonless)]
    [InlineData(ImageBuilderKind.Buildah)]
    public async Task ImageBuild_WhenTheBaseImageRegistryIsUnreachable_CouldNotRunNeverPassed(ImageBuilderKind builder)
    {
        using var backend = new BackendCopy();
        var closed = $"127.0.0.1:{CheckRun.FreePort()}";
        backend.Write("Dockerfile", $"FROM {closed}/library/node:20-alpine\nWORKDIR /app\nCOPY package.json ./\nCMD [\"node\", \"dist/server.js\"]\n");

        var check = await CheckRun.SingleAsync(CheckRun.Checks().ImageBuild(i => i
            .WorkingDirectory(backend.Directory)
            .With(b => b.Image("Dockerfile").Builder(builder))));

        Assert.Equal(CheckStatus.CouldNotRun, check.Status);
        Assert.Contains($"{closed}/library/node:20-alpine", check.Summary, StringComparison.Ordinal);
        Assert.EndsWith("The image build was NOT checked.", check.Summary, StringComparison.Ordinal);
    }
}
