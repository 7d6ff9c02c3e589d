namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// A clock that runs <see cref="Speed"/> times faster than its base clock: timers and delays of length T fire
/// after T / speed of base time. Give it to a client of a <see cref="LocalAwsHost"/> running at the same speed
/// (for example <c>AwsWireOptions.TimeProvider</c>) so that the client's polling intervals and timeouts keep
/// their proportions to the simulated rollout.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider _base;
    private readonly DateTimeOffset _startUtc;
    private readonly long _startTimestamp;

    /// <summary>Creates the clock, starting at the base clock's current time.</summary>
    /// <param name="speed">The factor (greater than 0).</param>
    /// <param name="baseProvider">The base clock (default: the system clock).</param>
    public ScaledTimeProvider(double speed, TimeProvider? baseProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(speed, 0);
        Speed = speed;
        _base = baseProvider ?? System;
        _startUtc = _base.GetUtcNow();
        _startTimestamp = _base.GetTimestamp();
    }

    /// <summary>The factor.</summary>
    public double Speed { get; }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _startUtc + _base.GetElapsedTime(_startTimestamp) * Speed;

    /// <inheritdoc />
    public override long TimestampFrequency => _base.TimestampFrequency;

    /// <inheritdoc />
    public override long GetTimestamp() => _startTimestamp + (long)((_base.GetTimestamp() - _startTimestamp) * Speed);

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => _base.LocalTimeZone;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => new ScaledTimer(_base.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan span) => span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : span / Speed;

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
