using System.Security.Cryptography;
using System.Text;
using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Images;
using EcsDeploy.Images.Registry;
using EcsDeploy.Ollama;

namespace EcsDeploy.Testing;

/// <summary>The names of an environment to seed: a backend service, optionally an Ollama service, secrets, repositories.</summary>
public sealed record SeedSpec
{
    /// <summary>The cluster.</summary>
    public required string Cluster { get; init; }
    /// <summary>The backend service.</summary>
    public required string Service { get; init; }
    /// <summary>The backend's task family and container.</summary>
    public required string Family { get; init; }
    /// <summary>The backend's ECR repository.</summary>
    public required string Repository { get; init; }
    /// <summary>Secret names and the simulated values they hold.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();
    /// <summary>The Ollama service, or null for none.</summary>
    public string? OllamaService { get; init; }
    /// <summary>The Ollama task family, container and repository.</summary>
    public string? OllamaFamily { get; init; }
    /// <summary>Tasks of the backend service.</summary>
    public int DesiredCount { get; init; } = 2;
    /// <summary>
    /// The backend's Application Auto Scaling range (min, max), or null for no scalable target. The default: 1 to 4, or up
    /// to the desired count when it is higher.
    /// </summary>
    public (int Min, int Max)? AutoScaling { get; init; } = (1, 4);
    /// <summary>The backend target group's health check path.</summary>
    public string HealthCheckPath { get; init; } = "/health";
    /// <summary>Paths the backend answers 200 on (the Verify stage's), besides its health check path.</summary>
    public IReadOnlyList<string> VerifiedPaths { get; init; } = [];
    /// <summary>Whether to write the Terraform outputs the seed names.</summary>
    public bool TerraformOutputs { get; init; } = true;
    /// <summary>
    /// Whether the backend gets what blue/green, linear and canary deployments need (<see cref="SimulatedEcs.AddTrafficShifting"/>:
    /// a second target group, production and test listener rules, the infrastructure role) and, with
    /// <see cref="TerraformOutputs"/>, the outputs <c>alternate_target_group_arn</c>, <c>production_listener_rule_arn</c>,
    /// <c>test_listener_rule_arn</c> and <c>ecs_infrastructure_role_arn</c>.
    /// </summary>
    public bool TrafficShifting { get; init; }
    /// <summary>
    /// The CloudWatch alarms on the backend's load balancer (5xx answers of its targets), in state OK, as a Terraform
    /// <c>aws_cloudwatch_metric_alarm</c> leaves them: null for the one alarm <c>FAMILY-5xx</c>
    /// (<c>truecaller-backend-5xx</c> for the seed, the alarm the canary sample watches), empty for none. <see cref="From"/>
    /// names the alarms of the pipeline's <c>RollbackOnAlarms</c>, as it names its secrets.
    /// </summary>
    public IReadOnlyList<string>? Alarms { get; init; }

    /// <summary>The seed document's environment (truecaller-backend in eu-central-1).</summary>
    public static SeedSpec Truecaller { get; } = new()
    {
        Cluster = "truecaller-backend-cluster",
        Service = "truecaller-backend-service",
        Family = "truecaller-backend",
        Repository = "truecaller-backend",
        OllamaService = "truecaller-backend-ollama-service",
        OllamaFamily = "truecaller-backend-ollama",
        Secrets = new Dictionary<string, string>
        {
            ["truecaller-backend/DATABASE_URL"] = "postgresql://truecaller:Sim-db-Pa55w0rd-4f9a@truecaller-db.internal:5432/truecaller",
            ["truecaller-backend/REDIS_URL"] = "rediss://default:Sim-redis-7c21e0@truecaller-cache.internal:6379",
            ["truecaller-backend/JWT_SECRET"] = "sim-jwt-9b3f0c6e1d2a4b5c8e7f",
            ["truecaller-backend/GOOGLE_APPLICATION_CREDENTIALS_JSON"] = "{\"type\":\"service_account\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nSIMULATEDKEY0123\\n-----END PRIVATE KEY-----\"}",
        },
    };

