using System.Runtime.CompilerServices;
using EcsDeploy.Aws;

namespace EcsDeploy.Deployments;

/// <summary>
/// The one DescribeServices budget of a process (per ECS endpoint), shared by every service being followed. Followers
/// ask for a service at a moment; reads due within half a second of each other for one cluster go out as one call of up
/// to ten services (the API's limit); calls are spaced by a token bucket (<see cref="CallsPerSecond"/> sustained,
/// <see cref="Burst"/> at once), well under ECS's documented service-read rate for a whole account and Region, which
/// the account's other tools share. A throttled call, or one the retry policy had to repeat, halves the rate; it
/// recovers slowly as calls succeed. On a virtual clock time moves only once every follower has asked for its next read
/// or sleeps here (<see cref="SleepAsync"/>: a follower that reads another API between sleeps, as the strategy follower
/// does), so followers running side by side see the same moments they would on a real clock; when something else moves
/// the clock meanwhile (a check's retry), the reads that fell due go out then rather than wait for every follower.
/// The budget counts on ECS's clock (<see cref="AwsEnvironment.EcsClockSpeed"/>): a local AWS host driven ten times
/// faster than wall time is read as often per simulated second as AWS would be.
/// </summary>
internal sealed class ServiceWatch
{
    /// <summary>Sustained calls per second the budget allows (ECS documents 20 per second for service reads, per account and Region).</summary>
    public const double CallsPerSecond = 2;

    /// <summary>Calls the budget allows at once.</summary>
    public const double Burst = 5;

    /// <summary>DescribeServices takes at most this many services.</summary>
    public const int MaxServicesPerCall = 10;

    private static readonly ConditionalWeakTable<IEcsApi, ServiceWatch> Watches = [];
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(500);
    private const double SlowestRate = 0.2;

    private readonly IEcsApi _ecs;
    private readonly TimeProvider _time;
    // ECS's seconds per second of _time: the budget is ECS's (its throttling counts on its clock), so a local host
    // driven faster than wall time is read as often per simulated second as AWS would be.
    private readonly double _speed;
    private readonly AwsRetryPolicy? _policy;
    private readonly Lock _gate = new();
    private readonly List<Request> _queue = [];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _pump;
    private int _followers;
    private double _rate = CallsPerSecond;
    private double _tokens = Burst;
    private DateTimeOffset _refilled;

    private ServiceWatch(IEcsApi ecs, TimeProvider time, AwsRetryPolicy? policy, double ecsClockSpeed)
    {
        _speed = ecsClockSpeed > 0 ? ecsClockSpeed : 1;
        _ecs = ecs;
        _time = time;
        _policy = policy;
        _refilled = time.GetUtcNow();
    }

    /// <summary>The process's watch over <paramref name="aws"/>'s ECS endpoint.</summary>
    public static ServiceWatch For(AwsEnvironment aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return Watches.GetValue(aws.Ecs, ecs => new ServiceWatch(ecs, aws.TimeProvider, aws.RetryPolicy, aws.EcsClockSpeed));
    }

    /// <summary>DescribeServices calls made, and how many services they asked for in all.</summary>
    public (int Calls, int Services) Made { get { lock (_gate) { return (_calls, _services); } } }

    private int _calls;
    private int _services;

    /// <summary>The sustained rate the budget allows now (lower after throttling).</summary>
    public double Rate { get { lock (_gate) { return _rate; } } }

    /// <summary>
    /// Marks a follower as active until the lease is disposed: on a virtual clock, time moves only when every active
    /// follower waits for a read.
    /// </summary>
    public IDisposable Follow()
    {
        // One lease per flow: a rollback followed inside a rollout's flow is the same follower.
        if (Held.Value == this)
        {
            return NoLease.Instance;
        }
        Held.Value = this;
        lock (_gate) { _followers++; }
        return new Lease(this);
    }

    private static readonly AsyncLocal<ServiceWatch?> Held = new();

