namespace EcsDeploy;

/// <summary>
/// A clock that moves by itself when the pipeline sleeps, such as the simulated AWS's virtual clock: a ten
/// minute rollout then takes milliseconds, and stays deterministic because nothing waits on real time.
/// </summary>
public interface IVirtualClock
{
    /// <summary>Moves the clock forward by <paramref name="delay"/>, firing every timer that falls due.</summary>
    Task SleepAsync(TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>The one way EcsDeploy waits: through the pipeline's <see cref="TimeProvider"/>.</summary>
public static class Clock
{
    /// <summary>Waits for <paramref name="delay"/> on <paramref name="timeProvider"/>.</summary>
    public static Task DelayAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }
        return timeProvider is IVirtualClock virtualClock
            ? virtualClock.SleepAsync(delay, cancellationToken)
            : Task.Delay(delay, timeProvider, cancellationToken);
    }
}