    /// <summary>The names a pipeline definition uses, with simulated secret values; the seed's names where they match.</summary>
    public static SeedSpec From(PipelineDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var deploy = definition.DeployedService?.Target;
        var ollama = definition.Stage<OllamaStage>();
        var push = definition.Stage<PushStage>();
        var verified = definition.Stage<Verification.VerifyStage>()?.Options.Paths ?? [];
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, secretId) in deploy?.Secrets ?? [])
        {
            secrets[secretId] = Truecaller.Secrets.TryGetValue(secretId, out var known) ? known : $"simulated-{name.ToLowerInvariant()}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secretId)))[..12]}";
        }
        if (definition.Stage<Migrations.MigrateStage>() is { Options.RunLocally: true } migrate)
        {
            var id = migrate.Options.DatabaseUrlSecretId ?? $"{definition.Name}/DATABASE_URL";
            secrets.TryAdd(id, Truecaller.Secrets.GetValueOrDefault(id) ?? "postgresql://app:simulated-password@localhost:5432/app");
        }
        return new SeedSpec
        {
            // Pipeline.FromTerraform leaves the cluster and service to the outputs this environment then gives.
            Cluster = definition.Cluster.Length > 0 ? definition.Cluster : $"{definition.Name}-cluster",
            Service = deploy?.Service is { Length: > 0 } service ? service : $"{definition.Name}-service",
            Family = deploy?.Family ?? deploy?.Container ?? definition.Name,
            Repository = push?.Repository(definition) ?? definition.Name,
            OllamaService = ollama?.ServiceName(definition),
            OllamaFamily = ollama is null ? null : $"{definition.Name}-ollama",
            Secrets = secrets,
            TrafficShifting = definition.Stage<Deployments.DeployStage>()?.Options.DeploymentStrategy.ShiftsTraffic == true,
            // As with secrets: the alarms the pipeline names exist (the local target is an account the pipeline fits).
            Alarms = definition.Stage<Deployments.DeployStage>()?.Options.AlarmNames is { Count: > 0 } alarms ? [.. alarms.Distinct(StringComparer.Ordinal)] : null,
            HealthCheckPath = verified.FirstOrDefault() ?? "/health",
            VerifiedPaths = [.. verified],
        };
    }
}

/// <summary>Builds an environment in a <see cref="SimulatedAws"/>.</summary>
public static class Seed
{
    /// <summary>A simulated AWS seeded with the seed document's environment.</summary>
    public static SimulatedAws Truecaller(int seed = 1)
    {
        var aws = new SimulatedAws(seed: seed);
        Apply(aws, SeedSpec.Truecaller);
        return aws;
    }

