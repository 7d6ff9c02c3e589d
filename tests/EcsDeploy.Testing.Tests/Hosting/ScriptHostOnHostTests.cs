using System.Text.Json;
using EcsDeploy.Hosting;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>Tests that set process-wide environment variables run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "process environment";
}

/// <summary>
/// A script's <c>--target aws</c> with the variables <c>samples/local-aws.cs</c> prints: credentials from the default
/// chain and endpoints from <c>AWS_ENDPOINT_URL</c>, as a shell would give them.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ScriptHostOnHostTests
{
    [Fact]
    public async Task TargetAws_WithThePrintedVariables_RegistersPushesMigratesAndUpdatesTheService()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 100 }, CancellationToken.None);
        var saved = host.EnvironmentVariables.Keys.Append("AWS_PROFILE").Append("AWS_SESSION_TOKEN").ToDictionary(n => n, Environment.GetEnvironmentVariable);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code;
        try
        {
            Environment.SetEnvironmentVariable("AWS_PROFILE", null);
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", null);
            foreach (var (name, value) in host.EnvironmentVariables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
            code = await ScriptHost.RunAsync(TestPipelines.Seed(TestPipelines.CreateContext()),
                ["--target", "aws", "--no-wait", "--output", "json", "--git-sha", TestPipelines.GitSha], stdout, stderr);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        Assert.True(code == 0, stdout + "\n" + stderr);
        using var json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("not-confirmed", json.RootElement.GetProperty("outcome").GetString());
        Assert.EndsWith("task-definition/truecaller-backend:2", json.RootElement.GetProperty("taskDefinitionArn").GetString());
        Assert.EndsWith("task-definition/truecaller-backend:2", aws.Ecs.Service("truecaller-backend-cluster", "truecaller-backend-service").TaskDefinition);
        Assert.Contains(TestPipelines.GitSha, aws.Ecr.Images("truecaller-backend").Values.SelectMany(t => t));
        Assert.Equal(0, host.Statistics.SignatureFailures);
        Assert.Contains(aws.Calls, c => c.Operation == "RunTask");
    }
}
