using System.CommandLine;
using EcsDeploy.Hosting;
using EcsDeploy.Import;

namespace EcsDeploy.Operations;

/// <summary>
/// <c>import --cluster C --service S [--out deploy.cs] [--project PATH]...</c>: reads a live service (read-only) and writes a
/// file-based C# pipeline script that deploys it as it runs now: names, the container, its variables, secrets as
/// references, OLLAMA_URL discovery where it is set, log retention, the circuit breaker and rollback, the ECR
/// repository; what the pipeline keeps as it runs or cannot express is written as comments. The region is the script's.
/// </summary>
internal static class ImportCommand
{
    public static PipelineCommand Create()
    {
        var cluster = new Option<string>("--cluster") { Description = "The cluster of the service to import", Required = true, HelpName = "CLUSTER" };
        var service = new Option<string>("--service") { Description = "The service to import", Required = true, HelpName = "SERVICE" };
        var output = new Option<string?>("--out") { Description = "Write the script to this file (default: print it); an existing file is not overwritten", HelpName = "FILE" };
        var projects = new Option<string[]>("--project") { Description = "Reference these projects (#:project PATH) instead of the EcsDeploy packages", HelpName = "PATH", AllowMultipleArgumentsPerToken = false };
        var command = new PipelineCommand("import", "Writes a C# pipeline script that deploys a live service as it runs now (--cluster C --service S [--out deploy.cs])",
            (context, ct) => RunAsync(context, cluster, service, output, projects, ct));
        command.Options.Add(cluster);
        command.Options.Add(service);
        command.Options.Add(output);
        command.Options.Add(projects);
        return command;
    }

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, Option<string> clusterOption, Option<string> serviceOption, Option<string?> outputOption,
        Option<string[]> projectsOption, CancellationToken cancellationToken)
    {
        var cluster = command.ParseResult.GetValue(clusterOption)!;
        var service = command.ParseResult.GetValue(serviceOption)!;
        var output = command.ParseResult.GetValue(outputOption);
        var projects = command.ParseResult.GetValue(projectsOption) ?? [];
        foreach (var (kind, value) in new[] { (Rules.AwsNameKind.Cluster, cluster), (Rules.AwsNameKind.Service, service) })
        {
            if (Rules.AwsNamingRules.Check(kind, value) is { } problem)
            {
                throw new PipelineStageException(problem, FailureKind.Invalid);
            }
        }
        var path = output is null ? null : Path.GetFullPath(output, command.Options.Host.WorkingDirectory ?? Directory.GetCurrentDirectory());
        if (path is not null && File.Exists(path))
        {
            throw new PipelineStageException($"{path} exists already: give --out another file, or remove it first (import never overwrites).", FailureKind.Invalid);
        }

        var imported = await ServiceImporter.ReadAsync(command.Aws, command.Definition.Region, cluster, service, cancellationToken).ConfigureAwait(false);
        var version = typeof(ImportCommand).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";
        var script = PipelineScriptWriter.Write(imported, projects, version);
        if (path is null)
        {
            await command.Out.WriteAsync(script).ConfigureAwait(false);
            return null;
        }
        await File.WriteAllTextAsync(path, script, cancellationToken).ConfigureAwait(false);
        command.Reporter.Report(new Reporting.StageMessage(command.Aws.TimeProvider.GetUtcNow(), "import",
            $"wrote {path}: {imported.Environment.Count} variable(s), {imported.Secrets.Count} secret reference(s){(imported.Ollama is null ? "" : ", OLLAMA_URL discovery")}; {imported.NotExpressible.Count} setting(s) not expressible, written as comments", Reporting.MessageLevel.Info));
        return null;
    }
}
