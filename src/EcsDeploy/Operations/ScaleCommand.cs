using System.CommandLine;
using System.Globalization;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Hosting;
using EcsDeploy.Reporting;

namespace EcsDeploy.Operations;

/// <summary>The answer of <c>scale</c>.</summary>
internal sealed record ScaleReport
{
    public required string Service { get; init; }
    public required int From { get; init; }
    public required int To { get; init; }
    /// <summary><c>scaled</c>, <c>unchanged</c>, <c>planned</c>, <c>started</c> (--no-wait), <c>scaled-back</c>, <c>needs-attention</c>.</summary>
    public required string Outcome { get; init; }
    /// <summary>The Application Auto Scaling range (<c>1-4</c>), or null when the service has no scalable target.</summary>
    public string? AutoScalingRange { get; init; }
    /// <summary>The range set by <c>--adjust-range</c>, when it changed it.</summary>
    public string? AdjustedRange { get; init; }
    public int RunningCount { get; init; }
    public bool Confirmed { get; init; }
    public string? Summary { get; init; }
}

/// <summary>
/// <c>scale --count N</c>: sets the service's desired count (UpdateService desiredCount: no new deployment) and follows it
/// until the service is steady at N (one deployment, N tasks running), as a deploy is followed: within the Deploy
/// stage's wait timeout, scaling back to the count it had when it does not get there (exit 1), or needing attention
/// (exit 3) when that fails too or rollback is off. A count outside the service's Application Auto Scaling range is
/// refused (exit 2, nothing changed), since scaling would move it back; <c>--adjust-range</c> widens the range first.
/// </summary>
internal static class ScaleCommand
{
    private static readonly TimeSpan FastPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SlowPoll = TimeSpan.FromSeconds(5);

    public static PipelineCommand Create()
    {
        var count = new Option<int?>("--count") { Description = "The number of tasks to run (0 or more)", HelpName = "N" };
        var resume = new Option<bool>("--resume") { Description = "Put back the Application Auto Scaling a deploy suspended and did not restore (status says so); with --count, before scaling" };
        var adjust = new Option<bool>("--adjust-range") { Description = "When N is outside the service's Application Auto Scaling range, widen the range to include N first (RegisterScalableTarget)" };
        var command = new PipelineCommand("scale", "Sets the service's desired count and follows it until N tasks run steadily (refuses a count outside its auto scaling range)",
            (context, ct) => RunAsync(context, count, adjust, resume, ct))
        {
            IamGrants = CommandIam.Scale,
        };
        command.Options.Add(count);
        command.Options.Add(adjust);
        command.Options.Add(resume);
        return command;
    }

