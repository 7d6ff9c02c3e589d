using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>Simulated Elastic Load Balancing v2: load balancers with DNS names, target groups, paging by marker.</summary>
public sealed partial class SimulatedElbv2 : IElbv2Api
{
    private readonly SimulatedAws _aws;
    private readonly List<LoadBalancer> _loadBalancers = [];
    private readonly List<TargetGroup> _targetGroups = [];
    private readonly Dictionary<string, TargetGroupHealth> _health = new(StringComparer.Ordinal);

    internal SimulatedElbv2(SimulatedAws aws) => _aws = aws;

    /// <summary>Creates an application load balancer; returns it.</summary>
    public LoadBalancer CreateLoadBalancer(string name)
    {
        lock (_aws.Gate)
        {
            var id = Convert.ToHexStringLower(BitConverter.GetBytes(_aws.Random.NextInt64()))[..16];
            var loadBalancer = new LoadBalancer
            {
                LoadBalancerArn = _aws.Arn("elasticloadbalancing", $"loadbalancer/app/{name}/{id}"),
                LoadBalancerName = name,
                DNSName = $"{name}-{_aws.Random.Next(100000000, 999999999)}.{_aws.Region}.elb.amazonaws.com",
                Scheme = "internet-facing",
                Type = "application",
                State = "active",
            };
            _loadBalancers.Add(loadBalancer);
            return loadBalancer;
        }
    }

    /// <summary>Creates a target group routed from <paramref name="loadBalancerArn"/>; returns its ARN.</summary>
    public string CreateTargetGroup(string name, string loadBalancerArn, string healthCheckPath = "/health")
    {
        lock (_aws.Gate)
        {
            var id = Convert.ToHexStringLower(BitConverter.GetBytes(_aws.Random.NextInt64()))[..16];
            var group = new TargetGroup
            {
                TargetGroupArn = _aws.Arn("elasticloadbalancing", $"targetgroup/{name}/{id}"),
                TargetGroupName = name,
                LoadBalancerArns = [loadBalancerArn],
                HealthCheckPath = healthCheckPath,
            };
            _targetGroups.Add(group);
            return group.TargetGroupArn;
        }
    }

    /// <summary>
    /// Sets a target group's health check and deregistration delay (the defaults are an ALB's: 30 s interval, 5 s
    /// timeout, healthy threshold 5, unhealthy threshold 2, 300 s deregistration delay).
    /// </summary>
    public void SetTargetGroupHealth(string targetGroupArn, TargetGroupHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        lock (_aws.Gate) { _health[targetGroupArn] = health; }
    }

    /// <summary>A target group's health check settings and deregistration delay.</summary>
    internal TargetGroupHealth Health(string targetGroupArn)
    {
        lock (_aws.Gate) { return _health.GetValueOrDefault(targetGroupArn) ?? TargetGroupHealth.AlbDefaults; }
    }

    /// <summary>Deletes the load balancers that match <paramref name="predicate"/>.</summary>
    public void DeleteLoadBalancers(Func<LoadBalancer, bool> predicate)
    {
        lock (_aws.Gate) { _loadBalancers.RemoveAll(lb => predicate(lb)); }
    }

    internal IReadOnlyList<LoadBalancer> All { get { lock (_aws.Gate) { return [.. _loadBalancers]; } } }
    internal IReadOnlyList<TargetGroup> AllTargetGroups { get { lock (_aws.Gate) { return [.. _targetGroups]; } } }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> DescribeTargetGroupAttributesAsync(string targetGroupArn, CancellationToken cancellationToken)
        => Task.FromResult(TargetGroupAttributes(targetGroupArn));

