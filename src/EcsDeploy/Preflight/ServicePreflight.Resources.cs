using System.Text.Json;
using EcsDeploy.Aws;

namespace EcsDeploy.Preflight;

// The checks that read other resources: target groups, roles, secrets, log groups.
internal sealed partial class ServicePreflight
{
    private async Task<List<PreflightCheck>> LoadBalancerChecksAsync(EcsService service, TaskDefinition definition, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        foreach (var balancer in service.LoadBalancers)
        {
            var name = $"target group {Short(balancer.TargetGroupArn)}";
            if (balancer.TargetGroupArn is null)
            {
                checks.Add(Skip(name, "a classic load balancer (no target group): not checked"));
                continue;
            }
            try
            {
                var found = await Aws.Elbv2.DescribeTargetGroupsAsync([balancer.TargetGroupArn], null, cancellationToken).ConfigureAwait(false);
                if (found.TargetGroups.Count == 0)
                {
                    throw new AwsServiceException("ELBv2", "DescribeTargetGroups", "TargetGroupNotFound", "One or more target groups not found", 400);
                }
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "TargetGroupNotFound")
            {
                checks.Add(Fail(name, "the target group does not exist", balancer.TargetGroupArn, "create the target group, or point the service's load_balancer block at an existing one"));
                continue;
            }
            var container = (definition.ContainerDefinitions ?? []).FirstOrDefault(c => c.Name == balancer.ContainerName);
            if (container is null)
            {
                checks.Add(Fail(name, $"routes to container '{balancer.ContainerName}', which the task definition does not have (it has: {string.Join(", ", (definition.ContainerDefinitions ?? []).Select(c => c.Name))})",
                    balancer.TargetGroupArn, "make the service's load_balancer container_name one of the task's containers"));
            }
            else if (!(container.PortMappings ?? []).Any(p => p.ContainerPort == balancer.ContainerPort))
            {
                checks.Add(Fail(name, $"routes to port {balancer.ContainerPort} of '{container.Name}', which maps no such port (it maps: {string.Join(", ", (container.PortMappings ?? []).Select(p => p.ContainerPort))})",
                    balancer.TargetGroupArn, $"add a port mapping for {balancer.ContainerPort} to '{container.Name}', or fix the load_balancer container_port"));
            }
            else
            {
                checks.Add(Ok(name, $"exists, routes to {container.Name}:{balancer.ContainerPort}", balancer.TargetGroupArn));
            }
        }
        return checks;
    }

    private async Task<List<PreflightCheck>> RoleChecksAsync(TaskDefinition definition, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        foreach (var (label, arn) in new[] { ("execution role", definition.ExecutionRoleArn), ("task role", definition.TaskRoleArn) })
        {
            if (arn is null)
            {
                checks.Add(Ok(label, "none set"));
                continue;
            }
            var roleName = arn.Contains(":role/", StringComparison.Ordinal) ? arn[(arn.LastIndexOf('/') + 1)..] : arn;
            if (Aws.Iam is null)
            {
                checks.Add(Skip(label, $"this target has no IAM: {arn} is not checked", arn));
                continue;
            }
            try
            {
                var role = await Aws.Iam.GetRoleAsync(roleName, cancellationToken).ConfigureAwait(false);
                checks.Add(IamTrustPolicy.Trusts(role.AssumeRolePolicyDocument, IamTrustPolicy.EcsTasksPrincipal)
                    ? Ok(label, $"{roleName} exists and trusts {IamTrustPolicy.EcsTasksPrincipal}", arn)
                    : Fail(label, $"role {roleName} does not trust {IamTrustPolicy.EcsTasksPrincipal}: ECS cannot assume it", arn,
                        $"add to its trust policy: {{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"{IamTrustPolicy.EcsTasksPrincipal}\"}},\"Action\":\"sts:AssumeRole\"}}"));
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "NoSuchEntity")
            {
                checks.Add(Fail(label, $"role {roleName} does not exist", arn, $"create the role (trusting {IamTrustPolicy.EcsTasksPrincipal}) or fix the task definition's {(label == "task role" ? "taskRoleArn" : "executionRoleArn")}"));
            }
            catch (AwsServiceException ex) when (ex.ErrorCode is "AccessDenied" or "AccessDeniedException")
            {
                checks.Add(Skip(label, $"the deployer may not read {roleName} (iam:GetRole denied): not checked", arn));
            }
        }
        return checks;
    }

