using System.Reflection;
using System.Runtime.ExceptionServices;

namespace EcsDeploy.Aws;

/// <summary>A retry that is about to happen, for reporting.</summary>
public sealed record AwsRetryAttempt(string Operation, int Attempt, TimeSpan Delay, string Reason);

/// <summary>
/// The AWS SDKs' "standard" retry mode: a bounded number of attempts, exponential backoff with full jitter
/// (delay = random x min(base x 2^(n-1), 20 s)), retries on throttling, transient and 5xx errors, and a
/// retry quota (500 tokens, 5 per retry, 10 after a timeout, 1 back per first-try success) so that an
/// outage does not multiply traffic. One instance is shared by all the ports of an environment.
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
        for (var attempt = 1; ; attempt++)
        {
            int cost;
            string reason;
            try
            {
                var result = await call(cancellationToken).ConfigureAwait(false);
                Release(attempt == 1 ? 1 : 0);
                return result;
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsRetryable(ex, idempotent, cancellationToken, out cost, out reason))
            {
                if (!TryAcquire(cost))
                {
                    throw;
                }
            }

            var backoff = Backoff(attempt);
            RetriesMade++;
            OnRetry?.Invoke(new AwsRetryAttempt(operation, attempt + 1, backoff, reason));
            await Clock.DelayAsync(TimeProvider, backoff, cancellationToken).ConfigureAwait(false);
        }
    }

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

/// <summary>Wraps any port interface so that every call goes through one <see cref="AwsRetryPolicy"/>.</summary>
public static class AwsRetry
{
    /// <summary>Returns <paramref name="inner"/> wrapped with retries.</summary>
    public static TPort Wrap<TPort>(TPort inner, AwsRetryPolicy policy) where TPort : class
    {
        ArgumentNullException.ThrowIfNull(inner);
        var proxy = DispatchProxy.Create<TPort, RetryingProxy<TPort>>();
        var retrying = (RetryingProxy<TPort>)(object)proxy;
        retrying.Inner = inner;
        retrying.Policy = policy;
        return proxy;
    }
}

/// <summary>The DispatchProxy behind <see cref="AwsRetry.Wrap{TPort}"/>. Public only because DispatchProxy requires it.</summary>
public class RetryingProxy<TPort> : DispatchProxy where TPort : class
{
    private static readonly MethodInfo ExecuteTyped = typeof(RetryingProxy<TPort>).GetMethod(nameof(ExecuteTypedAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;

    internal TPort Inner { get; set; } = null!;
    internal AwsRetryPolicy Policy { get; set; } = null!;

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var returnType = targetMethod.ReturnType;
        if (returnType == typeof(Task))
        {
            return ExecuteVoidAsync(targetMethod, args);
        }
        if (!returnType.IsGenericType || returnType.GetGenericTypeDefinition() != typeof(Task<>))
        {
            return InvokeInner(targetMethod, args);
        }
        var resultType = returnType.GetGenericArguments()[0];
        return ExecuteTyped.MakeGenericMethod(resultType).Invoke(this, [targetMethod, args]);
    }

    private async Task ExecuteVoidAsync(MethodInfo method, object?[]? args)
        => await ExecuteAsync<bool>(method, args, async () => { await ((Task)InvokeInner(method, args)!).ConfigureAwait(false); return true; }).ConfigureAwait(false);

    private Task<T> ExecuteTypedAsync<T>(MethodInfo method, object?[]? args) => ExecuteAsync(method, args, () => (Task<T>)InvokeInner(method, args)!);

    private Task<T> ExecuteAsync<T>(MethodInfo method, object?[]? args, Func<Task<T>> call)
    {
        var tokenIndex = Array.FindIndex(method.GetParameters(), p => p.ParameterType == typeof(CancellationToken));
        var token = tokenIndex >= 0 && args is not null ? (CancellationToken)args[tokenIndex]! : CancellationToken.None;
        var operation = method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name;

        // A stream argument is re-sent from where it started; one that cannot seek can be sent only once.
        var streams = (args ?? []).OfType<Stream>().Select(s => (Stream: s, Start: s.CanSeek ? s.Position : -1)).ToList();
        if (streams.Any(s => s.Start < 0))
        {
            return call();
        }
        var idempotent = method.GetCustomAttribute<NotIdempotentAttribute>() is null;
        var first = true;
        return Policy.ExecuteAsync(operation, idempotent, _ =>
        {
            if (!first)
            {
                foreach (var (stream, start) in streams)
                {
                    stream.Position = start;
                }
            }
            first = false;
            return call();
        }, token);
    }

    private object? InvokeInner(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(Inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
