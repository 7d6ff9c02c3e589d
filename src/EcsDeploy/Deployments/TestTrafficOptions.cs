namespace EcsDeploy;

/// <summary>
/// Checks run against the test listener while the deployment is paused after test traffic moved to the new revision
/// (a PAUSE hook at POST_TEST_TRAFFIC_SHIFT): all pass, and the deployment continues to production traffic; one fails,
/// and it is rolled back with that check as the reason, production traffic never having moved.
/// </summary>
public sealed class TestTrafficOptions
{
    private readonly FreezeGuard _freeze;

    internal TestTrafficOptions(FreezeGuard freeze) => _freeze = freeze;

    internal List<string> Paths { get; } = [];
    internal List<(string Name, Func<HttpClient, Uri, CancellationToken, Task<string?>> Check)> Checks { get; } = [];
    internal string? Url { get; private set; }
    internal int? ListenerPort { get; private set; }
    internal TimeSpan Within { get; private set; } = TimeSpan.FromMinutes(2);
    internal TimeSpan PauseTimeout { get; private set; } = TimeSpan.FromMinutes(15);

    /// <summary>GET on this path of the test listener answers 2xx (retried until the deadline).</summary>
    public TestTrafficOptions Http(string path)
    {
        _freeze.EnsureMutable();
        Paths.Add(path);
        return this;
    }

    /// <summary>
    /// Your own check: given an HTTP client and the test listener's base URL, answer null when it passes, or the reason it
    /// fails (which becomes the rollback's reason). Retried until the deadline like the HTTP checks.
    /// </summary>
    public TestTrafficOptions Check(string name, Func<HttpClient, Uri, CancellationToken, Task<string?>> check)
    {
        _freeze.EnsureMutable();
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(check);
        Checks.Add((name, check));
        return this;
    }

    /// <summary>The test listener's port on the service's load balancer (the URL is http://DNS-NAME:PORT).</summary>
    public TestTrafficOptions Port(int port)
    {
        _freeze.EnsureMutable();
        ListenerPort = port;
        return this;
    }

    /// <summary>The test listener's base URL, when it is not the service's load balancer on <see cref="Port"/>.</summary>
    public TestTrafficOptions BaseUrl(string url)
    {
        _freeze.EnsureMutable();
        Url = url;
        return this;
    }

    /// <summary>How long failing checks are retried before the deployment is rolled back (default 2 minutes).</summary>
    public TestTrafficOptions Deadline(TimeSpan deadline)
    {
        _freeze.EnsureMutable();
        Within = deadline;
        return this;
    }

    /// <summary>
    /// How long ECS keeps the deployment paused for the checks (whole minutes, default 15); if this run has not answered by
    /// then (it was killed), ECS rolls the deployment back by itself.
    /// </summary>
    public TestTrafficOptions Timeout(TimeSpan timeout)
    {
        _freeze.EnsureMutable();
        PauseTimeout = timeout;
        return this;
    }
}
