namespace EcsDeploy.Aws;

/// <summary>
/// The AWS SDKs' "standard" retry mode: a bounded number of attempts, exponential backoff with full jitter
/// (delay = random x min(base x 2^(n-1), 20 s)), retries on throttling, transient and 5xx errors, and a
/// retry quota (500 tokens, 5 per retry, 10 after a timeout, 1 back per first-try success, a successful retry
/// gives back what it took) so that an
/// outage does not multiply traffic. One instance is shared by all the ports of an environment: the retrying
/// decorators in <c>Aws/Retries</c> (for example <c>RetryingEcsApi</c>) call it once per port operation.
/// </summary>
public sealed class AwsRetryPolicy
{
    private readonly Lock _gate = new();
    private readonly Random _random;
    private int _quota;

    /// <summary>Creates a policy.</summary>
    public AwsRetryPolicy(TimeProvider timeProvider, int maxAttempts = 3, TimeSpan? baseDelay = null, TimeSpan? maxBackoff = null, int quota = 500, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        TimeProvider = timeProvider;
        MaxAttempts = maxAttempts;
        BaseDelay = baseDelay ?? TimeSpan.FromSeconds(1);
        MaxBackoff = maxBackoff ?? TimeSpan.FromSeconds(20);
        _quota = QuotaCapacity = quota;
        _random = random ?? Random.Shared;
    }

    /// <summary>The clock waits go through.</summary>
    public TimeProvider TimeProvider { get; }
    /// <summary>Attempts per call, the first included (default 3).</summary>
    public int MaxAttempts { get; }
    /// <summary>The base of the exponential backoff (default 1 s).</summary>
    public TimeSpan BaseDelay { get; }
    /// <summary>The cap on one backoff (default 20 s).</summary>
    public TimeSpan MaxBackoff { get; }
    /// <summary>The size of the retry quota.</summary>
    public int QuotaCapacity { get; }
    /// <summary>Tokens left in the retry quota.</summary>
    public int QuotaRemaining { get { lock (_gate) { return _quota; } } }
    /// <summary>Retries made so far, over all ports.</summary>
    public int RetriesMade { get; private set; }
    /// <summary>Called before each retry (for reporting).</summary>
    public Action<AwsRetryAttempt>? OnRetry { get; set; }

    /// <summary>Runs <paramref name="call"/> with retries.</summary>
    /// <param name="operation">The operation name, for reports.</param>
    /// <param name="idempotent">When false, only errors that mean "not processed" (throttling) are retried.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the call and the waits.</param>
    public async Task<T> ExecuteAsync<T>(string operation, bool idempotent, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var lastCost = 0;
        for (var attempt = 1; ; attempt++)
        {
            int cost;
            string reason;
            try
            {
                var result = await call(cancellationToken).ConfigureAwait(false);
                // As the SDKs do: a first-try success adds one token; a retry that succeeds gives back what it took.
                Release(attempt == 1 ? 1 : lastCost);
                return result;
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsRetryable(ex, idempotent, cancellationToken, out cost, out reason))
            {
                if (!TryAcquire(cost))
                {
                    throw;
                }
                lastCost = cost;
            }

            var backoff = Backoff(attempt);
            RetriesMade++;
            OnRetry?.Invoke(new AwsRetryAttempt(operation, attempt + 1, backoff, reason));
            await Clock.DelayAsync(TimeProvider, backoff, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="call"/>, which returns no value, with retries.</summary>
    internal Task ExecuteAsync(string operation, bool idempotent, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
        => ExecuteAsync(operation, idempotent, async ct =>
        {
            await call(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private TimeSpan Backoff(int attempt)
    {
        var exponential = BaseDelay.TotalSeconds * Math.Pow(2, attempt - 1);
        double jitter;
        lock (_gate) { jitter = _random.NextDouble(); }
        return TimeSpan.FromSeconds(jitter * Math.Min(exponential, MaxBackoff.TotalSeconds));
    }

    private static bool IsRetryable(Exception ex, bool idempotent, CancellationToken cancellationToken, out int cost, out string reason)
    {
        cost = 5;
        reason = ex.GetType().Name;
        switch (ex)
        {
            case AwsServiceException aws when aws.IsThrottling:
                reason = aws.ErrorCode;
                return true;
            case AwsServiceException aws when aws.IsTransient:
                reason = $"{aws.ErrorCode} (HTTP {aws.StatusCode})";
                return idempotent;
            case HttpRequestException:
                reason = "connection error";
                return idempotent;
            case TimeoutException:
            case OperationCanceledException when !cancellationToken.IsCancellationRequested:
                cost = 10;
                reason = "timeout";
                return idempotent;
            default:
                return false;
        }
    }

    private bool TryAcquire(int cost)
    {
        lock (_gate)
        {
            if (_quota < cost)
            {
                return false;
            }
            _quota -= cost;
            return true;
        }
    }

    private void Release(int amount)
    {
        if (amount == 0)
        {
            return;
        }
        lock (_gate) { _quota = Math.Min(QuotaCapacity, _quota + amount); }
    }
}
