using EcsDeploy.Aws;
using EcsDeploy.Testing.Ecs;

namespace EcsDeploy.Testing;

// ECS's native deployment strategies (BLUE_GREEN, LINEAR, CANARY): the operations that act on a running service
// deployment, the alarms a test sets, and the traffic shares it asserts on. The lifecycle runs in Ecs/StrategyEngine.cs.
public sealed partial class SimulatedEcs
{
    /// <summary>ContinueServiceDeployment: resumes a deployment paused at a PAUSE hook (CONTINUE, the default), or rolls it back (ROLLBACK).</summary>
    public Task<ContinueServiceDeploymentResponse> ContinueServiceDeploymentAsync(ContinueServiceDeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "ContinueServiceDeployment");
        lock (_aws.Gate)
        {
            _world.Advance();
            var action = request.Action ?? LifecycleHookActions.Continue;
            if (action is not (LifecycleHookActions.Continue or LifecycleHookActions.Rollback))
            {
                throw new AwsServiceException("ECS", "ContinueServiceDeployment", "InvalidParameterException", $"action must be CONTINUE or ROLLBACK, not '{action}'.", 400, _aws.NewRequestId());
            }
            var run = Run("ContinueServiceDeployment", request.ServiceDeploymentArn);
            if (run.Ended || run.RollbackRequested is not null)
            {
                throw _world.Client("ContinueServiceDeployment", $"The service deployment is {run.Record.Status}: it is not paused at a lifecycle hook.");
            }
            _world.Strategies.Continue(run, request.HookId, action, message => _world.Client("ContinueServiceDeployment", message));
            return Task.FromResult(new ContinueServiceDeploymentResponse(request.ServiceDeploymentArn));
        }
    }

    /// <summary>StopServiceDeployment: rolls a native deployment in progress back to the revision it replaces (ROLLBACK).</summary>
    public Task<StopServiceDeploymentResponse> StopServiceDeploymentAsync(StopServiceDeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "StopServiceDeployment");
        lock (_aws.Gate)
        {
            _world.Advance();
            if (request.StopType is not (null or StopTypes.Rollback))
            {
                throw new AwsServiceException("ECS", "StopServiceDeployment", "UnsupportedFeatureException", $"Stop type {request.StopType} is not supported here: use ROLLBACK.", 400, _aws.NewRequestId());
            }
            var run = Run("StopServiceDeployment", request.ServiceDeploymentArn);
            if (run.Record.Status is ServiceDeploymentStatuses.RollbackRequested or ServiceDeploymentStatuses.RollbackInProgress)
            {
                // As ECS: stopping a deployment that is rolling back lets the rollback go on.
                return Task.FromResult(new StopServiceDeploymentResponse(request.ServiceDeploymentArn));
            }
            if (run.Ended || run.Record.IsFinished)
            {
                throw new AwsServiceException("ECS", "StopServiceDeployment", "ConflictException", $"The service deployment is {run.Record.Status}: there is nothing to stop.", 400, _aws.NewRequestId());
            }
            _world.Strategies.Stop(run);
            return Task.FromResult(new StopServiceDeploymentResponse(request.ServiceDeploymentArn));
        }
    }

    /// <summary>
    /// Sets a CloudWatch alarm's state in <see cref="SimulatedAws.CloudWatch"/> (ALARM or OK): in ALARM, it rolls back any
    /// native deployment that watches it. The alarm must exist (<see cref="SimulatedCloudWatch.PutMetricAlarm"/>).
    /// </summary>
    public void SetAlarm(string alarmName, bool inAlarm)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            if (!_aws.CloudWatch.Set(alarmName, inAlarm ? AlarmStates.Alarm : AlarmStates.Ok, "Set by a test"))
            {
                throw new InvalidOperationException($"CloudWatch has no alarm '{alarmName}': create it first with aws.CloudWatch.PutMetricAlarm(...).");
            }
        }
    }

    /// <summary>From now on, the alarms a native deployment watches go into ALARM when it starts to bake (fault alarm-during-bake).</summary>
    internal void AlarmsFireDuringBake()
    {
        lock (_aws.Gate)
        {
            _world.Strategies.AlarmsFireDuringBake = true;
        }
    }

    /// <summary>What a Lambda lifecycle hook answers, by function ARN and stage: SUCCEEDED (the default), FAILED, or IN_PROGRESS.</summary>
    public Func<string, string, string> LambdaHookAnswer
    {
        get { lock (_aws.Gate) { return _world.Strategies.LambdaAnswer; } }
        set { lock (_aws.Gate) { _world.Strategies.LambdaAnswer = value; } }
    }

    /// <summary>The new revision's traffic shares over the latest native deployment of a service, in order (for assertions).</summary>
    public IReadOnlyList<TrafficShare> TrafficHistory(string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.Strategies.Runs.LastOrDefault(r => r.Service.Name == serviceName)?.History.ToList() ?? [];
        }
    }

    /// <summary>The lifecycle stages the latest native deployment of a service entered, with when (for assertions and benchmarks).</summary>
    public IReadOnlyList<LifecycleStageChange> LifecycleHistory(string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.Strategies.Runs.LastOrDefault(r => r.Service.Name == serviceName)?.Stages.ToList() ?? [];
        }
    }

    /// <summary>The task definition of the revision the test listener of a native deployment sends traffic to now, or null.</summary>
    internal string? TestTrafficRevision(string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.Strategies.Runs.LastOrDefault(r => r.Service.Name == serviceName) is { Ended: false, TestPercent: > 0 } run ? run.Target.TaskDefinition : null;
        }
    }

    /// <summary>
    /// The revision that answers the next request on a service's production listener: with a native deployment under way,
    /// as the production listener rule's weights say; else null (the service's primary revision answers).
    /// </summary>
    internal string? ProductionRevision(string serviceName)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.Strategies.ProductionRevision(serviceName);
        }
    }

    /// <summary>Whether a revision of a service has a RUNNING healthy task.</summary>
    internal bool IsServing(string serviceName, string taskDefinitionArn)
    {
        lock (_aws.Gate)
        {
            _world.Advance();
            return _world.Tasks.Any(t => t.ServiceName == serviceName && t.TaskDefinitionArn == taskDefinitionArn && t.LastStatus == TaskStatuses.Running && t.Healthy);
        }
    }

    /// <summary>
    /// Gives a service what blue/green, linear and canary deployments need (as Terraform would): a second target group on its
    /// load balancer, a production listener rule (port 80) and a test listener rule on <paramref name="testPort"/>, where
    /// only the new revision of a deployment answers, and the infrastructure role.
    /// </summary>
    public TrafficShifting AddTrafficShifting(string cluster, string serviceName, int testPort = 8080)
    {
        string targetGroup;
        lock (_aws.Gate)
        {
            targetGroup = _world.Find(cluster, serviceName, "UpdateService").LoadBalancers.FirstOrDefault()?.TargetGroupArn
                ?? throw new InvalidOperationException($"Service {serviceName} has no load balancer.");
        }
        var group = _aws.Elbv2.AllTargetGroups.Single(g => g.TargetGroupArn == targetGroup);
        var loadBalancer = _aws.Elbv2.All.Single(lb => lb.LoadBalancerArn == group.LoadBalancerArns[0]);
        var alternate = _aws.Elbv2.CreateTargetGroup(group.TargetGroupName + "-2", loadBalancer.LoadBalancerArn, group.HealthCheckPath ?? "/health");
        var listenerPath = loadBalancer.LoadBalancerArn[(loadBalancer.LoadBalancerArn.IndexOf("loadbalancer/", StringComparison.Ordinal) + 13)..];
        var role = _aws.Arn("iam", "role/ecs-infrastructure").Replace($":{_aws.Region}", "", StringComparison.Ordinal);
        lock (_aws.Gate)
        {
            _world.Strategies.TestListeners[(loadBalancer.DNSName, testPort)] = serviceName;
        }
        var shifting = new TrafficShifting(alternate,
            _aws.Arn("elasticloadbalancing", $"listener-rule/{listenerPath}/80a1b2c3d4e5f6a7/1a2b3c4d5e6f7a8b"),
            _aws.Arn("elasticloadbalancing", $"listener-rule/{listenerPath}/{testPort:x4}b2c3d4e5f6a7/2b3c4d5e6f7a8b9c"), role, testPort);
        _aws.Elbv2.AddShiftingRules(cluster, serviceName, targetGroup, alternate, shifting.ProductionListenerRule, shifting.TestListenerRule, testPort);
        return shifting;
    }

    /// <summary>The service behind a test listener (load balancer DNS name and port), or null.</summary>
    internal string? TestListenerService(string host, int port)
    {
        lock (_aws.Gate)
        {
            return _world.Strategies.TestListeners.GetValueOrDefault((host, port));
        }
    }

    private SimStrategyRun Run(string operation, string arn)
        => _world.Strategies.Find(arn)
            ?? (_world.ServiceDeployments.All.Any(d => d.Arn == arn)
                ? throw new AwsServiceException("ECS", operation, "InvalidParameterException", $"The service deployment {arn} does not use a BLUE_GREEN, LINEAR or CANARY strategy.", 400, _aws.NewRequestId())
                : throw new AwsServiceException("ECS", operation, "ServiceDeploymentNotFoundException", $"The service deployment {arn} does not exist.", 400, _aws.NewRequestId()));
}

