namespace EcsDeploy.Testing;

/// <summary>
/// Named failure scenarios of the simulated AWS (the scripts' <c>--fault NAME</c>). Each one changes the world
/// the way the real failure would, so the pipeline meets it through the same API answers as on AWS.
/// </summary>
public sealed class FaultScenarios
{
    /// <summary>The scenario names.</summary>
    public static readonly IReadOnlyList<string> Names = ["unhealthy-tasks", "image-pull-failure", "migration-failure", "no-ollama", "throttling", "critical-vulnerability",
        "crash-on-start", "missing-secret", "image-expired", "no-capacity", "unhealthy-ollama", "untrusted-execution-role", "alarm-during-bake"];

    private readonly SimulatedAws _aws;

    internal FaultScenarios(SimulatedAws aws) => _aws = aws;

    /// <summary>Arms a scenario by name; unknown names are refused with the list of known ones.</summary>
    public void Arm(string name)
    {
        switch (name)
        {
            case "unhealthy-tasks": UnhealthyTasks(); break;
            case "image-pull-failure": ImagePullFailure(); break;
            case "migration-failure": MigrationFailure(); break;
            case "no-ollama": NoOllama(); break;
            case "throttling": Throttling(); break;
            case "critical-vulnerability": CriticalVulnerability(); break;
            case "crash-on-start": CrashOnStart(); break;
            case "missing-secret": MissingSecret(); break;
            case "image-expired": ImageExpired(); break;
            case "no-capacity": NoCapacity(); break;
            case "unhealthy-ollama": UnhealthyOllama(); break;
            case "untrusted-execution-role": UntrustedExecutionRole(); break;
            case "alarm-during-bake": AlarmDuringBake(); break;
            default: throw new ArgumentException($"Unknown fault '{name}': use one of {string.Join(", ", Names)}.", nameof(name));
        }
    }

    /// <summary>Service tasks of revisions registered from now on start, then fail their health checks (HTTP 500).</summary>
    public void UnhealthyTasks() => ForNewRevisions(TaskBehaviour.FailsHealthChecks);

    /// <summary>Tasks of new revisions of an Ollama service (its name contains "ollama") fail their health checks; the backend stays healthy.</summary>
    public void UnhealthyOllama()
    {
        var existing = _aws.Ecs.AllRevisionArns();
        var previous = _aws.Ecs.Behaviour;
        _aws.Ecs.Behaviour = launch => launch.ServiceName is { } service && service.Contains("ollama", StringComparison.OrdinalIgnoreCase)
            && !existing.Contains(launch.TaskDefinition.TaskDefinitionArn!)
            ? TaskBehaviour.FailsHealthChecks
            : previous(launch);
    }

