using System.Globalization;
using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy.Preflight;

/// <summary>The preflight of one service: reads the service and the revision it would run, then checks each part of it.</summary>
internal sealed partial class ServicePreflight(PipelineContext context, PreflightService target)
{
    private AwsEnvironment Aws => context.Aws;
    private string Cluster => context.Definition.Cluster;

    public async Task<PreflightCheck> RunAsync(CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        DescribeServicesResponse described;
        try
        {
            described = await Aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [target.Service]), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ClusterNotFoundException")
        {
            checks.Add(Fail("cluster", $"cluster '{Cluster}' was not found in {context.Definition.Region}", Cluster,
                "fix .OnCluster(...) or .InRegion(...), or create the cluster first (Terraform: aws_ecs_cluster)"));
            return Service(checks);
        }
        checks.Add(Ok("cluster", $"{Cluster} exists", Cluster));
        var service = described.Services.FirstOrDefault(s => s.ServiceName == target.Service && s.Status == ResourceStatuses.Active);
        if (service?.TaskDefinition is null)
        {
            checks.Add(Fail("service", $"service '{target.Service}' was not found in cluster '{Cluster}' ({described.Failures.FirstOrDefault()?.Reason ?? "not active"})", target.Service,
                "create the service first (Terraform: aws_ecs_service), or fix d.Service(...)"));
            return Service(checks);
        }
        // Read once a run: the plan renders from the same service and revision (TaskDefinitionService keeps them).
        context.TaskDefinitions.NotePlanRead(service);
        var running = (await context.TaskDefinitions.RunningRevisionAsync(service.TaskDefinition, cancellationToken).ConfigureAwait(false)).TaskDefinition;
        var secretChecks = new List<PreflightCheck>();
        var (definition, renderProblem) = await RenderAsync(running, secretChecks, cancellationToken).ConfigureAwait(false);
        if (renderProblem is not null)
        {
            checks.Add(renderProblem);
        }
        checks.Add(PreflightCheck.Group("network", NetworkChecks(service, definition)));
        checks.Add(PreflightCheck.Group("task size and platform", SizeChecks(service, definition)));
        // The groups read different things (ELBv2, IAM, ECR, Secrets Manager, CloudWatch Logs, CloudWatch): side by side, reported in order.
        var loadBalancers = LoadBalancerChecksAsync(service, definition, cancellationToken);
        var roles = RoleChecksAsync(definition, cancellationToken);
        var images = ImageChecksAsync(definition, cancellationToken);
        var secrets = SecretChecksAsync(definition, [.. secretChecks.Select(c => c.Resource)], cancellationToken);
        var logs = LogChecksAsync(definition, cancellationToken);
        var alarmNames = AlarmNames();
        var alarms = alarmNames.Count > 0 ? AlarmChecksAsync(alarmNames, cancellationToken) : null;
        await Task.WhenAll(loadBalancers, roles, images, secrets, logs, alarms ?? Task.FromResult(new List<PreflightCheck>())).ConfigureAwait(false);
        checks.Add(PreflightCheck.Group("load balancers", await loadBalancers.ConfigureAwait(false)));
        checks.Add(PreflightCheck.Group("roles", await roles.ConfigureAwait(false)));
        checks.Add(PreflightCheck.Group("images", await images.ConfigureAwait(false)));
        secretChecks.AddRange(await secrets.ConfigureAwait(false));
        checks.Add(PreflightCheck.Group("secrets", secretChecks));
        checks.Add(PreflightCheck.Group("logs", await logs.ConfigureAwait(false)));
        checks.Add(PreflightCheck.Group("service settings", ServiceSettingChecks(service)));
        if (alarms is not null)
        {
            checks.Add(PreflightCheck.Group("alarms", await alarms.ConfigureAwait(false)));
        }
        return Service(checks);
    }

    private PreflightCheck Service(List<PreflightCheck> checks) => PreflightCheck.Group($"service {target.Service}", checks) with { Resource = target.Service };

