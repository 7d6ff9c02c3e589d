using EcsDeploy.Aws;

namespace EcsDeploy.Testing.Ecs;

/// <summary>
/// The service deployments of the simulated ECS, as DescribeServiceDeployments and ListServiceDeployments show them.
/// Every rollout is one: CreateService (seeding) makes a SUCCESSFUL one, UpdateService with a new task definition or a
/// forced deployment an IN_PROGRESS one that ends SUCCESSFUL; a newer one stops an unfinished one (STOPPED); the
/// circuit breaker turns it ROLLBACK_IN_PROGRESS (with the rollback's reason, start and revision) and then
/// ROLLBACK_SUCCESSFUL, or ROLLBACK_FAILED when the rollback fails too, or STOPPED when the breaker does not roll back.
/// The scheduler reports what happens through the On* members; every member is called under <see cref="SimulatedAws.Gate"/>.
/// </summary>
internal sealed class ServiceDeploymentLedger(EcsWorld world)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string MixedAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Every service deployment, oldest first.</summary>
    public List<SimServiceDeployment> All { get; } = [];

    /// <summary>The service deployments of <paramref name="service"/>, newest first.</summary>
    public IEnumerable<SimServiceDeployment> Of(SimService service)
        => All.Where(d => ReferenceEquals(d.Service, service)).Reverse();

    /// <summary>The newest service deployment of <paramref name="service"/> (its <c>currentServiceDeployment</c>).</summary>
    public SimServiceDeployment? Current(SimService service) => Of(service).FirstOrDefault();

    /// <summary>The service revision ARN of a deployment: ECS numbers revisions as it numbers deployments (<c>ecs-svc/N</c>).</summary>
    public string RevisionArn(SimService service, SimDeployment deployment)
        => world.Aws.Arn("ecs", $"service-revision/{service.Cluster}/{service.Name}/{deployment.Id["ecs-svc/".Length..]}");

    /// <summary>CreateService: the first deployment, already complete (the seeded service runs its tasks).</summary>
    public SimServiceDeployment OnCreatedComplete(SimService service, SimDeployment deployment)
    {
        var created = New(service, deployment);
        created.StartedAt = created.FinishedAt = world.Now;
        created.Status = ServiceDeploymentStatuses.Successful;
        created.BreakerStatus = BreakerOn(service) ? RollbackMonitorStatuses.MonitoringComplete : RollbackMonitorStatuses.Disabled;
        created.FrozenCounts = Counts(service);
        return created;
    }

    /// <summary>UpdateService started <paramref name="deployment"/>: a new service deployment; an unfinished older one stops.</summary>
    public SimServiceDeployment OnStarted(SimService service, SimDeployment deployment)
    {
        foreach (var unfinished in Of(service).Where(d => !d.IsFinished))
        {
            Finish(unfinished, ServiceDeploymentStatuses.Stopped, $"A newer service deployment of the service replaced it.");
        }
        var created = New(service, deployment);
        foreach (var source in service.Deployments.Where(d => d != deployment))
        {
            created.Sources.Add((source, source.Status == DeploymentStatuses.Primary ? service.DesiredCount : source.DesiredCount));
        }
        // The simulated scheduler picks a deployment up at once: PENDING lasts no time here.
        created.Status = ServiceDeploymentStatuses.InProgress;
        created.StartedAt = world.Now;
        created.BreakerStatus = BreakerOn(service) ? RollbackMonitorStatuses.Monitoring : RollbackMonitorStatuses.Disabled;
        return created;
    }

    /// <summary>The circuit breaker tripped on <paramref name="failed"/>; <paramref name="rollbackTo"/> is where it rolls back to, if it does.</summary>
    public void OnBreakerTripped(SimService service, SimDeployment failed, SimDeployment? rollbackTo)
    {
        var reason = failed.RolloutStateReason ?? "ECS deployment circuit breaker: tasks failed to start.";
        foreach (var record in Of(service).Where(d => !d.IsFinished))
        {
            if (record.Status == ServiceDeploymentStatuses.RollbackInProgress && record.RollbackTarget == failed)
            {
                // The rollback itself failed.
                record.BreakerStatus = RollbackMonitorStatuses.Triggered;
                Finish(record, ServiceDeploymentStatuses.RollbackFailed, reason);
            }
            else if (record.Target == failed)
            {
                record.BreakerStatus = RollbackMonitorStatuses.Triggered;
                record.FrozenFailureCount = failed.FailedTasks;
                if (rollbackTo is null)
                {
                    Finish(record, ServiceDeploymentStatuses.Stopped, reason);
                }
                else
                {
                    record.Status = ServiceDeploymentStatuses.RollbackInProgress;
                    record.StatusReason = reason;
                    record.RollbackTarget = rollbackTo;
                    record.RollbackReason = reason;
                    record.RollbackStartedAt = world.Now;
                    record.UpdatedAt = world.Now;
                }
            }
        }
    }

    /// <summary><paramref name="primary"/> completed: its rollout is SUCCESSFUL, or the rollback to it is ROLLBACK_SUCCESSFUL.</summary>
    public void OnCompleted(SimService service, SimDeployment primary)
    {
        foreach (var record in Of(service).Where(d => !d.IsFinished))
        {
            if (record.Status == ServiceDeploymentStatuses.RollbackInProgress && record.RollbackTarget == primary)
            {
                Finish(record, ServiceDeploymentStatuses.RollbackSuccessful, $"Rolled back to service revision {RevisionArn(service, primary)}.");
            }
            else if (record.Target == primary && record.Status == ServiceDeploymentStatuses.InProgress)
            {
                if (record.BreakerStatus == RollbackMonitorStatuses.Monitoring)
                {
                    record.BreakerStatus = RollbackMonitorStatuses.MonitoringComplete;
                }
                record.FrozenFailureCount = primary.FailedTasks;
                Finish(record, ServiceDeploymentStatuses.Successful, null);
            }
        }
    }

    /// <summary>A service deployment as DescribeServiceDeployments shows it.</summary>
    public ServiceDeployment Describe(SimServiceDeployment record)
    {
        var service = record.Service;
        var counts = record.FrozenCounts ?? Counts(service);
        ServiceRevisionSummary Summary(SimDeployment deployment, int requested)
        {
            var (running, pending) = counts.GetValueOrDefault(deployment.Id);
            return new ServiceRevisionSummary
            {
                Arn = RevisionArn(service, deployment),
                RequestedTaskCount = requested,
                RunningTaskCount = running,
                PendingTaskCount = pending,
            };
        }
        return new ServiceDeployment
        {
            ServiceDeploymentArn = record.Arn,
            ServiceArn = service.Arn,
            ClusterArn = world.Clusters[service.Cluster],
            CreatedAt = record.CreatedAt,
            StartedAt = record.StartedAt,
            FinishedAt = record.FinishedAt,
            StoppedAt = record.StoppedAt,
            UpdatedAt = record.UpdatedAt,
            SourceServiceRevisions = [.. record.Sources.Select(s => Summary(s.Deployment, s.RequestedTaskCount))],
            TargetServiceRevision = Summary(record.Target, service.DesiredCount),
            Status = record.Status,
            StatusReason = record.StatusReason,
            LifecycleStage = record.LifecycleStage,
            DeploymentConfiguration = record.Configuration,
            Rollback = record.RollbackTarget is null ? null : new ServiceDeploymentRollback
            {
                Reason = record.RollbackReason,
                StartedAt = record.RollbackStartedAt,
                ServiceRevisionArn = RevisionArn(service, record.RollbackTarget),
            },
            DeploymentCircuitBreaker = new ServiceDeploymentCircuitBreaker
            {
                Status = record.BreakerStatus,
                FailureCount = record.FrozenFailureCount ?? record.Target.FailedTasks,
                Threshold = record.BreakerThreshold,
            },
            Alarms = new ServiceDeploymentAlarms { Status = RollbackMonitorStatuses.Disabled, AlarmNames = [], TriggeredAlarmNames = [] },
        };
    }

    /// <summary>A service deployment as ListServiceDeployments shows it.</summary>
    public ServiceDeploymentBrief Brief(SimServiceDeployment record) => new()
    {
        ServiceDeploymentArn = record.Arn,
        ServiceArn = record.Service.Arn,
        ClusterArn = world.Clusters[record.Service.Cluster],
        StartedAt = record.StartedAt,
        CreatedAt = record.CreatedAt,
        FinishedAt = record.FinishedAt,
        TargetServiceRevisionArn = RevisionArn(record.Service, record.Target),
        Status = record.Status,
        StatusReason = record.StatusReason,
    };

    /// <summary>Ends <paramref name="record"/> in a completed status, freezing its task counts.</summary>
    public void Finish(SimServiceDeployment record, string status, string? reason)
    {
        record.Status = status;
        record.StatusReason = reason ?? record.StatusReason;
        record.UpdatedAt = world.Now;
        if (status == ServiceDeploymentStatuses.Stopped)
        {
            record.StoppedAt = world.Now;
        }
        else
        {
            record.FinishedAt = world.Now;
        }
        record.FrozenFailureCount ??= record.Target.FailedTasks;
        if (record.BreakerStatus == RollbackMonitorStatuses.Monitoring)
        {
            record.BreakerStatus = RollbackMonitorStatuses.MonitoringComplete;
        }
        record.FrozenCounts = Counts(record.Service);
    }

    private SimServiceDeployment New(SimService service, SimDeployment deployment)
    {
        // ECS's service deployment ids look like NCWGC2ZR-taawPAYrIaU5: 8 capitals and digits, a hyphen, 12 mixed.
        var id = Random(Alphabet, 8) + "-" + Random(MixedAlphabet, 12);
        var record = new SimServiceDeployment(world.Aws.Arn("ecs", $"service-deployment/{service.Cluster}/{service.Name}/{id}"), service, deployment, world.Now)
        {
            Configuration = service.Configuration,
            BreakerThreshold = EcsScheduler.BreakerThreshold(service.DesiredCount),
        };
        All.Add(record);
        return record;
    }

    private string Random(string alphabet, int length)
        => string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[world.Aws.Random.Next(alphabet.Length)]));

    private static bool BreakerOn(SimService service) => service.Configuration.DeploymentCircuitBreaker?.Enable == true;

    private Dictionary<string, (int Running, int Pending)> Counts(SimService service)
        => world.Tasks.Where(t => t.ServiceName == service.Name && t.Cluster == service.Cluster && t.StartedBy is not null)
            .GroupBy(t => t.StartedBy!)
            .ToDictionary(g => g.Key, g => (
                g.Count(t => t.LastStatus == TaskStatuses.Running),
                g.Count(t => t.LastStatus is TaskStatuses.Provisioning or TaskStatuses.Pending or TaskStatuses.Activating)), StringComparer.Ordinal);
}