    /// <summary>
    /// Waits <paramref name="delay"/> on the run's clock as a follower: on a virtual clock the wait is one of the moments
    /// the clock moves to once every follower waits, so a follower between reads of another API holds no one back.
    /// </summary>
    public Task SleepAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (_time is not IVirtualClock || delay <= TimeSpan.Zero)
        {
            return Clock.DelayAsync(_time, delay, cancellationToken);
        }
        return Enqueue(new Request(null, null, _time.GetUtcNow() + delay), cancellationToken);
    }

    /// <summary>Reads <paramref name="service"/> of <paramref name="cluster"/> at <paramref name="at"/> (at once when it has passed); null when ECS says it is MISSING.</summary>
    public Task<EcsService?> DescribeAsync(string cluster, string service, DateTimeOffset at, CancellationToken cancellationToken)
        => Enqueue(new Request(cluster, service, at), cancellationToken);

    private Task<EcsService?> Enqueue(Request request, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() => request.Answer.TrySetCanceled(cancellationToken));
        }
        lock (_gate)
        {
            _queue.Add(request);
            if (_pump is null)
            {
                _pump = Task.Run(PumpAsync, CancellationToken.None);
            }
            _wake.TrySetResult();
        }
        return request.Answer.Task;
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            Task wake;
            TimeSpan wait;
            TimeSpan due;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                foreach (var sleeper in _queue.Where(r => r.Sleeps && r.At <= now))
                {
                    sleeper.Answer.TrySetResult(null);
                }
                _queue.RemoveAll(r => r.Answer.Task.IsCompleted);
                if (_queue.Count == 0)
                {
                    _pump = null;
                    return;
                }
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wake = _wake.Task;
                Refill(now);
                var sleepDue = _queue.Where(r => r.Sleeps).Select(r => r.At - now).DefaultIfEmpty(TimeSpan.MaxValue).Min();
                var readDue = _queue.Any(r => !r.Sleeps)
                    ? Max(_queue.Where(r => !r.Sleeps).Min(r => r.At) - now, _tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - _tokens) / (_rate * _speed)))
                    : TimeSpan.MaxValue;
                wait = due = sleepDue < readDue ? sleepDue : readDue;
                if (wait > TimeSpan.Zero && _time is IVirtualClock && _queue.Count < _followers)
                {
                    // A follower is still busy (it has not asked for its next read): moving the clock now would skip its moment.
                    wait = Timeout.InfiniteTimeSpan;
                }
            }
            if (wait == Timeout.InfiniteTimeSpan)
            {
                // Wait for the busy follower; but when something else moves the clock past the next moment, serve it then.
                using var stop = new CancellationTokenSource();
                await Task.WhenAny(wake, Task.Delay(due, _time, stop.Token)).ConfigureAwait(false);
                await stop.CancelAsync().ConfigureAwait(false);
                continue;
            }
            if (wait > TimeSpan.Zero)
            {
                if (_time is IVirtualClock)
                {
                    await Clock.DelayAsync(_time, wait, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    using var stop = new CancellationTokenSource();
                    await Task.WhenAny(Task.Delay(wait, _time, stop.Token), wake).ConfigureAwait(false);
                    await stop.CancelAsync().ConfigureAwait(false);
                }
                continue;
            }
            await CallAsync().ConfigureAwait(false);
        }
    }

    private async Task CallAsync()
    {
        List<Request> batch;
        string cluster;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var ready = _queue.Where(r => !r.Sleeps && r.At <= now + Coalesce / _speed).OrderBy(r => r.At).ToList();
            if (ready.Count == 0)
            {
                return;
            }
            cluster = ready[0].Cluster!;
            var names = ready.Where(r => r.Cluster == cluster).Select(r => r.Service!).Distinct(StringComparer.Ordinal).Take(MaxServicesPerCall).ToHashSet(StringComparer.Ordinal);
            batch = [.. ready.Where(r => r.Cluster == cluster && names.Contains(r.Service!))];
            foreach (var request in batch)
            {
                _queue.Remove(request);
            }
            _tokens -= 1;
            _calls++;
            _services += names.Count;
        }
        var retriesBefore = _policy?.RetriesMade ?? 0;
        try
        {
            var response = await _ecs.DescribeServicesAsync(new DescribeServicesRequest(cluster, [.. batch.Select(r => r.Service!).Distinct(StringComparer.Ordinal)]), CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _rate = (_policy?.RetriesMade ?? 0) > retriesBefore ? Math.Max(SlowestRate, _rate / 2) : Math.Min(CallsPerSecond, _rate + 0.05);
            }
            foreach (var request in batch)
            {
                request.Answer.TrySetResult(response.Services.FirstOrDefault(s => s.ServiceName == request.Service || s.ServiceArn == request.Service));
            }
        }
        catch (AwsServiceException ex) when (ex.IsThrottling)
        {
            // Throttled even after the retry policy's attempts: slow down, and ask again when the budget allows.
            lock (_gate)
            {
                _rate = Math.Max(SlowestRate, _rate / 2);
                _tokens = Math.Min(_tokens, 0);
                _queue.AddRange(batch);
            }
        }
        catch (Exception ex)
        {
            foreach (var request in batch)
            {
                request.Answer.TrySetException(ex);
            }
        }
    }

    // Under the gate.
    private void Refill(DateTimeOffset now)
    {
        if (now > _refilled)
        {
            _tokens = Math.Min(Burst, _tokens + (now - _refilled).TotalSeconds * _rate * _speed);
            _refilled = now;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void Leave()
    {
        lock (_gate)
        {
            _followers--;
            _wake.TrySetResult();
        }
    }

    private sealed class Lease(ServiceWatch watch) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Held.Value = null;
                watch.Leave();
            }
        }
    }

    private sealed class NoLease : IDisposable
    {
        public static readonly NoLease Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>A read of a service at a moment, or (no cluster and service) a follower's sleep until it.</summary>
    private sealed class Request(string? cluster, string? service, DateTimeOffset at)
    {
        public string? Cluster { get; } = cluster;
        public string? Service { get; } = service;
        public bool Sleeps => Service is null;
        public DateTimeOffset At { get; } = at;
        public TaskCompletionSource<EcsService?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
