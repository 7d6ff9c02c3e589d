using System.Globalization;
using EcsDeploy.Aws;
using EcsDeploy.Rules;

namespace EcsDeploy.Import;

/// <summary>Reads a live service with read-only calls into an <see cref="ImportedService"/>.</summary>
internal static class ServiceImporter
{
    /// <summary>The variables the WithOllama stage owns.</summary>
    private static readonly string[] OllamaVariables = ["OLLAMA_URL", "OLLAMA_MODEL", "OLLAMA_TIMEOUT", "OLLAMA_ENABLED"];

    /// <summary>
    /// DescribeServices, DescribeTaskDefinition, DescribeSecret (names of the referenced secrets), DescribeLogGroups
    /// (retention) and DescribeLoadBalancers (the Ollama load balancer). An unknown cluster or service fails as invalid input.
    /// </summary>
    public static async Task<ImportedService> ReadAsync(AwsEnvironment aws, string region, string cluster, string serviceName, CancellationToken cancellationToken)
    {
        DescribeServicesResponse described;
        try
        {
            described = await aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(cluster, [serviceName]), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ClusterNotFoundException")
        {
            throw new PipelineStageException($"Cluster '{cluster}' was not found in {region} ({aws.Description}): fix --cluster, or the script's .InRegion(...).", FailureKind.Invalid);
        }
        var service = described.Services.FirstOrDefault(s => s.ServiceName == serviceName && s.Status == ResourceStatuses.Active)
            ?? throw new PipelineStageException($"Service '{serviceName}' was not found in cluster '{cluster}' ({described.Failures.FirstOrDefault()?.Reason ?? "not active"}): fix --service.", FailureKind.Invalid);
        var definition = (await aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(service.TaskDefinition!, IncludeTags: false), cancellationToken).ConfigureAwait(false)).TaskDefinition;
        var containers = definition.ContainerDefinitions ?? [];
        var main = containers.FirstOrDefault(c => c.Name == service.LoadBalancers.FirstOrDefault()?.ContainerName)
            ?? containers.FirstOrDefault(c => c.Essential != false)
            ?? containers.FirstOrDefault()
            ?? throw new PipelineStageException($"Task definition {definition.TaskDefinitionArn} has no container.", FailureKind.Invalid);

        var kept = new List<string>();
        var notExpressible = new List<string>();
        var pipelineName = AwsNamingRules.Check(AwsNameKind.PipelineName, main.Name) is null ? main.Name! : definition.Family!;

        var environment = new List<KeyValuePair<string, string>>();
        var variables = (main.Environment ?? []).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        var withOllama = variables.ContainsKey("OLLAMA_URL");
        foreach (var variable in main.Environment ?? [])
        {
            if (withOllama && OllamaVariables.Contains(variable.Name))
            {
                continue;
            }
            if (SecretRules.IsSecretName(variable.Name) || CredentialRules.Check(variable.Value) is not null)
            {
                notExpressible.Add($"{variable.Name} is a plain variable that looks like a secret: kept as it runs, its value not written here. Move it to Secrets Manager and add d.Secret(\"{variable.Name}\", \"...\").");
                continue;
            }
            environment.Add(new(variable.Name, variable.Value));
        }

        var secrets = new List<KeyValuePair<string, string>>();
        foreach (var secret in main.Secrets ?? [])
        {
            var parts = secret.ValueFrom.Split(':');
            if (parts.Length == 7 && parts[2] == "secretsmanager")
            {
                var name = await SecretNameAsync(aws, secret.ValueFrom, cancellationToken).ConfigureAwait(false);
                secrets.Add(new(secret.Name, name));
            }
            else
            {
                notExpressible.Add(parts.Length > 7 && parts[2] == "secretsmanager"
                    ? $"{secret.Name} reads JSON key '{parts[7]}' of {string.Join(':', parts[..7])}: d.Secret(...) names whole secrets, so it is kept as it runs."
                    : $"{secret.Name} comes from {secret.ValueFrom} (not a Secrets Manager secret): kept as it runs.");
            }
        }

        ImportedOllama? ollama = null;
        if (withOllama)
        {
            ollama = await OllamaAsync(aws, variables, cancellationToken).ConfigureAwait(false);
        }

        int? retention = null;
        if (main.LogConfiguration is { LogDriver: "awslogs", Options: { } logOptions } && logOptions.TryGetValue("awslogs-group", out var group))
        {
            var groups = await aws.Logs.DescribeLogGroupsAsync(new DescribeLogGroupsRequest(group, null, 50), cancellationToken).ConfigureAwait(false);
            retention = groups.LogGroups.FirstOrDefault(g => g.LogGroupName == group)?.RetentionInDays;
        }

        var repository = Operations.EcrImages.Parse(main.Image, null)?.Repository;
        if (repository is null)
        {
            notExpressible.Add($"The image {main.Image} is not in ECR: the pipeline builds and pushes to ECR, so set p.Repository(...) to the repository to use.");
        }

        foreach (var other in containers.Where(c => c != main))
        {
            kept.Add($"container '{other.Name}' ({other.Image}){(other.Essential == false ? ", not essential" : "")}: the pipeline changes container '{main.Name}' only; the others stay as registered.");
        }
        var configuration = service.DeploymentConfiguration;
        var breaker = configuration?.DeploymentCircuitBreaker;
        if (breaker is { Enable: false, Rollback: true })
        {
            notExpressible.Add("The circuit breaker is off but its rollback flag is on: the pipeline turns rollback off with the breaker.");
        }
        kept.Add($"task size cpu {definition.Cpu ?? "-"}, memory {definition.Memory ?? "-"}; network mode {definition.NetworkMode ?? "-"}; roles {Short(definition.ExecutionRoleArn)} (execution), {Short(definition.TaskRoleArn)} (task)");
        kept.Add($"desired count {service.DesiredCount}; launch type {service.LaunchType ?? "capacity provider strategy"}; deployment maximumPercent {configuration?.MaximumPercent?.ToString(CultureInfo.InvariantCulture) ?? "-"}, minimumHealthyPercent {configuration?.MinimumHealthyPercent?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        foreach (var balancer in service.LoadBalancers)
        {
            kept.Add($"load balancer target group {balancer.TargetGroupArn} -> {balancer.ContainerName}:{balancer.ContainerPort}");
        }
        if (service.HealthCheckGracePeriodSeconds is > 0)
        {
            kept.Add($"health-check grace period {service.HealthCheckGracePeriodSeconds} s");
        }

        return new ImportedService
        {
            PipelineName = pipelineName,
            Region = region,
            Cluster = cluster,
            Service = serviceName,
            Container = containers.Count == 1 && main.Name == pipelineName ? null : main.Name,
            Repository = repository,
            Environment = environment,
            Secrets = secrets,
            Ollama = ollama,
            LogRetentionDays = retention,
            CircuitBreaker = breaker?.Enable ?? false,
            Rollback = breaker is { Enable: true, Rollback: true },
            Kept = kept,
            NotExpressible = notExpressible,
        };
    }

    private static async Task<string> SecretNameAsync(AwsEnvironment aws, string arn, CancellationToken cancellationToken)
    {
        try
        {
            return (await aws.SecretsManager.DescribeSecretAsync(arn, cancellationToken).ConfigureAwait(false)).Name;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is "ResourceNotFoundException" or "AccessDeniedException")
        {
            return arn; // The ARN is a reference d.Secret takes as well.
        }
    }

    private static async Task<ImportedOllama> OllamaAsync(AwsEnvironment aws, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var url = variables["OLLAMA_URL"];
        TimeSpan? timeout = variables.TryGetValue("OLLAMA_TIMEOUT", out var ms) && int.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds) : null;
        string? lbName = null;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            var page = await aws.Elbv2.DescribeLoadBalancersAsync(null, null, null, cancellationToken).ConfigureAwait(false);
            var balancer = page.LoadBalancers.FirstOrDefault(lb => string.Equals(lb.DNSName, uri.Host, StringComparison.OrdinalIgnoreCase));
            if (balancer is not null && !balancer.LoadBalancerName.Contains("ollama", StringComparison.OrdinalIgnoreCase))
            {
                lbName = balancer.LoadBalancerName;
            }
        }
        return new ImportedOllama(variables.GetValueOrDefault("OLLAMA_MODEL"), timeout, lbName, url);
    }

    private static string Short(string? arn) => arn is null ? "none" : arn[(arn.LastIndexOf('/') + 1)..];
}
