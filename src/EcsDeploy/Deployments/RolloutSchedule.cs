using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// Decides when a rollout is read next. ECS stamps each service event with the moment it happened, and most moments
/// that follow are set by the service's settings (<see cref="RolloutTimings"/>): a target registered at T is healthy at
/// T + threshold x interval, a task that began draining at T stops at T + the deregistration delay, a task told to stop
/// is STOPPED some seconds later, and a rollout ends when its last leaving task is STOPPED. So the schedule reads
/// rarely (every 15 s, the services-stable waiter's pace, never less often) while nothing can end the rollout, every
/// 11 s around a predicted moment that can lead to its end (so one that comes 20 s early or late is still seen before
/// the end it announces), and every second in the short window where the end itself can come.
/// A wrong prediction costs calls or a later report, never a wrong one: the decisions are the tracker's, on what it reads.
/// </summary>
internal sealed class RolloutSchedule(RolloutTimings timings, bool circuitBreaker)
{
    /// <summary>The waiter's pace: never read less often than this.</summary>
    public static readonly TimeSpan Sparse = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The pace around a predicted moment: a change seen at most this long after it still leaves time to read closely
    /// before the end it announces (which comes at least <see cref="RolloutTimings.StopAtLeast"/> later), within 1 s.
    /// </summary>
    public static readonly TimeSpan Near = TimeSpan.FromSeconds(11);

    /// <summary>How wrong a prediction may be and still be caught in time.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(25);

    private static readonly TimeSpan Close = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LaunchPrior = TimeSpan.FromSeconds(25);

    private readonly List<Pending> _batches = [];
    private readonly List<Pending> _registrations = [];
    private readonly List<Pending> _drains = [];
    private readonly List<DateTimeOffset> _stops = [];
    private TimeSpan? _launch;
    private int _failed;
    private int _threshold = 3;

    /// <summary>The predicted moments still awaited, for the verbose report and tests.</summary>
    public IReadOnlyList<DateTimeOffset> Predictions => [.. Precursors().Select(p => p.At)];

    /// <summary>Takes in what one read at <paramref name="now"/> showed: the service and its events not seen before, oldest first.</summary>
    public void Observe(EcsService service, IReadOnlyList<ServiceEvent> fresh, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(fresh);
        var primary = service.Deployments.FirstOrDefault(d => d.Status == DeploymentStatuses.Primary);
        _failed = primary?.FailedTasks ?? 0;
        _threshold = Math.Clamp((int)Math.Ceiling(0.5 * (primary?.DesiredCount ?? service.DesiredCount)), 3, 200);
        foreach (var serviceEvent in fresh)
        {
            Take(serviceEvent.CreatedAt, serviceEvent.Message);
        }
        if (primary is { PendingCount: 0, RunningCount: > 0 } && !timings.BehindLoadBalancer)
        {
            // Without a load balancer no event says a task is RUNNING: the batch resolved by the time of this read.
            foreach (var batch in _batches.Where(b => !b.Resolved).ToList())
            {
                _registrations.Add(new Pending(now, batch.Count));
                batch.Resolved = true;
            }
        }
    }

    /// <summary>When to read next, after a read at <paramref name="now"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset now)
    {
        var next = now + Sparse;
        foreach (var stop in EndWindows())
        {
            var from = stop + timings.StopAtLeast;
            var to = stop + timings.StopAtMost + Close;
            next = Earliest(next, now < from ? from : now < to ? now + Close : next);
        }
        foreach (var (at, _) in Precursors())
        {
            if (now < at + Close)
            {
                next = Earliest(next, at + Close);
            }
            var zoneStart = at - Tolerance;
            if (zoneStart < now + Sparse && now < at + Tolerance)
            {
                next = Earliest(next, now + (zoneStart - now > Near ? zoneStart - now : Near));
            }
        }
        return next < now + Close ? now + Close : next;
    }

    /// <summary>The window in which the rollout can end: after the last stop ECS began, once nothing else is awaited.</summary>
    private IEnumerable<DateTimeOffset> EndWindows()
    {
        if (_batches.Any(b => !b.Resolved) || _registrations.Any(r => !r.Resolved))
        {
            yield break;
        }
        var drainsEnd = _drains.Where(d => !d.Resolved).Select(d => d.At + timings.DeregistrationDelay).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        foreach (var stop in _stops.Where(s => s + timings.StopAtMost >= drainsEnd))
        {
            yield return stop;
        }
    }

