using System.Diagnostics;
using System.Text.Json;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// The deploy as a real process against the local AWS host, killed mid-stage and run again: every re-run
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

    /// <summary>
    /// Where each run is killed: the moment its output shows the line (the process is then mid-stage: building and
    /// pushing, a migration task just started, the service update about to be sent).
    /// </summary>
    private static readonly string[] KillPoints = ["==> Push", "started migration task", "==> Deploy"];

    [Fact]
    public async Task DeployProcess_KilledMidStage_ReRunConvergesWithoutDuplicatesOrOrphans()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 20 }, CancellationToken.None);
        var context = TestPipelines.CreateContext();
        var kills = new List<string>();

        foreach (var point in KillPoints)
        {
            using var process = Start(host, context);
            var stderr = process.StandardError.ReadToEndAsync();
            var seen = new System.Text.StringBuilder();
            string? line;
            var killed = false;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
            {
                seen.AppendLine(line);
                if (line.Contains(point, StringComparison.Ordinal))
                {
                    // Killed while it runs: HasExited is false at the kill, or the kill would prove nothing.
                    Assert.False(process.HasExited, $"the run had already ended when '{point}' was read");
                    process.Kill(entireProcessTree: true);
                    killed = true;
                    break;
                }
            }
            await process.WaitForExitAsync();
            Assert.True(killed, $"the run ended (exit code {process.ExitCode}) before printing '{point}', so it was not killed there:\n{seen}\n{await stderr}");
            Assert.NotEqual(0, process.ExitCode);
            kills.Add(point);
        }

        using var final = Start(host, context, "--output", "json");
        var output = final.StandardOutput.ReadToEndAsync();
        var errors = final.StandardError.ReadToEndAsync();
        await final.WaitForExitAsync();
        Assert.True(final.ExitCode == 0, await output + "\n" + await errors);

        Assert.Equal(KillPoints, kills);
        using var json = JsonDocument.Parse(await output);
        Assert.Equal("deployed", json.RootElement.GetProperty("outcome").GetString());
        var revisions = aws.Ecs.Revisions("truecaller-backend");
        Assert.True(revisions.Count == 2, "revisions: " + revisions.Count + "\n" + string.Join("\n", TaskDefinitions.TaskDefinitionRenderer.Diff(revisions[1], revisions[^1])));
        Assert.EndsWith(":2", aws.Ecs.Service("truecaller-backend-cluster", "truecaller-backend-service").TaskDefinition);
        Assert.Equal("COMPLETED", Assert.Single(aws.Ecs.Service("truecaller-backend-cluster", "truecaller-backend-service").Deployments).RolloutState);
        // Migrations: at least the one killed at its start and the final run's; all on the one new revision, all
        // stopped, and never two at once (a re-run waits for a migration still running instead of starting another).
        var migrations = aws.Ecs.AllTasks().Where(t => t.StartedBy?.StartsWith("ecsdeploy-migrate-", StringComparison.Ordinal) == true)
            .OrderBy(t => t.CreatedAt).ToList();
        Assert.True(migrations.Count >= 2, $"{migrations.Count} migration task(s)");
        Assert.All(migrations, t => Assert.Equal("STOPPED", t.LastStatus));
        Assert.All(migrations, t => Assert.EndsWith(":2", t.TaskDefinitionArn, StringComparison.Ordinal));
        for (var i = 1; i < migrations.Count; i++)
        {
            Assert.True(migrations[i].CreatedAt >= migrations[i - 1].StoppedAt,
                $"migration {migrations[i].TaskArn} started at {migrations[i].CreatedAt} while {migrations[i - 1].TaskArn} ran until {migrations[i - 1].StoppedAt}");
        }
    }
}
