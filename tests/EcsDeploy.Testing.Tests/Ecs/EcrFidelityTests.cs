using EcsDeploy.Aws;
using EcsDeploy.Images;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>ECS-BEHAVIOUR.md §9: ECR's lifecycle rules as ECR applies them, and RunTask's limits.</summary>
public sealed class EcrFidelityTests
{
    private static string Policy(string list) =>
        "{\"rules\":[{\"rulePriority\":1,\"description\":\"expire tagged images\",\"selection\":{\"tagStatus\":\"tagged\"," + list
        + ",\"countType\":\"imageCountMoreThan\",\"countNumber\":1},\"action\":{\"type\":\"expire\"}}]}";

    [Fact]
    public void LifecycleTagPrefixList_SelectsOnlyImagesWithAllTheTags()
    {
        var rules = EcrLifecyclePolicy.Parse(Policy("\"tagPrefixList\":[\"prod\",\"v\"]"), [])!;
        var now = DateTimeOffset.UnixEpoch.AddDays(100);
        var images = new[]
        {
            new LifecycleImage("sha256:1", ["prod-1", "v1"], now.AddDays(-3)),
            new LifecycleImage("sha256:2", ["prod-2", "v2"], now.AddDays(-2)),
            new LifecycleImage("sha256:3", ["prod-3"], now.AddDays(-4)),
            new LifecycleImage("sha256:4", ["v4"], now.AddDays(-5)),
        };
        var expired = EcrLifecyclePolicy.Expired(rules, images, now);

        // Only images 1 and 2 carry both; the older of them expires. ORing the list would expire 1, 3 and 4.
        Assert.Equal(["sha256:1"], expired.Select(i => i.Digest));
    }

    [Fact]
    public void LifecycleTagPatternList_SelectsOnlyImagesMatchingAllPatterns()
    {
        var rules = EcrLifecyclePolicy.Parse(Policy("\"tagPatternList\":[\"prod*\",\"*-rc\"]"), [])!;
        var now = DateTimeOffset.UnixEpoch.AddDays(100);
        var expired = EcrLifecyclePolicy.Expired(rules, [
            new LifecycleImage("sha256:1", ["prod-a", "1-rc"], now.AddDays(-3)),
            new LifecycleImage("sha256:2", ["prod-b", "2-rc"], now.AddDays(-1)),
            new LifecycleImage("sha256:3", ["prod-c"], now.AddDays(-9)),
        ], now);
        Assert.Equal(["sha256:1"], expired.Select(i => i.Digest));
    }

    [Fact]
    public async Task LifecyclePattern_WithMoreThanFourWildcards_IsRefused()
    {
        var problems = new List<string>();
        Assert.Null(EcrLifecyclePolicy.Parse(Policy("\"tagPatternList\":[\"*a*b*c*d*\"]"), problems));
        Assert.Contains(problems, p => p.Contains("at most 4", StringComparison.Ordinal));
        Assert.NotNull(EcrLifecyclePolicy.Parse(Policy("\"tagPatternList\":[\"*a*b*c*\"]"), []));

        var aws = Seed.Truecaller();
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Ecr.PutLifecyclePolicyAsync("truecaller-backend", Policy("\"tagPatternList\":[\"*a*b*c*d*\"]"), CancellationToken.None));
        Assert.Equal("InvalidParameterException", error.ErrorCode);
    }

    [Fact]
    public async Task RunTask_WithOverridesOver8192Characters_IsRefused()
    {
        var aws = Seed.Truecaller();
        var overrides = new TaskOverride([new ContainerOverride { Name = "truecaller-backend", Environment = [new EcsKeyValuePair("BIG", new string('x', 8200))] }]);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Ecs.RunTaskAsync(new RunTaskRequest { Cluster = "truecaller-backend-cluster", TaskDefinition = "truecaller-backend", Overrides = overrides }, CancellationToken.None));
        Assert.Equal("InvalidParameterException", error.ErrorCode);
        Assert.Contains("8192", error.Message, StringComparison.Ordinal);
    }
}
