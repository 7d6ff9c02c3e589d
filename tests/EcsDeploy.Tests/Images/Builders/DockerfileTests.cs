using EcsDeploy.Images.Builders;

namespace EcsDeploy.Tests.Images.Builders;

public sealed class DockerfileTests
{
    private static ParsedDockerfile Parse(string text, out List<string> problems)
    {
        problems = [];
        return ParsedDockerfile.Parse(text, "Dockerfile", problems);
    }

    [Fact]
    public void Parse_SupportedSubset_SubstitutesArgsAndEnvAndKeepsOrder()
    {
        var parsed = Parse("""
            # syntax=docker/dockerfile:1
            ARG NODE=20
            FROM --platform=linux/arm64 node:${NODE}-alpine AS app
            ENV APP_HOME=/srv/app \
                GREETING="hello world"
            WORKDIR $APP_HOME
            COPY package.json ./
            ADD ["dist", "./dist"]
            LABEL team=backend
            EXPOSE 3000 9229/udp
            USER node
            ENTRYPOINT ["node"]
            CMD dist/server.js
            """, out var problems);

        Assert.Empty(problems);
        Assert.Equal("node:20-alpine", parsed.BaseImage);
        Assert.Equal("linux/arm64", parsed.Platform);
        var env = Assert.IsType<EnvStep>(parsed.Steps[0]);
        Assert.Equal([new("APP_HOME", "/srv/app"), new("GREETING", "hello world")], env.Pairs);
        Assert.Equal(4, env.Line);
        Assert.Equal("/srv/app", Assert.IsType<WorkdirStep>(parsed.Steps[1]).Path);
        Assert.Equal(["package.json"], Assert.IsType<CopyStep>(parsed.Steps[2]).Sources);
        Assert.Equal("./dist", Assert.IsType<CopyStep>(parsed.Steps[3]).Destination);
        Assert.Equal(["3000/tcp", "9229/udp"], Assert.IsType<ExposeStep>(parsed.Steps[5]).Ports);
        Assert.Equal(["/bin/sh", "-c", "dist/server.js"], Assert.IsType<CmdStep>(parsed.Steps[8]).Command);
    }