    private static async Task<FailureKind?> RunAsync(PipelineCommandContext command, Option<int?> countOption, Option<bool> adjustOption, Option<bool> resumeOption, CancellationToken cancellationToken)
    {
        var given = command.ParseResult.GetValue(countOption);
        var resume = command.ParseResult.GetValue(resumeOption);
        if (given is null && !resume)
        {
            throw new PipelineStageException("scale needs --count N (the number of tasks to run), or --resume (put back the auto scaling a deploy left suspended).", FailureKind.Invalid);
        }
        var count = given ?? 0;
        if (count < 0)
        {
            throw new PipelineStageException($"--count {count.ToString(CultureInfo.InvariantCulture)} is not a number of tasks: give 0 or more (--count 0 stops every task of the service, --count 3 runs three).", FailureKind.Invalid);
        }
        var operation = Operation.Open(command);
        if (resume)
        {
            var resumed = await ScaleResume.RunAsync(operation, cancellationToken).ConfigureAwait(false);
            if (given is null)
            {
                await operation.WriteAsync(resumed, ScaleResume.Text).ConfigureAwait(false);
                return null;
            }
            operation.Info(resumed.Summary!);
        }
        var service = (await operation.DescribeServiceAsync(cancellationToken).ConfigureAwait(false)).Service;
        var from = service.DesiredCount;
        var target = command.Aws.AutoScaling is { } autoScaling
            ? await AutoScalingSuspension.FindAsync(autoScaling, operation.Cluster, operation.ServiceName, cancellationToken).ConfigureAwait(false)
            : null;
        var report = new ScaleReport
        {
            Service = operation.ServiceName,
            From = from,
            To = count,
            Outcome = "planned",
            AutoScalingRange = target is null ? null : Range(target.MinCapacity, target.MaxCapacity),
            RunningCount = service.RunningCount,
        };
        (int Min, int Max)? widened = null;
        if (target is not null && (count < target.MinCapacity || count > target.MaxCapacity))
        {
            var range = Range(Math.Min(target.MinCapacity, count), Math.Max(target.MaxCapacity, count));
            if (!operation.Value(adjustOption))
            {
                var side = count < target.MinCapacity ? $"below the minimum capacity {target.MinCapacity}" : $"above the maximum capacity {target.MaxCapacity}";
                throw new PipelineStageException(
                    $"--count {count} is {side} of {operation.ServiceName}'s Application Auto Scaling target (range {report.AutoScalingRange}): its next scaling activity would move the count back into the range. Nothing changed: give a count from {target.MinCapacity} to {target.MaxCapacity}, add --adjust-range to widen the range to {range} first, or change the range where it is defined (Terraform, aws application-autoscaling register-scalable-target).",
                    FailureKind.Invalid);
            }
            widened = (Math.Min(target.MinCapacity, count), Math.Max(target.MaxCapacity, count));
            report = report with { AdjustedRange = range };
        }
        if (count == from && widened is null && Steady(service, count))
        {
            await operation.WriteAsync(report with { Outcome = "unchanged", Confirmed = true, Summary = $"{operation.ServiceName} already runs {count} task(s)" }, Text).ConfigureAwait(false);
            return null;
        }
        if (operation.DryRun)
        {
            await operation.WriteAsync(report with { Summary = $"would scale {operation.ServiceName} from {from} to {count} task(s)" + (widened is null ? "" : $", widening its auto scaling range to {report.AdjustedRange} first") }, Text).ConfigureAwait(false);
            return null;
        }

        if (widened is { } newRange)
        {
            await command.Aws.AutoScaling!.RegisterScalableTargetAsync(new RegisterScalableTargetRequest
            {
                ServiceNamespace = EcsScalableTargets.ServiceNamespace,
                ResourceId = target!.ResourceId,
                ScalableDimension = EcsScalableTargets.DesiredCount,
                MinCapacity = newRange.Min,
                MaxCapacity = newRange.Max,
            }, cancellationToken).ConfigureAwait(false);
            operation.Info($"{operation.ServiceName}: Application Auto Scaling range {report.AutoScalingRange} -> {report.AdjustedRange}");
        }
        var seen = new HashSet<string>(service.Events.Select(e => e.Id), StringComparer.Ordinal);
        await UpdateAsync(operation, count, cancellationToken).ConfigureAwait(false);
        if (command.Options.Host.NoWait)
        {
            operation.Context.Warn($"{operation.ServiceName}: desired count set to {count}; not waiting, so it is not confirmed");
            await operation.WriteAsync(report with { Outcome = "started", Summary = $"{operation.ServiceName}: desired count {from} -> {count} (not confirmed: --no-wait)" }, Text).ConfigureAwait(false);
            return null;
        }

        var settings = RollbackCommand.Settings(command.Definition);
        operation.Info($"{operation.ServiceName}: desired count {from} -> {count}; waiting up to {settings.WaitTimeout.TotalMinutes:0.#} min for {count} task(s) to run steadily");
        var (reached, running) = await FollowAsync(operation, count, settings.WaitTimeout, seen, cancellationToken).ConfigureAwait(false);
        if (reached)
        {
            await operation.WriteAsync(report with { Outcome = "scaled", Confirmed = true, RunningCount = running, Summary = $"{operation.ServiceName} runs {count} task(s) (was {from})" }, Text).ConfigureAwait(false);
            return null;
        }
        var why = $"{operation.ServiceName} did not reach {count} running task(s) within {settings.WaitTimeout.TotalMinutes:0.#} min ({running} running)";
        if (!settings.Rollback)
        {
            await operation.WriteAsync(report with { Outcome = "needs-attention", RunningCount = running, Summary = $"{why}; rollback is off, so the desired count stays {count}" }, Text).ConfigureAwait(false);
            return FailureKind.NeedsAttention;
        }
        operation.Context.Warn($"{why}; scaling back to {from}");
        await UpdateAsync(operation, from, cancellationToken).ConfigureAwait(false);
        var (back, runningBack) = await FollowAsync(operation, from, settings.WaitTimeout, seen, cancellationToken).ConfigureAwait(false);
        report = report with { RunningCount = runningBack, Confirmed = back };
        await operation.WriteAsync(back
            ? report with { Outcome = "scaled-back", Summary = $"{why}; scaled back: {operation.ServiceName} runs {from} task(s) again" }
            : report with { Outcome = "needs-attention", Summary = $"{why}; scaling back to {from} did not settle either ({runningBack} running): the service needs attention" }, Text).ConfigureAwait(false);
        return back ? FailureKind.Failed : FailureKind.NeedsAttention;
    }

