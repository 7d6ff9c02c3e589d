using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>ECS-BEHAVIOUR.md §8: the names AWS accepts.</summary>
public sealed class NamingTests
{
    [Theory]
    [InlineData("eu-central-1", true)]
    [InlineData("us-east-1", true)]
    [InlineData("europe-1", false)]
    [InlineData("eu-central", false)]
    public void Region_FollowsThePartitionPattern(string region, bool valid)
    {
        if (valid)
        {
            Assert.Equal(region, new SimulatedAws(region).Region);
        }
        else
        {
            Assert.Throws<ArgumentException>(() => new SimulatedAws(region));
        }
    }

    [Theory]
    [InlineData("team/orders-api", true)]
    [InlineData("a", false)]
    [InlineData("Orders", false)]
    [InlineData("orders--api", true)]
    [InlineData("orders.-api", false)]
    public void EcrRepositoryName_FollowsEcrsPattern(string name, bool valid)
    {
        var aws = new SimulatedAws();
        if (valid)
        {
            Assert.EndsWith("/" + name, aws.Ecr.CreateRepository(name), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("InvalidParameterException", Assert.Throws<AwsServiceException>(() => aws.Ecr.CreateRepository(name)).ErrorCode);
        }
    }

    [Fact]
    public async Task EcrTag_LongerThan300_IsRefused()
    {
        var aws = Seed.Truecaller();
        aws.Ecr.PushTestImage("truecaller-backend", "v1");
        var manifest = (await aws.Ecr.BatchGetImageAsync("truecaller-backend", [new ImageIdentifier(null, "v1")], CancellationToken.None)).Images[0].ImageManifest!;
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Ecr.PutImageAsync(new PutImageRequest("truecaller-backend", manifest, null, new string('t', 301), null), CancellationToken.None));
        Assert.Equal("InvalidParameterException", error.ErrorCode);
    }

    [Theory]
    [InlineData("orders-api_2", true)]
    [InlineData("orders api", false)]
    [InlineData("orders.api", false)]
    [InlineData("", false)]
    public void ClusterAndServiceNames_AreOneTo255LettersDigitsHyphensUnderscores(string name, bool valid)
    {
        var aws = new SimulatedAws();
        var definition = aws.Ecs.Register(new TaskDefinition { Family = "orders", ContainerDefinitions = [new ContainerDefinition { Name = "app", Image = "nginx" }] });
        var cluster = Record.Exception(() => aws.Ecs.CreateCluster(name));
        aws.Ecs.CreateCluster("c");
        var service = Record.Exception(() => aws.Ecs.CreateRunningService("c", name, definition, 1));

        if (valid)
        {
            Assert.Null(cluster);
            Assert.Null(service);
            return;
        }
        Assert.Equal($"Cluster '{name}' is not a valid name: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed. (Parameter 'name')", Assert.IsType<ArgumentException>(cluster).Message);
        Assert.Equal($"Service '{name}' is not a valid name: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed. (Parameter 'serviceName')", Assert.IsType<ArgumentException>(service).Message);
        Assert.Null(EcsDeploy.Testing.Ecs.EcsWorld.NameProblem(new string('a', 255)));
        Assert.NotNull(EcsDeploy.Testing.Ecs.EcsWorld.NameProblem(new string('a', 256)));
    }
}