    /// <summary>DescribeTargetGroupAttributes: the deregistration delay and the defaults of the other attributes.</summary>
    internal IReadOnlyDictionary<string, string> TargetGroupAttributes(string targetGroupArn)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetGroupArn);
        _aws.Enter("ELBv2", "DescribeTargetGroupAttributes");
        lock (_aws.Gate)
        {
            if (!_targetGroups.Any(g => g.TargetGroupArn == targetGroupArn))
            {
                throw new AwsServiceException("ELBv2", "DescribeTargetGroupAttributes", "TargetGroupNotFound", "One or more target groups not found", 400, _aws.NewRequestId());
            }
            var health = Health(targetGroupArn);
            IReadOnlyDictionary<string, string> attributes = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["deregistration_delay.timeout_seconds"] = ((int)health.DeregistrationDelay.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                ["stickiness.enabled"] = "false",
                ["load_balancing.algorithm.type"] = "round_robin",
                ["slow_start.duration_seconds"] = "0",
            };
            return attributes;
        }
    }

    private static TargetGroup WithSettings(TargetGroup group, TargetGroupHealth health) => group with
    {
        HealthCheckIntervalSeconds = (int)health.Interval.TotalSeconds,
        HealthCheckTimeoutSeconds = (int)health.Timeout.TotalSeconds,
        HealthyThresholdCount = health.HealthyThreshold,
        UnhealthyThresholdCount = health.UnhealthyThreshold,
    };
}

/// <summary>Simulated AWS Secrets Manager.</summary>
public sealed partial class SimulatedSecretsManager : ISecretsManagerApi
{
    private readonly SimulatedAws _aws;
    private readonly Dictionary<string, (string Arn, string Value)> _secrets = new(StringComparer.Ordinal);

    internal SimulatedSecretsManager(SimulatedAws aws) => _aws = aws;

