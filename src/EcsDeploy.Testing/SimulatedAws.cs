using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>One API call the simulated AWS received.</summary>
public sealed record AwsCall(string Service, string Operation, DateTimeOffset At, bool Throttled);

/// <summary>
/// A simulated AWS account and region: ECS (deployments, tasks, the circuit breaker, events), ECR and its
/// registry, ELBv2, Secrets Manager, CloudWatch Logs, CloudWatch alarms, IAM roles, Application Auto Scaling and Terraform outputs, all on a <see cref="VirtualClock"/>.
/// Use it in tests (<see cref="CreateEnvironment"/>) and as the scripts' <c>--target local</c>.
/// </summary>
public sealed class SimulatedAws
{
    private readonly List<AwsCall> _calls = [];
    private readonly Queue<DateTimeOffset> _recentCalls = new();
    private readonly Dictionary<string, long> _callsPerOperation = new(StringComparer.Ordinal);
    private int _seeding;

    /// <summary>Within the returned scope, calls (made by seeding) are neither recorded nor throttled.</summary>
    internal IDisposable Seeding()
    {
        Interlocked.Increment(ref _seeding);
        return new Scope(() => Interlocked.Decrement(ref _seeding));
    }

    private sealed class Scope(Action onDispose) : IDisposable
    {
        public void Dispose() => onDispose();
    }

