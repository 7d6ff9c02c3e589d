using System.CommandLine;
using EcsDeploy.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>Subcommands registered on the host: what they receive, and how their answers become exit codes.</summary>
public sealed class PipelineCommandTests
{
    private readonly LocalTarget _local = new();

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(PipelineCommand command, params string[] args)
    {
        var host = new PipelineHost();
        host.Targets.Add("local", _local);
        host.Commands.Add(command);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await host.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()), args, stdout, stderr, _ => null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    // A command that does real work: reads the service's running revision from the target's environment.
    private static PipelineCommand Current(FailureKind? answer = null)
    {
        var container = new Option<string>("--container") { Description = "The container to print the image of" };
        var command = new PipelineCommand("current", "Prints the revision and image the service runs now", async (context, cancellationToken) =>
        {
            var response = await context.Aws.Ecs.DescribeServicesAsync(new(context.Definition.Cluster, ["truecaller-backend-service"]), cancellationToken);
            await context.Out.WriteLineAsync($"{context.Definition.Name} {context.Options.Host.Target} {response.Services.Single().TaskDefinition} {context.ParseResult.GetValue(container)}");
            return answer;
        });
        command.Options.Add(container);
        return command;
    }

    [Fact]
    public async Task Command_ReceivesTheDefinitionTheTargetsAwsAndItsOptions_ExitsZero()
    {
        var (code, stdout, stderr) = await RunAsync(Current(), "current", "--container", "truecaller-backend");

        Assert.True(code == 0, stderr);
        Assert.Matches(@"^truecaller-backend local arn:aws:ecs:eu-central-1:\d{12}:task-definition/truecaller-backend:1 truecaller-backend\s*$", stdout);
        Assert.Empty(_local.Created!.CallsTo("UpdateService"));
    }

    [Theory]
    [InlineData(FailureKind.Failed, 1)]
    [InlineData(FailureKind.Invalid, 2)]
    [InlineData(FailureKind.NeedsAttention, 3)]
    [InlineData(FailureKind.Cancelled, 130)]
    public async Task Command_AnsweringAFailureKind_ExitsWithItsCode(FailureKind kind, int exitCode)
    {
        var (code, _, _) = await RunAsync(Current(kind), "current");

        Assert.Equal(exitCode, code);
    }

    [Fact]
    public async Task Command_ThrowingAStageException_ExitsWithItsKindAndPrintsItsMessage()
    {
        var command = new PipelineCommand("explode", "Fails as a stage would", (_, _) => throw new PipelineStageException("the service is gone", FailureKind.NeedsAttention));

        var (code, _, stderr) = await RunAsync(command, "explode");

        Assert.Equal(3, code);
        Assert.Contains("error: the service is gone", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_TakesTheCommonOptions_AndHelpListsIt()
    {
        var (code, _, stderr) = await RunAsync(Current(), "current", "--fault", "meteor-strike");
        Assert.Equal(2, code);
        Assert.Contains("Unknown fault 'meteor-strike'", stderr, StringComparison.Ordinal);

        var (helpCode, help, _) = await RunAsync(Current(), "--help");
        Assert.Equal(0, helpCode);
        Assert.Contains(help.Split('\n'), line => line.TrimStart().StartsWith("current", StringComparison.Ordinal) && line.Contains("Prints the revision and image", StringComparison.Ordinal));
    }
}