    /// <summary>Creates a secret; returns its ARN (with the random six-character suffix AWS adds).</summary>
    public string CreateSecret(string name, string value)
    {
        lock (_aws.Gate)
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            var suffix = string.Concat(Enumerable.Range(0, 6).Select(_ => alphabet[_aws.Random.Next(alphabet.Length)]));
            var arn = _aws.Arn("secretsmanager", $"secret:{name}-{suffix}");
            _secrets[name] = (arn, value);
            _created[name] = _aws.Clock.GetUtcNow();
            return arn;
        }
    }

    /// <summary>Every secret value held (so tests can assert none of them leaks into output).</summary>
    public IReadOnlyList<string> AllValues { get { lock (_aws.Gate) { return [.. _secrets.Values.Select(s => s.Value)]; } } }

    /// <inheritdoc />
    public Task<SecretDescription> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        _aws.Enter("SecretsManager", "DescribeSecret");
        lock (_aws.Gate)
        {
            var (name, secret) = Find(secretId, "DescribeSecret");
            return Task.FromResult(new SecretDescription(secret.Arn, name));
        }
    }

    /// <inheritdoc />
    public Task<SecretValue> GetSecretValueAsync(string secretId, CancellationToken cancellationToken)
    {
        _aws.Enter("SecretsManager", "GetSecretValue");
        lock (_aws.Gate)
        {
            var (name, secret) = Find(secretId, "GetSecretValue");
            return Task.FromResult(new SecretValue(secret.Arn, name, secret.Value));
        }
    }

    /// <summary>
    /// Deletes a secret at once (as <c>delete-secret --force-delete-without-recovery</c> does); returns whether it existed.
    /// </summary>
    public bool DeleteSecret(string name)
    {
        lock (_aws.Gate) { return _secrets.Remove(name); }
    }

    /// <summary>
    /// What the ECS agent meets when it resolves a task's secret <paramref name="valueFrom"/> at launch: null when it
    /// resolves (the secret exists, and holds the JSON key when the reference names one), else why not.
    /// References to other services (SSM parameters) are not checked.
    /// </summary>
    internal void DeleteSecretReferencedBy(string valueFrom)
    {
        var arn = string.Join(':', valueFrom.Split(':').Take(7));
        lock (_aws.Gate)
        {
            foreach (var name in _secrets.Where(s => s.Value.Arn == arn || _aws.Arn("secretsmanager", $"secret:{s.Key}") == arn).Select(s => s.Key).ToList())
            {
                _secrets.Remove(name);
            }
        }
    }

    internal string? ResolveForTask(string valueFrom)
    {
        var parts = valueFrom.Split(':');
        if (parts.Length < 7 || parts[2] != "secretsmanager")
        {
            return null;
        }
        var arn = string.Join(':', parts[..7]);
        var jsonKey = parts.Length > 7 && parts[7].Length > 0 ? parts[7] : null;
        lock (_aws.Gate)
        {
            // The full ARN (with the six-character suffix), or the partial ARN naming the secret.
            var match = _secrets.FirstOrDefault(s => s.Value.Arn == arn || _aws.Arn("secretsmanager", $"secret:{s.Key}") == arn);
            if (match.Key is null)
            {
                return $"execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret {arn} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.";
            }
            if (jsonKey is not null && !HasJsonKey(match.Value.Value, jsonKey))
            {
                return $"execution resource retrieval failed: unable to retrieve secrets from ssm/asm: retrieved secret from Secrets Manager did not contain json key {jsonKey}";
            }
            return null;
        }
    }

    private static bool HasJsonKey(string value, string key)
    {
        try
        {
            using var json = JsonDocument.Parse(value);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(key, out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private (string Name, (string Arn, string Value) Secret) Find(string secretId, string operation)
    {
        foreach (var (name, secret) in _secrets)
        {
            if (name == secretId || secret.Arn == secretId)
            {
                return (name, secret);
            }
        }
        throw new AwsServiceException("SecretsManager", operation, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.", 400, _aws.NewRequestId());
    }
}

/// <summary>Simulated Amazon CloudWatch Logs: groups, streams and events, written by simulated tasks.</summary>
public sealed partial class SimulatedLogs : ICloudWatchLogsApi
{
    private readonly SimulatedAws _aws;
    private readonly Dictionary<(string Group, string Stream), List<OutputLogEvent>> _streams = [];
    private readonly SortedDictionary<string, int?> _groups = new(StringComparer.Ordinal);

    internal SimulatedLogs(SimulatedAws aws) => _aws = aws;

    /// <summary>Creates a log group (as Terraform does), with no retention (events never expire).</summary>
    public void CreateLogGroup(string name)
    {
        lock (_aws.Gate) { _groups.TryAdd(name, null); }
    }

    /// <summary>Whether a log group exists.</summary>
    public bool LogGroupExists(string name)
    {
        lock (_aws.Gate) { return _groups.ContainsKey(name); }
    }

    /// <summary>Deletes a log group and its streams.</summary>
    public void DeleteLogGroup(string name)
    {
        lock (_aws.Gate)
        {
            _groups.Remove(name);
            foreach (var key in _streams.Keys.Where(k => k.Group == name).ToList())
            {
                _streams.Remove(key);
            }
        }
    }

    /// <summary>A group's retention in days, or null when events never expire (or the group does not exist).</summary>
    public int? RetentionInDays(string group)
    {
        lock (_aws.Gate) { return _groups.GetValueOrDefault(group); }
    }

    /// <inheritdoc />
    public Task<DescribeLogGroupsResponse> DescribeLogGroupsAsync(DescribeLogGroupsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("Logs", "DescribeLogGroups");
        lock (_aws.Gate)
        {
            // Pages of 50 (the API's default), in name order; the token is the last name of the page before.
            var page = _groups
                .Where(g => request.LogGroupNamePrefix is null || g.Key.StartsWith(request.LogGroupNamePrefix, StringComparison.Ordinal))
                .Where(g => request.NextToken is null || string.CompareOrdinal(g.Key, request.NextToken) > 0)
                .Take(request.Limit ?? 50)
                .Select(g => new LogGroup(g.Key, g.Value, _aws.Arn("logs", $"log-group:{g.Key}:*")))
                .ToList();
            var more = page.Count == (request.Limit ?? 50);
            return Task.FromResult(new DescribeLogGroupsResponse(page, more ? page[^1].LogGroupName : null));
        }
    }

    /// <inheritdoc />
    public Task PutRetentionPolicyAsync(PutRetentionPolicyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("Logs", "PutRetentionPolicy");
        lock (_aws.Gate)
        {
            if (!LogRetentionPeriods.Allowed.Contains(request.RetentionInDays))
            {
                throw new AwsServiceException("Logs", "PutRetentionPolicy", "InvalidParameterException",
                    $"1 validation error detected: Value '{request.RetentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set", 400, _aws.NewRequestId());
            }
            if (!_groups.ContainsKey(request.LogGroupName))
            {
                throw new AwsServiceException("Logs", "PutRetentionPolicy", "ResourceNotFoundException", "The specified log group does not exist.", 400, _aws.NewRequestId());
            }
            _groups[request.LogGroupName] = request.RetentionInDays;
        }
        return Task.CompletedTask;
    }

    /// <summary>Appends events to a stream (creating it).</summary>
    public void Append(string group, string stream, DateTimeOffset at, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        lock (_aws.Gate)
        {
            if (!_streams.TryGetValue((group, stream), out var events))
            {
                _streams[(group, stream)] = events = [];
            }
            _groups.TryAdd(group, null);
            events.AddRange(lines.Select(l => new OutputLogEvent(at, l)));
        }
    }

    /// <inheritdoc />
    public Task<GetLogEventsResponse> GetLogEventsAsync(GetLogEventsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("Logs", "GetLogEvents");
        lock (_aws.Gate)
        {
            if (!_streams.TryGetValue((request.LogGroupName, request.LogStreamName), out var events))
            {
                throw new AwsServiceException("Logs", "GetLogEvents", "ResourceNotFoundException", "The specified log stream does not exist.", 400, _aws.NewRequestId());
            }
            return Task.FromResult(LogEventPages.Page(events, request)
                ?? throw new AwsServiceException("Logs", "GetLogEvents", "InvalidParameterException", "The specified nextToken is invalid.", 400, _aws.NewRequestId()));
        }
    }
}

/// <summary>Simulated Terraform outputs (as <c>terraform output -json</c> would print them).</summary>
public sealed class SimulatedTerraform : ITerraformOutputs
{
    private readonly Dictionary<string, TerraformOutput> _outputs = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Source => "simulated Terraform state";

    /// <summary>Sets a string output.</summary>
    public void Set(string name, string value, bool sensitive = false)
    {
        lock (_outputs) { _outputs[name] = new TerraformOutput(JsonSerializer.SerializeToElement(value), sensitive); }
    }

    /// <summary>Removes an output.</summary>
    public void Remove(string name)
    {
        lock (_outputs) { _outputs.Remove(name); }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, TerraformOutput>?> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_outputs) { return Task.FromResult<IReadOnlyDictionary<string, TerraformOutput>?>(new Dictionary<string, TerraformOutput>(_outputs)); }
    }

    /// <summary>The outputs as a Terraform state file (format version 4) holds them, for a pipeline on <c>--target aws</c>
    /// whose Terraform source is that file (samples/local-aws.cs writes it).</summary>
    public string ToStateJson()
    {
        lock (_outputs)
        {
            var outputs = _outputs.ToDictionary(o => o.Key, o => new { value = o.Value.Value, type = "string", sensitive = o.Value.Sensitive }, StringComparer.Ordinal);
            return JsonSerializer.Serialize(new { version = 4, terraform_version = "1.9.0", serial = 1, lineage = "ecsdeploy-simulated", outputs, resources = Array.Empty<object>() });
        }
    }
}

/// <summary>The Ollama server behind the simulated Ollama load balancer.</summary>
public sealed class SimulatedOllama
{
    /// <summary>The models <c>/api/tags</c> lists.</summary>
    public List<string> Models { get; } = ["llama3.2:1b"];
}
