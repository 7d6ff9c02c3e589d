using System.Diagnostics;
using System.Text.Json;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// The deploy as a real process against the local AWS host, killed at random moments and run again: every re-run
/// converges to the same end state with no duplicate revision and no one-off task left running.
/// </summary>
public sealed class KilledProcessTests
{
    private static string DeployProcessPath()
    {
        // tests/EcsDeploy.Testing.Tests/bin/<configuration>/net10.0/ -> tests/EcsDeploy.DeployProcess/bin/<configuration>/net10.0/
        var path = AppContext.BaseDirectory.Replace("EcsDeploy.Testing.Tests", "EcsDeploy.DeployProcess", StringComparison.Ordinal);
        var dll = Path.Combine(path, "EcsDeploy.DeployProcess.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("The deploy process was not built next to the tests.", dll);
    }

    private static Process Start(LocalAwsHost host, string context, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { DeployProcessPath(), context, "--target", "aws", "--git-sha", TestPipelines.GitSha }.Concat(options))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        foreach (var (name, value) in host.EnvironmentVariables)
        {
            start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }

    [Fact]
    public async Task DeployProcess_KilledAtRandomMoments_ReRunConvergesWithoutDuplicatesOrOrphans()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 20 }, CancellationToken.None);
        var context = TestPipelines.CreateContext();
        var random = new Random(20261129);

        for (var kill = 0; kill < 5; kill++)
        {
            using var process = Start(host, context);
            var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMilliseconds(random.Next(400, 5000)))) != exited)
            {
                process.Kill(entireProcessTree: true);
            }
            await process.WaitForExitAsync();
            await drain;
        }

        using var final = Start(host, context, "--output", "json");
        var output = final.StandardOutput.ReadToEndAsync();
        var errors = final.StandardError.ReadToEndAsync();
        await final.WaitForExitAsync();
        Assert.True(final.ExitCode == 0, await output + "\n" + await errors);

        using var json = JsonDocument.Parse(await output);
        Assert.Equal("deployed", json.RootElement.GetProperty("outcome").GetString());
        var revisions = aws.Ecs.Revisions("truecaller-backend");
        Assert.True(revisions.Count == 2, "revisions: " + revisions.Count + "\n" + string.Join("\n", TaskDefinitions.TaskDefinitionRenderer.Diff(revisions[1], revisions[^1])));
        Assert.EndsWith(":2", aws.Ecs.Service("truecaller-backend-cluster", "truecaller-backend-service").TaskDefinition);
        Assert.Equal("COMPLETED", Assert.Single(aws.Ecs.Service("truecaller-backend-cluster", "truecaller-backend-service").Deployments).RolloutState);
        var migrations = aws.Ecs.AllTasks().Where(t => t.Group == "family:truecaller-backend").ToList();
        Assert.All(migrations, t => Assert.Equal("STOPPED", t.LastStatus));
        Assert.True(migrations.Count <= aws.CallsTo("RunTask").Count, "a task was started twice for one RunTask");
    }
}