    /// <summary>
    /// Creates the cluster; the backend's repository, execution and task roles (trusting ecs-tasks.amazonaws.com) (with the image it runs now), task definition (awslogs,
    /// port 3000, NODE_ENV and PORT) and a service already running it behind a load balancer; the secrets;
    /// and, when named, the Ollama repository, task definition, service and load balancer with the model pulled;
    /// both services with the deployment circuit breaker and rollback on, as the seed's Terraform makes them; the
    /// backend's Application Auto Scaling target (<see cref="SeedSpec.AutoScaling"/>); its CloudWatch alarms (<see cref="SeedSpec.Alarms"/>);
    /// then the Terraform outputs the seed lists.
    /// </summary>
    public static void Apply(SimulatedAws aws, SeedSpec spec)
    {
        ArgumentNullException.ThrowIfNull(aws);
        ArgumentNullException.ThrowIfNull(spec);
        using var seeding = aws.Seeding();
        aws.Ecs.CreateCluster(spec.Cluster);
        aws.Logs.CreateLogGroup($"/ecs/{spec.Family}");
        foreach (var (name, value) in spec.Secrets)
        {
            aws.SecretsManager.CreateSecret(name, value);
        }

        var repositoryUri = aws.Ecr.CreateRepository(spec.Repository);
        var runningDigest = PushPlaceholderImage(aws, spec.Repository, "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6");
        var backendLb = aws.Elbv2.CreateLoadBalancer($"{Shorten(spec.Family)}-alb");
        var backendTg = aws.Elbv2.CreateTargetGroup($"{Shorten(spec.Family)}-tg", backendLb.LoadBalancerArn, spec.HealthCheckPath);
        foreach (var path in spec.VerifiedPaths)
        {
            aws.Application.Answer(path, System.Net.HttpStatusCode.OK);
        }
        var backendArn = aws.Ecs.Register(
            FargateDefinition(aws, spec.Family, $"{repositoryUri}@{runningDigest}", 3000, "512", "1024",
                [new EcsKeyValuePair("NODE_ENV", "production"), new EcsKeyValuePair("PORT", "3000")]),
            [new EcsTag("app", spec.Family)]);
        aws.Ecs.CreateRunningService(spec.Cluster, spec.Service, backendArn, spec.DesiredCount, backendTg, spec.Family, 3000);
        aws.Ecs.SetDeploymentConfiguration(spec.Cluster, spec.Service, SeedDeploymentConfiguration);
        foreach (var alarm in spec.Alarms ?? [$"{spec.Family}-5xx"])
        {
            aws.CloudWatch.PutMetricAlarm(FiveXxAlarm(alarm, backendLb.LoadBalancerArn));
        }
        if (spec.TrafficShifting)
        {
            var traffic = aws.Ecs.AddTrafficShifting(spec.Cluster, spec.Service);
            if (spec.TerraformOutputs)
            {
                aws.Terraform.Set("alternate_target_group_arn", traffic.AlternateTargetGroupArn);
                aws.Terraform.Set("production_listener_rule_arn", traffic.ProductionListenerRule);
                aws.Terraform.Set("test_listener_rule_arn", traffic.TestListenerRule);
                aws.Terraform.Set("ecs_infrastructure_role_arn", traffic.RoleArn);
            }
        }
        if (spec.AutoScaling is { } range)
        {
            aws.AutoScaling.RegisterEcsService(spec.Cluster, spec.Service, Math.Min(range.Min, spec.DesiredCount), Math.Max(range.Max, spec.DesiredCount));
        }

        if (spec.OllamaService is not null && spec.OllamaFamily is not null)
        {
            aws.Logs.CreateLogGroup($"/ecs/{spec.OllamaFamily}");
            var ollamaUri = aws.Ecr.CreateRepository(spec.OllamaFamily);
            var ollamaDigest = PushPlaceholderImage(aws, spec.OllamaFamily, "latest");
            var ollamaLb = aws.Elbv2.CreateLoadBalancer($"{Shorten(spec.OllamaFamily)}-alb");
            var ollamaTg = aws.Elbv2.CreateTargetGroup($"{Shorten(spec.OllamaFamily)}-tg", ollamaLb.LoadBalancerArn, "/");
            var ollamaArn = aws.Ecs.Register(FargateDefinition(aws, spec.OllamaFamily, $"{ollamaUri}@{ollamaDigest}", 11434, "2048", "8192", []));
            aws.Ecs.CreateRunningService(spec.Cluster, spec.OllamaService, ollamaArn, 1, ollamaTg, spec.OllamaFamily, 11434);
            aws.Ecs.SetDeploymentConfiguration(spec.Cluster, spec.OllamaService, SeedDeploymentConfiguration);
            if (spec.TerraformOutputs)
            {
                aws.Terraform.Set("ollama_alb_dns_name", ollamaLb.DNSName);
                aws.Terraform.Set("ecr_ollama_repository_url", ollamaUri);
                aws.Terraform.Set("ollama_service_name", spec.OllamaService);
            }
        }
        if (spec.TerraformOutputs)
        {
            aws.Terraform.Set("alb_dns_name", backendLb.DNSName);
            aws.Terraform.Set("ecr_repository_url", repositoryUri);
            aws.Terraform.Set("ecs_cluster_name", spec.Cluster);
            aws.Terraform.Set("ecs_service_name", spec.Service);
        }
    }