/// <summary>What a service needs for blue/green, linear and canary deployments, as <see cref="SimulatedEcs.AddTrafficShifting"/> made it.</summary>
/// <param name="AlternateTargetGroupArn">The second target group, on the service's load balancer.</param>
/// <param name="ProductionListenerRule">The production listener rule.</param>
/// <param name="TestListenerRule">The test listener rule.</param>
/// <param name="RoleArn">The infrastructure role ECS changes the rules with.</param>
/// <param name="TestPort">The test listener's port on the service's load balancer.</param>
public sealed record TrafficShifting(string AlternateTargetGroupArn, string ProductionListenerRule, string TestListenerRule, string RoleArn, int TestPort);

/// <summary>The production and test traffic shares of the new revision at one moment (for assertions).</summary>
/// <param name="At">When the shares changed.</param>
/// <param name="Stage">The lifecycle stage then.</param>
/// <param name="ProductionPercent">The new revision's share of production traffic.</param>
/// <param name="TestPercent">The new revision's share of test traffic.</param>
public sealed record TrafficShare(DateTimeOffset At, string Stage, double ProductionPercent, double TestPercent);

/// <summary>A native deployment entering a lifecycle stage (for assertions and benchmarks).</summary>
/// <param name="At">When it entered the stage.</param>
/// <param name="Stage">The stage (<c>SCALE_UP</c>, <c>BAKE_TIME</c>, <c>CLEAN_UP</c>, ...).</param>
public sealed record LifecycleStageChange(DateTimeOffset At, string Stage);
