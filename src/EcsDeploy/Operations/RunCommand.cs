using System.CommandLine;
using System.Globalization;
using EcsDeploy.Hosting;
using EcsDeploy.Tasks;

namespace EcsDeploy.Operations;

/// <summary>The answer of <c>run</c>.</summary>
internal sealed record RunReport
{
    public required string Service { get; init; }
    public required string TaskDefinition { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public required string Container { get; init; }
    /// <summary><c>succeeded</c>, <c>failed</c>, <c>failed-to-start</c>, <c>timed-out</c> (stopped) or <c>cancelled</c> (stopped).</summary>
    public required string Outcome { get; init; }
    public string? TaskArn { get; init; }
    public int? ExitCode { get; init; }
    public string? StopCode { get; init; }
    public string? StoppedReason { get; init; }
    public IReadOnlyList<ContainerExit> Containers { get; init; } = [];
    public string? Error { get; init; }
}

/// <summary>
/// <c>run [--revision R] -- COMMAND...</c>: a one-off task on the service's revision (or the one given), with the
/// service's network configuration, through <see cref="PipelineContext.Tasks"/>: log lines stream as they come, the
/// essential containers' exit codes decide (a sidecar's does not), TaskFailedToStart is reported as such, and on
/// timeout or Ctrl-C the task is stopped (StopTask).
/// </summary>
internal static class RunCommand
{
    public static PipelineCommand Create()
    {
        var revision = new Option<string?>("--revision") { Description = "The revision to run (41, family:41 or an ARN); default: the one the service runs", HelpName = "REVISION" };
        var container = new Option<string?>("--container") { Description = "The container whose command is replaced (default: the deployed container)", HelpName = "NAME" };
        var timeout = new Option<int>("--timeout") { Description = "Minutes the task may take before it is stopped (default 15)", DefaultValueFactory = _ => 15, HelpName = "MINUTES" };
        var arguments = new Argument<string[]>("command") { Description = "The command to run, after --", Arity = ArgumentArity.OneOrMore };
        var command = new PipelineCommand("run", "Runs a one-off task on the service's revision with its network; the essential containers' exit code decides",
            (context, ct) => RunAsync(context, revision, container, timeout, arguments, ct))
        {
            IamGrants = CommandIam.Run,
        };
        command.Options.Add(revision);
        command.Options.Add(container);
        command.Options.Add(timeout);
        command.Arguments.Add(arguments);
        return command;
    }

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, Option<string?> revisionOption, Option<string?> containerOption, Option<int> timeoutOption,
        Argument<string[]> argumentsOption, CancellationToken cancellationToken)
    {
        var operation = Operation.Open(command);
        var words = command.ParseResult.GetValue(argumentsOption) ?? [];
        var minutes = operation.Value(timeoutOption);
        if (minutes < 1)
        {
            throw new PipelineStageException($"--timeout {minutes.ToString(CultureInfo.InvariantCulture)} is not a number of minutes: give 1 or more (--timeout 30).", FailureKind.Invalid);
        }
        // Everything after -- is the command (TrailingCommand): say so when it holds an option that would change where
        // or what runs had it come before --, since the task then runs as the options before -- say.
        var root = command.ParseResult.RootCommandResult.Command;
        var misplaced = TrailingCommand.OptionsWithin(root.Options.Where(o => o.Name == "--target").Concat([revisionOption, containerOption, timeoutOption]), words);
        if (misplaced.Count > 0)
        {
            operation.Context.Warn($"{string.Join(", ", misplaced)} after -- belongs to the task's command ({string.Join(' ', words)}), not to this script: "
                + $"to set {(misplaced.Count == 1 ? "it" : "them")} for the script, put {(misplaced.Count == 1 ? "it" : "them")} before -- (run {misplaced[0]} ... -- COMMAND).");
        }
        var running = await operation.DescribeServiceAsync(cancellationToken).ConfigureAwait(false);
        var family = running.TaskDefinition.Family!;
        var definition = operation.Value(revisionOption) is { } revision
            ? await operation.ResolveRevisionAsync(revision, family, cancellationToken).ConfigureAwait(false)
            : running.TaskDefinition;
        var containers = definition.ContainerDefinitions ?? [];
        var containerName = operation.Value(containerOption) ?? command.Definition.DeployedService?.Target.Container
            ?? containers.FirstOrDefault(c => c.Essential != false)?.Name ?? "";
        if (!containers.Any(c => c.Name == containerName))
        {
            throw new PipelineStageException($"Revision {Operation.Short(definition.TaskDefinitionArn)} has no container '{containerName}' (it has: {string.Join(", ", containers.Select(c => c.Name))}): give --container NAME.", FailureKind.Invalid);
        }
        var report = new RunReport { Service = operation.ServiceName, TaskDefinition = definition.TaskDefinitionArn!, Command = words, Container = containerName, Outcome = "planned" };
        if (operation.DryRun)
        {
            await operation.WriteAsync(report, Text).ConfigureAwait(false);
            return null;
        }

        var request = new OneOffTaskRequest(definition.TaskDefinitionArn!)
        {
            Purpose = "task",
            Container = containerName,
            Command = words,
            NetworkConfiguration = running.Service.NetworkConfiguration,
            Timeout = TimeSpan.FromMinutes(minutes),
            StopOnCancel = true,
            OnLogLine = operation.JsonOutput ? operation.Info : line => command.Out.WriteLine(line),
        };
        OneOffTaskResult result;
        try
        {
            result = await operation.Context.Tasks.RunAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await operation.WriteAsync(report with { Outcome = "cancelled", Error = "cancelled: the task was stopped (StopTask)" }, Text).ConfigureAwait(false);
            throw;
        }
        catch (PipelineStageException ex)
        {
            var outcome = (ex as OneOffTaskException)?.Failure switch
            {
                OneOffTaskFailure.TimedOut => "timed-out",
                OneOffTaskFailure.FailedToStart => "failed-to-start",
                _ => "failed",
            };
            await operation.WriteAsync(report with { Outcome = outcome, Error = ex.Message }, Text).ConfigureAwait(false);
            return ex.Kind;
        }
        var failedToStart = result.StopCode == Aws.StopCodes.TaskFailedToStart;
        report = report with
        {
            Outcome = result.Succeeded ? "succeeded" : failedToStart ? "failed-to-start" : "failed",
            TaskArn = result.TaskArn,
            ExitCode = result.ExitCode,
            StopCode = result.StopCode,
            StoppedReason = result.StoppedReason,
            Containers = result.Containers,
            Error = result.Succeeded ? null : failedToStart ? $"TaskFailedToStart: {result.StoppedReason}" : result.Describe(),
        };
        await operation.WriteAsync(report, Text).ConfigureAwait(false);
        return result.Succeeded ? null : FailureKind.Failed;
    }

    private static IEnumerable<string> Text(RunReport report)
    {
        yield return $"{report.Outcome}: {string.Join(' ', report.Command)} on {Operation.Short(report.TaskDefinition)} (container {report.Container})"
            + (report.TaskArn is null ? "" : $", task {Operation.TaskId(report.TaskArn)}");
        foreach (var container in report.Containers)
        {
            yield return $"  {container.Name}{(container.Essential ? " (essential)" : " (sidecar)")}: exit code {container.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}" + (container.Reason is null ? "" : $" ({container.Reason})");
        }
        if (report.Error is not null)
        {
            yield return "  " + report.Error;
        }
    }
}
