using EcsDeploy.Aws.Wire;
using EcsDeploy.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>A host's own targets: registered ones first, the assembly attribute only for a name nobody registered.</summary>
public sealed class DeploymentTargetsTests
{
    [Fact]
    public void NewHost_RegistersAwsAndFindsLocalThroughTheTestingAssembly()
    {
        var host = new PipelineHost();

        Assert.IsType<AwsWireTarget>(host.Targets.Find("aws"));
        Assert.IsType<LocalTarget>(host.Targets.Find("local"));
        Assert.Same(host.Targets.Find("local"), host.Targets.Find("local"));
        Assert.NotSame(host.Targets.Find("local"), new PipelineHost().Targets.Find("local"));
        Assert.Null(host.Targets.Find("mars"));
    }

    [Fact]
    public async Task RegisteredTarget_UnderItsOwnName_IsAcceptedByTargetAndNamedWhenAnotherIsWrong()
    {
        var staging = new LocalTarget();
        var host = new PipelineHost();
        host.Targets.Add("staging", staging);
        var stderr = new StringWriter();

        var wrong = await host.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), ["--target", "mars"], new StringWriter(), stderr, _ => null);
        var code = await host.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), ["--target", "staging", "--dry-run", "--git-sha", TestPipelines.GitSha], new StringWriter(), new StringWriter(), _ => null);

        Assert.Equal(2, wrong);
        Assert.Contains("error: --target must be 'local', 'aws' or 'staging', not 'mars'.", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, code);
        Assert.Single(staging.Created!.Ecs.Revisions("truecaller-backend"));
    }

    [Fact]
    public async Task LocalTarget_GivenASimulatedAws_RunsOnIt()
    {
        var aws = Seed.Truecaller();
        var host = new PipelineHost();
        host.Targets.Add("local", new LocalTarget(_ => aws));

        var code = await host.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), ["--git-sha", TestPipelines.GitSha], new StringWriter(), new StringWriter(), _ => null);

        Assert.Equal(0, code);
        Assert.Single(aws.CallsTo("UpdateService"));
    }
}