    /// <summary>An alarm on the 5xx answers of a load balancer's targets (more than 10 a minute), in state OK.</summary>
    private static MetricAlarm FiveXxAlarm(string name, string loadBalancerArn) => new()
    {
        AlarmName = name,
        AlarmDescription = "5xx answers of the service's targets",
        StateValue = AlarmStates.Ok,
        StateReason = "Threshold Crossed: no datapoint was greater than the threshold (10.0).",
        MetricName = "HTTPCode_Target_5XX_Count",
        Namespace = "AWS/ApplicationELB",
        Statistic = "Sum",
        Dimensions = [new MetricDimension("LoadBalancer", loadBalancerArn[(loadBalancerArn.IndexOf(":loadbalancer/", StringComparison.Ordinal) + 14)..])],
        Period = 60,
        EvaluationPeriods = 1,
        Threshold = 10,
        ComparisonOperator = "GreaterThanThreshold",
    };

    /// <summary>The seed's Terraform: <c>deployment_circuit_breaker { enable = true, rollback = true }</c>, 200/100 percent.</summary>
    private static readonly DeploymentConfiguration SeedDeploymentConfiguration = new()
    {
        MaximumPercent = 200,
        MinimumHealthyPercent = 100,
        DeploymentCircuitBreaker = new DeploymentCircuitBreaker(true, true),
    };

    /// <summary>A Fargate task definition with one container logging to /ecs/FAMILY, as Terraform modules usually make them.</summary>
    private static TaskDefinition FargateDefinition(SimulatedAws aws, string family, string image, int port, string cpu, string memory, IReadOnlyList<EcsKeyValuePair> environment)
    {
        // The roles exist and trust ecs-tasks.amazonaws.com, as the seed's Terraform makes them.
        aws.Iam.CreateRole($"{Shorten(family)}-execution");
        aws.Iam.CreateRole($"{Shorten(family)}-task");
        return FargateDefinitionOf(aws, family, image, port, cpu, memory, environment);
    }

    private static TaskDefinition FargateDefinitionOf(SimulatedAws aws, string family, string image, int port, string cpu, string memory, IReadOnlyList<EcsKeyValuePair> environment) => new()
    {
        Family = family,
        NetworkMode = "awsvpc",
        RequiresCompatibilities = ["FARGATE"],
        Cpu = cpu,
        Memory = memory,
        ExecutionRoleArn = $"arn:aws:iam::{aws.AccountId}:role/{Shorten(family)}-execution",
        TaskRoleArn = $"arn:aws:iam::{aws.AccountId}:role/{Shorten(family)}-task",
        ContainerDefinitions =
        [
            new ContainerDefinition
            {
                Name = family,
                Image = image,
                Essential = true,
                PortMappings = [new PortMapping { ContainerPort = port, Protocol = "tcp" }],
                Environment = environment,
                LogConfiguration = new LogConfiguration
                {
                    LogDriver = "awslogs",
                    Options = new Dictionary<string, string> { ["awslogs-group"] = $"/ecs/{family}", ["awslogs-region"] = aws.Region, ["awslogs-stream-prefix"] = "ecs" },
                },
            },
        ],
    };

    /// <summary>Pushes a minimal image (config only) so that the running revision's image exists in ECR.</summary>
    private static string PushPlaceholderImage(SimulatedAws aws, string repository, string tag)
    {
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var configDigest = OciDigest.Compute(config);
        aws.Ecr.Registry.PushBlobAsync(repository, configDigest, new MemoryStream(config), config.Length, CancellationToken.None).GetAwaiter().GetResult();
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{OciMediaTypes.Manifest}\",\"config\":{{\"mediaType\":\"{OciMediaTypes.Config}\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[]}}");
        return aws.Ecr.Registry.PutManifestAsync(repository, tag, OciMediaTypes.Manifest, manifest, CancellationToken.None).GetAwaiter().GetResult();
    }

    // Load balancer and target group names are limited to 32 characters.
    private static string Shorten(string name) => name.Length <= 26 ? name : name[..26];
}