    [Fact]
    public void Parse_Unsupported_ListsEveryProblemWithItsLineAndSaysUseBuildahOrDocker()
    {
        Parse("""
            FROM node:20 AS build
            RUN npm ci
            COPY --from=build /app/dist ./dist
            HEALTHCHECK CMD curl -f http://localhost/
            FROM node:20-alpine
            ADD https://example.com/x.tgz /x
            """, out var problems);

        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Dockerfile line 2: RUN is not supported", StringComparison.Ordinal) && p.Contains("use buildah or docker", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Dockerfile line 3: COPY --from=build", StringComparison.Ordinal) && p.Contains("multi-stage", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Dockerfile line 4: HEALTHCHECK is not supported", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Dockerfile line 5: a second FROM (the first is at line 1)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Dockerfile line 6: ADD of a URL", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_EntrypointAfterFrom_WithoutFrom_IsAProblem()
    {
        Parse("ENTRYPOINT [\"x\"]\n", out var problems);

        Assert.Contains(problems, p => p.Contains("line 1: ENTRYPOINT before FROM", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("no FROM instruction", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("node:20-alpine", null, "registry-1.docker.io", "library/node", "20-alpine", false)]
    [InlineData("docker.io/bitnami/redis", null, "registry-1.docker.io", "bitnami/redis", "latest", false)]
    [InlineData("node:20", "mirror.example:5000", "mirror.example:5000", "library/node", "20", false)]
    [InlineData("node:20", "123456789012.dkr.ecr.eu-central-1.amazonaws.com/docker-hub", "123456789012.dkr.ecr.eu-central-1.amazonaws.com", "docker-hub/library/node", "20", false)]
    [InlineData("ghcr.io/org/app:1.2", "mirror.example:5000", "ghcr.io", "org/app", "1.2", false)]
    [InlineData("127.0.0.1:5000/base/tiny:1", null, "127.0.0.1:5000", "base/tiny", "1", true)]
    [InlineData("localhost:5000/base@sha256:0000000000000000000000000000000000000000000000000000000000000000", null, "localhost:5000", "base", "sha256:0000000000000000000000000000000000000000000000000000000000000000", true)]
    public void ImageReference_Parse_ResolvesRegistryRepositoryAndMirror(string text, string? mirror, string registry, string repository, string reference, bool loopback)
    {
        var parsed = ImageReference.Parse(text, mirror);

        Assert.Equal((registry, repository, reference, loopback), (parsed.Registry, parsed.Repository, parsed.Reference, parsed.IsLoopback));
    }

    [Fact]
    public void ImageReference_Parse_RejectsUppercaseRepository()
    {
        Assert.Throws<FormatException>(() => ImageReference.Parse("Node:20"));
    }

    /// <summary>Each problem the daemonless builder finds in a Dockerfile, word for word.</summary>
    [Theory]
    [InlineData("FROM node:20\nRUN <<EOF\necho hi\nEOF\n", "Dockerfile line 2: heredocs are not supported by the daemonless builder: use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("ENV A=1\nFROM node:20\n", "Dockerfile line 1: ENV before FROM: the Dockerfile must start with FROM (ARG may come first).")]
    [InlineData("FROM node:20\nFROM alpine:3\n", "Dockerfile line 2: a second FROM (the first is at line 1): multi-stage builds are not supported by the daemonless builder: use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("FROM --pull=always node:20\n", "Dockerfile line 1: FROM option '--pull=always' is not supported by the daemonless builder: use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("FROM\n", "Dockerfile line 1: FROM names no image.")]
    [InlineData("FROM node:${VERSION}\n", "Dockerfile line 1: FROM 'node:${VERSION}' uses an ARG without a value: give the ARG a default.")]
    [InlineData("FROM node:20 extra\n", "Dockerfile line 1: FROM has unexpected words 'extra' (expected: FROM image [AS name]).")]
    [InlineData("FROM node:20\nENV A\n", "Dockerfile line 2: ENV needs NAME=value (or NAME value).")]
    [InlineData("FROM node:20\nLABEL a\n", "Dockerfile line 2: LABEL needs key=value.")]
    [InlineData("FROM node:20\nRUN npm ci\n", "Dockerfile line 2: RUN is not supported by the daemonless builder (it runs no program): use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("FROM node:20\nHEALTHCHECK CMD true\n", "Dockerfile line 2: HEALTHCHECK is not supported by the daemonless builder: use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("# nothing\n", "Dockerfile: no FROM instruction.")]
    [InlineData("FROM node:20\nCOPY [\"a\"\n", "Dockerfile line 2: COPY [..] is not a valid JSON array.")]
    [InlineData("FROM node:20\nCOPY --from=build /app ./\n", "Dockerfile line 2: COPY --from=build copies from another stage or image: multi-stage builds are not supported by the daemonless builder: use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("FROM node:20\nCOPY --chmod=755 a /app/\n", "Dockerfile line 2: COPY option '--chmod=755' is not supported by the daemonless builder: use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("FROM node:20\nCOPY a\n", "Dockerfile line 2: COPY needs at least one source and a destination.")]
    [InlineData("FROM node:20\nADD https://example.com/x.tgz /x/\n", "Dockerfile line 2: ADD of a URL ('https://example.com/x.tgz') is not supported by the daemonless builder: download it in a build command, or use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("FROM node:20\nADD app.tar.gz /app/\n", "Dockerfile line 2: ADD of the archive 'app.tar.gz' would be unpacked by docker, which the daemonless builder does not do: use COPY of the unpacked files, or use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker).")]
    [InlineData("FROM node:20\nCOPY a b /app\n", "Dockerfile line 2: COPY with several sources needs a destination folder ending with '/' (got '/app').")]
    public void Parse_NamesEachProblem_InTheseWords(string dockerfile, string message)
    {
        Parse(dockerfile, out var problems);

        Assert.True(problems.Contains(message), $"Expected:\n  {message}\nProblems:\n  {string.Join("\n  ", problems)}");
    }
}