    /// <summary>Predicted moments that can lead to the end: a draining task's stop, a check failure or launch that trips the breaker.</summary>
    private IEnumerable<(DateTimeOffset At, string What)> Precursors()
    {
        foreach (var drain in _drains.Where(d => !d.Resolved))
        {
            yield return (drain.At + timings.DeregistrationDelay, "drained tasks stop");
        }
        var pendingTasks = _batches.Where(b => !b.Resolved).Sum(b => b.Count) + _registrations.Where(r => !r.Resolved).Sum(r => r.Count);
        var canTrip = circuitBreaker && _failed + pendingTasks >= _threshold;
        foreach (var batch in _batches.Where(b => !b.Resolved && canTrip))
        {
            yield return (batch.At + (_launch ?? LaunchPrior), "tasks launch or fail");
        }
        foreach (var registration in _registrations.Where(r => !r.Resolved))
        {
            if (canTrip)
            {
                yield return (registration.At + timings.UnhealthyAfter, "targets fail their checks");
            }
            if (!timings.BehindLoadBalancer)
            {
                // Healthy ends the rollout's wait on new tasks; without draining, old tasks stop at once.
                yield return (registration.At + timings.HealthyAfter, "tasks healthy");
            }
        }
    }

    private void Take(DateTimeOffset at, string message)
    {
        if (Contains(message, "has started ") && Count(message, "has started ") is { } started)
        {
            Resolve(_batches, at, started, learn: true, strictlyAfter: true);
            _batches.Add(new Pending(at, started));
        }
        else if (Contains(message, " registered ") && Count(message, " registered ") is { } registered)
        {
            Resolve(_batches, at, registered, learn: true);
            _registrations.Add(new Pending(at, registered));
        }
        else if (Contains(message, "has begun draining connections on "))
        {
            var draining = Count(message, "has begun draining connections on ") ?? 1;
            Resolve(_registrations, at, draining);
            _drains.Add(new Pending(at, draining));
        }
        else if (Contains(message, "has stopped "))
        {
            var stopped = Count(message, "has stopped ") ?? 1;
            Resolve(_drains, at, stopped);
            if (!timings.BehindLoadBalancer)
            {
                Resolve(_registrations, at, stopped);
            }
            _stops.Add(at);
        }
        else if (Contains(message, "is unhealthy in (target-group") || Contains(message, "failed container health checks"))
        {
            Resolve(_registrations, at, 1);
            _stops.Add(at);
        }
        else if (Contains(message, ") deployment failed: ") || Contains(message, "rolling back to deployment"))
        {
            // The breaker tripped: pending tasks of the failed deployment are stopped, nothing more launches for it.
            foreach (var pending in _batches.Concat(_registrations).Where(p => !p.Resolved))
            {
                pending.Resolved = true;
            }
            _stops.Add(at);
        }
        else if (Contains(message, ") deployment completed."))
        {
            foreach (var pending in _batches.Concat(_registrations).Concat(_drains))
            {
                pending.Resolved = true;
            }
        }
    }

    /// <summary>The event settles <paramref name="tasks"/> tasks of the oldest unresolved items before it; a launch teaches its duration.</summary>
    private void Resolve(List<Pending> items, DateTimeOffset at, int tasks, bool learn = false, bool strictlyAfter = false)
    {
        foreach (var item in items.Where(p => !p.Resolved && (strictlyAfter ? p.At < at : p.At <= at)))
        {
            if (tasks <= 0)
            {
                return;
            }
            var taken = Math.Min(tasks, item.Remaining);
            item.Remaining -= taken;
            tasks -= taken;
            if (learn)
            {
                _launch = at - item.At;
            }
        }
    }

    private static bool Contains(string message, string part) => message.Contains(part, StringComparison.Ordinal);

    private static int? Count(string message, string after)
    {
        var start = message.IndexOf(after, StringComparison.Ordinal) + after.Length;
        var end = start;
        while (end < message.Length && char.IsAsciiDigit(message[end]))
        {
            end++;
        }
        return end > start ? int.Parse(message.AsSpan(start, end - start), System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed class Pending(DateTimeOffset at, int count)
    {
        public DateTimeOffset At { get; } = at;
        public int Remaining { get; set; } = count;
        public int Count => Remaining;
        public bool Resolved
        {
            get => Remaining <= 0;
            set => Remaining = value ? 0 : Remaining;
        }
    }
}