    /// <summary>Service tasks of revisions registered from now on cannot pull their image.</summary>
    public void ImagePullFailure() => ForNewRevisions(TaskBehaviour.FailsToStart(
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref: not found"));

    /// <summary>One-off tasks (the migration) exit 1 after logging a Prisma migration error.</summary>
    public void MigrationFailure()
    {
        var previous = _aws.Ecs.Behaviour;
        _aws.Ecs.Behaviour = launch => launch.ServiceName is null
            ? TaskBehaviour.Exits(1, [
                "Prisma schema loaded from prisma/schema.prisma",
                "Datasource \"db\": PostgreSQL database \"truecaller\", schema \"public\"",
                "3 migrations found in prisma/migrations",
                "Error: P3018",
                "A migration failed to apply. New migrations cannot be applied before the error is recovered from.",
                "Migration name: 20260110120000_add_call_labels",
                "Database error code: 42P07",
                "Database error: ERROR: relation \"CallLabel\" already exists",
            ])
            : previous(launch);
    }

    /// <summary>No Terraform output for Ollama and no load balancer with 'ollama' in its name.</summary>
    public void NoOllama()
    {
        _aws.Terraform.Remove("ollama_alb_dns_name");
        _aws.Elbv2.DeleteLoadBalancers(lb => lb.LoadBalancerName.Contains("ollama", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every third call gets ThrottlingException (Rate exceeded): a third of all calls are throttled.</summary>
    public void Throttling() => _aws.ThrottleEveryNthCall = 3;

    /// <summary>
    /// The ECR scan of every image pushed from now on (to any repository) finds 1 CRITICAL and 2 HIGH vulnerabilities:
    /// a pipeline with p.ScanGate() fails after the push, before anything is migrated or deployed.
    /// </summary>
    public void CriticalVulnerability() => _aws.Ecr.ScanFindingsForNewImagesInEveryRepository(critical: 1, high: 2);

    /// <summary>
    /// Service tasks of revisions registered from now on crash at start: the process logs a configuration error and
    /// exits 1 before ECS reports the task RUNNING. Each counts toward the circuit breaker, which trips and rolls back.
    /// </summary>
    public void CrashOnStart() => ForNewRevisions(TaskBehaviour.CrashesOnStart(1, [
        "> truecaller-backend@1.0.0 start",
        "> node dist/main.js",
        "/app/dist/config.js:14",
        "    throw new Error(`Invalid environment: REDIS_URL is not a valid URL`);",
        "Error: Invalid environment: REDIS_URL is not a valid URL",
        "    at Object.<anonymous> (/app/dist/config.js:14:11)",
        "Node.js v20.11.1",
    ]));

    /// <summary>
    /// The first secret a revision registered from now on references is deleted just before its first task launches
    /// (after the plan checked it): that task, and every later one, stops with TaskFailedToStart
    /// (ResourceInitializationError). A migration fails to start; service tasks trip the breaker.
    /// </summary>
    public void MissingSecret() => BeforeFirstLaunchOfNewRevisions(definition =>
    {
        if ((definition.ContainerDefinitions ?? []).SelectMany(c => c.Secrets ?? []).FirstOrDefault() is { } secret)
        {
            _aws.SecretsManager.DeleteSecretReferencedBy(secret.ValueFrom);
        }
    });

    /// <summary>
    /// The image a revision registered from now on runs is expired from ECR (as a lifecycle policy would) just before
    /// its first task launches: the pull fails (CannotPullContainerError, TaskFailedToStart).
    /// </summary>
    public void ImageExpired() => BeforeFirstLaunchOfNewRevisions(definition =>
    {
        foreach (var image in (definition.ContainerDefinitions ?? []).Select(c => c.Image).OfType<string>())
        {
            _aws.Ecr.Expire(image);
        }
    });

    /// <summary>
    /// Fargate has no capacity for service tasks of revisions registered from now on: no task starts, the service
    /// posts "was unable to place a task" (once, repeats suppressed), and the deployment stays IN_PROGRESS until
    /// the pipeline's wait times out.
    /// </summary>
    public void NoCapacity() => ForNewRevisions(TaskBehaviour.CannotBePlaced("Capacity is unavailable at this time. Please try again later or in a different availability zone"));

    /// <summary>
    /// Every execution role (a role named NAME-execution, as the seed's) trusts only ec2.amazonaws.com: ECS cannot
    /// assume it, so no new task launches (the service posts "failed to launch a task with (error ECS was unable to
    /// assume the role ...)" and the breaker counts it; RunTask answers ClientException). The preflight of every plan
    /// finds it first (exit 2, nothing changed, the role named).
    /// </summary>
    public void UntrustedExecutionRole() => _aws.Iam.ReplaceTrust(name => name.EndsWith("-execution", StringComparison.Ordinal), SimulatedIam.Ec2TrustPolicy);

    /// <summary>
    /// The alarms a blue/green, linear or canary deployment watches go into ALARM once it bakes (the canary's or a linear
    /// step's bake, or the bake after the full shift): ECS rolls the deployment back.
    /// </summary>
    public void AlarmDuringBake() => _aws.Ecs.AlarmsFireDuringBake();

    private void BeforeFirstLaunchOfNewRevisions(Action<Aws.TaskDefinition> change)
    {
        var existing = _aws.Ecs.AllRevisionArns();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var previous = _aws.Ecs.Behaviour;
        _aws.Ecs.Behaviour = launch =>
        {
            var arn = launch.TaskDefinition.TaskDefinitionArn!;
            if (!existing.Contains(arn) && done.Add(arn))
            {
                change(launch.TaskDefinition);
            }
            return previous(launch);
        };
    }

    private void ForNewRevisions(TaskBehaviour behaviour)
    {
        // Revisions that exist now keep working: the rollback target stays healthy, as in a real bad release.
        var existing = _aws.Ecs.AllRevisionArns();
        var previous = _aws.Ecs.Behaviour;
        _aws.Ecs.Behaviour = launch => launch.ServiceName is not null && !existing.Contains(launch.TaskDefinition.TaskDefinitionArn!)
            ? behaviour
            : previous(launch);
    }
}
