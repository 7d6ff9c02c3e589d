namespace EcsDeploy.Testing.Hosting;

/// <summary>Settings of a <see cref="LocalAwsHost"/>.</summary>
public sealed class LocalAwsHostOptions
{
    /// <summary>The port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// How fast the simulated world runs against wall time: every ~100 ms the host advances the simulated
    /// clock by the wall time elapsed times this factor (10 makes a 30 s health check take 3 s). 0 leaves
    /// the clock alone (it then moves only when the owner calls <see cref="VirtualClock.Advance"/>).
    /// </summary>
    public double Speed { get; init; } = 1;

    /// <summary>The access key id the host accepts; null generates one at start.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>The secret access key the host verifies signatures with; null generates one at start.</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>Faults injected between the processes, on a share of the AWS API calls.</summary>
    public HostFaults Faults { get; init; } = new();

    /// <summary>The wall clock (real time by default; tests may pass a fake one).</summary>
    public TimeProvider WallClock { get; init; } = TimeProvider.System;

    /// <summary>The seed of the fault injector's random choices.</summary>
    public int RandomSeed { get; init; } = 42;
}

/// <summary>
/// Faults that only exist between two processes, each on a share (0 to 1) of the AWS API calls: throttling
/// (HTTP 400 ThrottlingException / Throttling), HTTP 500 and 503 answers, dropped connections (the connection
/// is closed without an answer) and slow answers. A call gets at most one fault; the faulted call is not run.
/// Slow answers are run after the delay.
/// </summary>
public sealed record HostFaults
{
    /// <summary>The names <see cref="WithNamed"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["throttling", "http-500", "http-503", "drop-connection", "slow"];

    /// <summary>Share of calls answered with a throttling error.</summary>
    public double Throttling { get; init; }
    /// <summary>Share of calls answered with HTTP 500 InternalFailure.</summary>
    public double Http500 { get; init; }
    /// <summary>Share of calls answered with HTTP 503 ServiceUnavailable.</summary>
    public double Http503 { get; init; }
    /// <summary>Share of calls whose connection is dropped without an answer.</summary>
    public double DropConnection { get; init; }
    /// <summary>Share of calls answered only after <see cref="SlowDelay"/>.</summary>
    public double Slow { get; init; }
    /// <summary>How long a slow answer waits (wall time).</summary>
    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether any fault is set.</summary>
    public bool Any => Throttling > 0 || Http500 > 0 || Http503 > 0 || DropConnection > 0 || Slow > 0;

    /// <summary>
    /// The fault a request meets for a uniform <paramref name="roll"/> in [0, 1): each fault takes its share of the
    /// range in turn; null (no fault) for the rest.
    /// </summary>
    internal string? Choose(double roll)
    {
        foreach (var (name, share) in new[] { ("throttling", Throttling), ("http-500", Http500), ("http-503", Http503), ("drop-connection", DropConnection), ("slow", Slow) })
        {
            if (roll < share)
            {
                return name;
            }
            roll -= share;
        }
        return null;
    }

    /// <summary>Sets the share of the fault <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public HostFaults WithNamed(string name, double share)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(share, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(share, 1);
        return name switch
        {
            "throttling" => this with { Throttling = share },
            "http-500" => this with { Http500 = share },
            "http-503" => this with { Http503 = share },
            "drop-connection" => this with { DropConnection = share },
            "slow" => this with { Slow = share },
            _ => throw new ArgumentException($"Unknown host fault '{name}': use one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}

/// <summary>Counts of what a <see cref="LocalAwsHost"/> served, for tests and benchmarks.</summary>
/// <param name="ApiCalls">AWS API calls received (signed or not), faulted ones included.</param>
/// <param name="RegistryRequests">OCI registry requests.</param>
/// <param name="LoadBalancerRequests">Requests to the simulated load balancers' DNS names.</param>
/// <param name="SignatureFailures">AWS API calls refused for their signature or key.</param>
/// <param name="FaultsInjected">AWS API calls that got an injected fault (slow ones included).</param>
public sealed record LocalAwsHostStatistics(long ApiCalls, long RegistryRequests, long LoadBalancerRequests, long SignatureFailures, long FaultsInjected);