    private static Task<UpdateServiceResponse> UpdateAsync(Operation operation, int count, CancellationToken cancellationToken)
        => operation.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = operation.Cluster, Service = operation.ServiceName, DesiredCount = count }, cancellationToken);

    /// <summary>Steady at <paramref name="count"/>: one deployment, not rolling out, with that many tasks running (the services-stable test, plus the count).</summary>
    private static bool Steady(EcsService service, int count)
        => service.Deployments is [{ } only] && only.RolloutState != RolloutStates.InProgress && only.DesiredCount == count && only.RunningCount == count
            && service.RunningCount == count && service.PendingCount == 0;

    /// <summary>Polls DescribeServices (1 s after a change, backing off to 5 s) until the service is steady at the count or the wait ends.</summary>
    private static async Task<(bool Reached, int Running)> FollowAsync(Operation operation, int count, TimeSpan timeout, HashSet<string> seen, CancellationToken cancellationToken)
    {
        var time = operation.Context.Time;
        var deadline = time.GetUtcNow() + timeout;
        var interval = FastPoll;
        var running = 0;
        while (true)
        {
            await Clock.DelayAsync(time, interval, cancellationToken).ConfigureAwait(false);
            var described = await operation.Ecs.DescribeServicesAsync(new DescribeServicesRequest(operation.Cluster, [operation.ServiceName]), cancellationToken).ConfigureAwait(false);
            var service = described.Services.FirstOrDefault(s => s.ServiceName == operation.ServiceName)
                ?? throw new PipelineStageException($"Service '{operation.ServiceName}' disappeared from cluster '{operation.Cluster}' while it scaled.", FailureKind.NeedsAttention);
            running = service.RunningCount;
            var fresh = service.Events.Where(e => seen.Add(e.Id)).Reverse().OrderBy(e => e.CreatedAt).ToList();
            foreach (var serviceEvent in fresh)
            {
                operation.Context.Report(new ServiceEventObserved(time.GetUtcNow(), service.ServiceName, serviceEvent.CreatedAt, serviceEvent.Message));
            }
            if (Steady(service, count))
            {
                return (true, running);
            }
            if (time.GetUtcNow() >= deadline)
            {
                return (false, running);
            }
            interval = fresh.Count > 0 ? FastPoll : TimeSpan.FromTicks(Math.Min(SlowPoll.Ticks, (long)(interval.Ticks * 1.5)));
        }
    }

    private static string Range(int min, int max) => $"{min.ToString(CultureInfo.InvariantCulture)}-{max.ToString(CultureInfo.InvariantCulture)}";

    private static IEnumerable<string> Text(ScaleReport report)
    {
        yield return report.Summary ?? $"{report.Service}: {report.Outcome}";
        yield return $"desired      {report.From} -> {report.To}";
        yield return $"running      {report.RunningCount}" + (report.Confirmed ? "" : " (not confirmed)");
        yield return $"auto scaling {(report.AutoScalingRange is null ? "no scalable target" : "range " + report.AutoScalingRange + (report.AdjustedRange is null ? "" : " -> " + report.AdjustedRange))}";
        yield return $"outcome      {report.Outcome}";
    }
}
