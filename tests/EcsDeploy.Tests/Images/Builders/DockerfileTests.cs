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
}