    /// <summary>
    /// The revision the run would register: the running one with the pipeline's variables and secrets merged and the
    /// image it deploys. A secret reference that does not resolve is a failed check (and is left out of the render).
    /// </summary>
    private async Task<(TaskDefinition Definition, PreflightCheck? Problem)> RenderAsync(TaskDefinition running, List<PreflightCheck> secretChecks, CancellationToken cancellationToken)
    {
        if (target.Spec is not { } spec)
        {
            return (running, null);
        }
        var resolved = new List<EcsSecret>();
        foreach (var (name, secretId) in spec.Secrets)
        {
            try
            {
                var secret = await Aws.SecretsManager.DescribeSecretAsync(secretId, cancellationToken).ConfigureAwait(false);
                resolved.Add(new EcsSecret(name, secret.ARN));
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
            {
                secretChecks.Add(Fail($"secret {name}", $"Secrets Manager has no secret '{secretId}'", secretId,
                    $"create it (aws secretsmanager create-secret --name {secretId} ...) or fix d.Secret(\"{name}\", ...)"));
            }
        }
        var containers = running.ContainerDefinitions ?? [];
        var containerName = spec.Container ?? (containers.Count == 1 ? containers[0].Name! : context.Definition.Name);
        var runningImage = containers.FirstOrDefault(c => c.Name == containerName)?.Image;
        var image = target.ImageTag is { } tag && runningImage is not null ? Operations.DiffCommand.WithTag(runningImage, tag) : null;
        try
        {
            var changes = new TaskDefinitionChanges(spec.Family ?? running.Family!, containerName, image, spec.Environment, resolved);
            return (TaskDefinitionRenderer.Render(running, changes), null);
        }
        catch (PipelineStageException ex)
        {
            return (running, Fail("container", ex.Message, running.TaskDefinitionArn ?? running.Family, $"set d.Container(\"...\") to one of: {string.Join(", ", containers.Select(c => c.Name))}"));
        }
    }

    private static List<PreflightCheck> NetworkChecks(EcsService service, TaskDefinition definition)
    {
        var checks = new List<PreflightCheck>();
        var awsvpc = definition.NetworkMode is "awsvpc" || (definition.NetworkMode is null && IsFargate(service, definition));
        if (awsvpc)
        {
            var configuration = service.NetworkConfiguration?.AwsvpcConfiguration;
            checks.Add(configuration is { Subnets.Count: > 0 }
                ? Ok("network configuration", $"awsvpc with {configuration.Subnets.Count} subnet(s) and {configuration.SecurityGroups?.Count ?? 0} security group(s)", service.ServiceArn)
                : Fail("network configuration", "the task uses awsvpc networking, but the service has no network configuration with subnets", service.ServiceArn,
                    "give the service a network configuration (Terraform: network_configuration { subnets, security_groups })"));
        }
        foreach (var container in definition.ContainerDefinitions ?? [])
        {
            foreach (var port in container.PortMappings ?? [])
            {
                if (awsvpc && port.HostPort is { } host && host != 0 && host != port.ContainerPort)
                {
                    checks.Add(Fail($"port {container.Name}:{port.ContainerPort}", $"hostPort {host} differs from containerPort {port.ContainerPort}; awsvpc needs them equal", definition.Family,
                        $"set hostPort to {port.ContainerPort} (or leave it out) in container '{container.Name}'"));
                }
                else
                {
                    checks.Add(Ok($"port {container.Name}:{port.ContainerPort}", awsvpc ? "hostPort equals containerPort" : $"network mode {definition.NetworkMode}"));
                }
            }
        }
        return checks;
    }

    private static List<PreflightCheck> SizeChecks(EcsService service, TaskDefinition definition)
    {
        if (!IsFargate(service, definition))
        {
            return [Skip("Fargate size", $"the service runs on {service.LaunchType ?? "a capacity provider"}, not Fargate")];
        }
        var checks = new List<PreflightCheck>();
        if (int.TryParse(definition.Cpu, NumberStyles.None, CultureInfo.InvariantCulture, out var cpu) && int.TryParse(definition.Memory, NumberStyles.None, CultureInfo.InvariantCulture, out var memory))
        {
            checks.Add(FargateSizes.Problem(cpu, memory) is { } problem
                ? Fail("Fargate size", problem, definition.Family, "set the task's cpu and memory to a pair Fargate accepts")
                : Ok("Fargate size", $"cpu {cpu}, memory {memory}"));
        }
        else
        {
            checks.Add(Fail("Fargate size", $"Fargate needs task-level cpu and memory (cpu '{definition.Cpu}', memory '{definition.Memory}')", definition.Family, "set the task's cpu and memory"));
        }
        var (os, architecture) = Platform(definition);
        checks.Add(FargateSizes.PlatformProblem(os, architecture, cpu == 0 ? null : cpu) is { } platformProblem
            ? Fail("runtime platform", platformProblem, definition.Family, "set runtimePlatform to a supported operatingSystemFamily and cpuArchitecture")
            : Ok("runtime platform", $"{os}/{architecture}"));
        return checks;
    }

    private static List<PreflightCheck> ServiceSettingChecks(EcsService service)
    {
        if (service.HealthCheckGracePeriodSeconds is > 0 && service.LoadBalancers.Count == 0)
        {
            return [Fail("health-check grace period", $"healthCheckGracePeriodSeconds is {service.HealthCheckGracePeriodSeconds}, but the service has no load balancer (ECS refuses it)", service.ServiceArn,
                "remove health_check_grace_period_seconds, or attach the service to a target group")];
        }
        return [Ok("health-check grace period", service.HealthCheckGracePeriodSeconds is > 0 ? $"{service.HealthCheckGracePeriodSeconds} s with a load balancer" : "not set")];
    }

    /// <summary>The task's runtime platform (defaults LINUX/X86_64, as ECS applies them).</summary>
    internal static (string Os, string Architecture) Platform(TaskDefinition definition)
    {
        var os = "LINUX";
        var architecture = "X86_64";
        if (definition.ExtensionData?.TryGetValue("runtimePlatform", out var platform) == true && platform.ValueKind == JsonValueKind.Object)
        {
            if (platform.TryGetProperty("operatingSystemFamily", out var o) && o.GetString() is { Length: > 0 } osText)
            {
                os = osText;
            }
            if (platform.TryGetProperty("cpuArchitecture", out var a) && a.GetString() is { Length: > 0 } architectureText)
            {
                architecture = architectureText;
            }
        }
        return (os, architecture);
    }

    private static bool IsFargate(EcsService service, TaskDefinition definition)
        => service.LaunchType == "FARGATE" || (service.LaunchType is null && definition.RequiresCompatibilities?.Contains("FARGATE") == true);

    internal static PreflightCheck Ok(string name, string detail, string? resource = null) => new(name, PreflightStatus.Ok, detail) { Resource = resource };

    internal static PreflightCheck Skip(string name, string why, string? resource = null) => new(name, PreflightStatus.Skipped, why) { Resource = resource };

    internal static PreflightCheck Fail(string name, string detail, string? resource, string fix) => new(name, PreflightStatus.Failed, detail) { Resource = resource, Fix = fix };
}