    private async Task<List<PreflightCheck>> SecretChecksAsync(TaskDefinition definition, IEnumerable<string?> alreadyFailed, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        var failed = alreadyFailed.OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var (container, secret) in (definition.ContainerDefinitions ?? []).SelectMany(c => (c.Secrets ?? []).Select(s => (c.Name, s))))
        {
            var name = $"secret {secret.Name}";
            var parts = secret.ValueFrom.Split(':');
            if (parts.Length < 7 || parts[0] != "arn" || parts[2] != "secretsmanager")
            {
                checks.Add(Skip(name, secret.ValueFrom.StartsWith("arn:", StringComparison.Ordinal) && !secret.ValueFrom.Contains(":secretsmanager:", StringComparison.Ordinal)
                    ? "an SSM parameter: not checked" : "not a Secrets Manager ARN: not checked", secret.ValueFrom));
                continue;
            }
            var secretArn = string.Join(':', parts[..7]);
            var jsonKey = parts.Length > 7 && parts[7].Length > 0 ? parts[7] : null;
            try
            {
                await Aws.SecretsManager.DescribeSecretAsync(secretArn, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
            {
                checks.Add(Fail(name, $"Secrets Manager has no secret {secretArn} (container {container})", secretArn, "create the secret, or fix the reference (valueFrom) in the task definition"));
                continue;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode is "AccessDeniedException" or "AccessDenied")
            {
                checks.Add(Skip(name, "the deployer may not describe this secret (secretsmanager:DescribeSecret denied): not checked", secretArn));
                continue;
            }
            if (jsonKey is null)
            {
                checks.Add(Ok(name, "exists", secretArn));
                continue;
            }
            checks.Add(await JsonKeyCheckAsync(name, secretArn, jsonKey, cancellationToken).ConfigureAwait(false));
        }
        return [.. checks.Where(c => c.Resource is null || !failed.Contains(c.Resource))];
    }

    private async Task<PreflightCheck> JsonKeyCheckAsync(string name, string secretArn, string jsonKey, CancellationToken cancellationToken)
    {
        string value;
        try
        {
            value = (await Aws.SecretsManager.GetSecretValueAsync(secretArn, cancellationToken).ConfigureAwait(false)).SecretString ?? "";
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is "AccessDeniedException" or "AccessDenied")
        {
            return Skip(name, $"the secret exists; the deployer may not read its value (secretsmanager:GetSecretValue denied), so JSON key '{jsonKey}' is not checked", secretArn);
        }
        context.Masker.Add(value);
        try
        {
            using var json = JsonDocument.Parse(value);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(jsonKey, out _))
            {
                return Ok(name, $"exists with JSON key '{jsonKey}'", secretArn);
            }
            return Fail(name, $"the secret has no JSON key '{jsonKey}' (its keys: {(json.RootElement.ValueKind == JsonValueKind.Object ? string.Join(", ", json.RootElement.EnumerateObject().Select(p => p.Name)) : "none, it is not a JSON object")})",
                secretArn, $"add the key '{jsonKey}' to the secret, or fix the key in valueFrom");
        }
        catch (JsonException)
        {
            return Fail(name, $"the secret's value is not JSON, so it has no key '{jsonKey}'", secretArn, "store the value as a JSON object, or reference the whole secret (no key in valueFrom)");
        }
    }

    private async Task<List<PreflightCheck>> LogChecksAsync(TaskDefinition definition, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        foreach (var container in definition.ContainerDefinitions ?? [])
        {
            if (container.LogConfiguration is not { LogDriver: "awslogs", Options: { } options } || !options.TryGetValue("awslogs-group", out var group))
            {
                continue;
            }
            var name = $"log group of {container.Name}";
            if (options.TryGetValue("awslogs-create-group", out var create) && string.Equals(create, "true", StringComparison.OrdinalIgnoreCase))
            {
                checks.Add(Ok(name, $"{group}: awslogs-create-group is set", group));
                continue;
            }
            var found = await Aws.Logs.DescribeLogGroupsAsync(new DescribeLogGroupsRequest(group, null, 50), cancellationToken).ConfigureAwait(false);
            checks.Add(found.LogGroups.Any(g => g.LogGroupName == group)
                ? Ok(name, $"{group} exists", group)
                : Fail(name, $"log group {group} does not exist and awslogs-create-group is not set", group,
                    $"create it (aws logs create-log-group --log-group-name {group}) or set awslogs-create-group to \"true\" (the execution role then needs logs:CreateLogGroup)"));
        }
        return checks;
    }

    private static string Short(string? arn) => arn is null ? "(none)" : arn.Split('/') is { Length: >= 2 } parts ? parts[^2] : arn;
}