    /// <summary>Creates an empty simulated account.</summary>
    public SimulatedAws(string region = "eu-central-1", string accountId = "123456789012", VirtualClock? clock = null, int seed = 1)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(region, @"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            throw new ArgumentException($"'{region}' is not an AWS region (for example eu-central-1).", nameof(region));
        }
        Region = region;
        AccountId = accountId;
        Clock = clock ?? new VirtualClock();
        Random = new Random(seed);
        Ecs = new SimulatedEcs(this);
        Ecr = new SimulatedEcr(this);
        Elbv2 = new SimulatedElbv2(this);
        SecretsManager = new SimulatedSecretsManager(this);
        Logs = new SimulatedLogs(this);
        Iam = new SimulatedIam(this);
        CloudWatch = new SimulatedCloudWatch(this);
        AutoScaling = new SimulatedApplicationAutoScaling(this);
        Terraform = new SimulatedTerraform();
        Ollama = new SimulatedOllama();
        Application = new SimulatedApplication();
        Faults = new FaultScenarios(this);
        Clock.Advanced += _ =>
        {
            Ecs.AdvanceWorld();
            Ecr.AdvanceWorld();
        };
    }

    internal Lock Gate { get; } = new();
    internal Random Random { get; }

    /// <summary>The region.</summary>
    public string Region { get; }
    /// <summary>The account id in every ARN.</summary>
    public string AccountId { get; }
    /// <summary>The virtual clock everything runs on.</summary>
    public VirtualClock Clock { get; }
    /// <summary>Amazon ECS.</summary>
    public SimulatedEcs Ecs { get; }
    /// <summary>Amazon ECR and its image registry.</summary>
    public SimulatedEcr Ecr { get; }
    /// <summary>Elastic Load Balancing v2.</summary>
    public SimulatedElbv2 Elbv2 { get; }
    /// <summary>AWS Secrets Manager.</summary>
    public SimulatedSecretsManager SecretsManager { get; }
    /// <summary>Amazon CloudWatch Logs.</summary>
    public SimulatedLogs Logs { get; }
    /// <summary>IAM roles and their trust policies.</summary>
    public SimulatedIam Iam { get; }
    /// <summary>Amazon CloudWatch alarms (the ones blue/green, linear and canary deployments watch).</summary>
    public SimulatedCloudWatch CloudWatch { get; }
    /// <summary>Application Auto Scaling (scalable targets of ECS services).</summary>
    public SimulatedApplicationAutoScaling AutoScaling { get; }
    /// <summary>Terraform outputs.</summary>
    public SimulatedTerraform Terraform { get; }
    /// <summary>The Ollama server behind the Ollama load balancer.</summary>
    public SimulatedOllama Ollama { get; }
    /// <summary>What the backend application answers behind its load balancer.</summary>
    public SimulatedApplication Application { get; }
    /// <summary>Named failure scenarios.</summary>
    public FaultScenarios Faults { get; }

    /// <summary>Every call received, in order.</summary>
    public IReadOnlyList<AwsCall> Calls { get { lock (_calls) { return [.. _calls]; } } }

    /// <summary>The calls of one operation, for example <c>CallsTo("UpdateService")</c>.</summary>
    public IReadOnlyList<AwsCall> CallsTo(string operation) => [.. Calls.Where(c => c.Operation == operation)];

    /// <summary>
    /// Throttling: when set, more than this many calls in one second of virtual time are refused with
    /// ThrottlingException (a token bucket, as AWS applies per API).
    /// </summary>
    public int? CallsPerSecondLimit { get; set; }

    /// <summary>
    /// Throttling by share: when set to N, every Nth call of each operation is refused with ThrottlingException, so a
    /// client that retries (as the SDKs' standard mode does) gets through on its next attempt. Counted per operation, as
    /// AWS throttles each API action on its own: calls made side by side (a preflight's reads) do not take each
    /// other's turns, so the outcome does not depend on how they interleave.
    /// </summary>
    public int? ThrottleEveryNthCall { get; set; }

    /// <summary>
    /// Operations the caller's IAM policy does not allow (for example <c>"GetSecretValue"</c>): each call of one is
    /// refused as AWS refuses it (<c>AccessDenied</c> from IAM, <c>AccessDeniedException</c> from the JSON services).
    /// </summary>
    public ISet<string> DeniedOperations { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>An environment whose ports go through the standard retry policy, as a pipeline run uses.</summary>
    public AwsEnvironment CreateEnvironment(AwsRetryPolicy? retryPolicy = null) => AwsEnvironment.Create(
        Region, Ecs, Ecr, Elbv2, SecretsManager, Logs,
        _ => Task.FromResult<IImageRegistry>(Ecr.Registry),
        Terraform, new SimulatedHttpHandler(this), Clock, "simulated AWS",
        retryPolicy ?? new AwsRetryPolicy(Clock, random: new Random(7)), isLocal: true, iam: Iam, autoScaling: AutoScaling, cloudWatch: CloudWatch);

    /// <summary>Records a call, brings the world up to now, and applies throttling. Every simulated operation starts here.</summary>
    internal void Enter(string service, string operation)
    {
        if (_seeding > 0)
        {
            Ecs.AdvanceWorld();
            Ecr.AdvanceWorld();
            return;
        }
        var now = Clock.GetUtcNow();
        var throttled = false;
        lock (_recentCalls)
        {
            while (_recentCalls.Count > 0 && _recentCalls.Peek() <= now - TimeSpan.FromSeconds(1))
            {
                _recentCalls.Dequeue();
            }
            var callNumber = _callsPerOperation[service + ":" + operation] = _callsPerOperation.GetValueOrDefault(service + ":" + operation) + 1;
            if (CallsPerSecondLimit is { } limit && _recentCalls.Count >= limit)
            {
                throttled = true;
            }
            else if (ThrottleEveryNthCall is { } n && callNumber % n == 0)
            {
                throttled = true;
            }
            else
            {
                _recentCalls.Enqueue(now);
            }
        }
        lock (_calls) { _calls.Add(new AwsCall(service, operation, now, throttled)); }
        if (throttled)
        {
            throw new AwsServiceException(service, operation, "ThrottlingException", "Rate exceeded", 400, NewRequestId());
        }
        if (DeniedOperations.Contains(operation))
        {
            var prefix = service switch { "ELBv2" => "elasticloadbalancing", "Registry" => "ecr", _ => service.ToLowerInvariant() };
            throw new AwsServiceException(service, operation, service == "IAM" ? "AccessDenied" : "AccessDeniedException",
                $"User: arn:aws:iam::{AccountId}:user/deployer is not authorized to perform: {prefix}:{operation} because no identity-based policy allows the {prefix}:{operation} action", 403, NewRequestId());
        }
        Ecs.AdvanceWorld();
        Ecr.AdvanceWorld();
    }

    internal string NewRequestId()
    {
        lock (Gate) { return Guid.CreateVersion7(Clock.GetUtcNow()).ToString(); }
    }

    internal string Arn(string service, string resource) => $"arn:aws:{service}:{Region}:{AccountId}:{resource}";
}
