using System.Text;
using System.Text.Json;
using EcsDeploy.Aws;

namespace EcsDeploy.Iam;

/// <summary>A condition of an IAM statement, for example <c>ArnEquals ecs:cluster arn:aws:ecs:...</c>.</summary>
public sealed record IamCondition(string Operator, string Key, string Value);

/// <summary>Actions a stage needs on some resources: one statement of the policy before merging.</summary>
public sealed record IamGrant(string Sid, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources)
{
    /// <summary>Conditions that narrow the grant where the resource cannot (for example <c>ecs:cluster</c>).</summary>
    public IReadOnlyList<IamCondition> Conditions { get; init; } = [];
}

/// <summary>
/// Implemented by stages that call AWS: the IAM actions the stage uses, as data next to the stage, scoped to the
/// resources it touches. <see cref="IamPolicy.For(IamScope)"/> reads every stage of a definition; third-party stages that
/// implement it are included too.
/// </summary>
public interface IDeclaresIamPermissions
{
    /// <summary>The grants the stage needs in <paramref name="scope"/> (every invocation's needs: --deploy-ollama, --image-tag, failures).</summary>
    IEnumerable<IamGrant> IamGrants(IamScope scope);
}

/// <summary>Where a policy applies: the definition, account and partition, and what the running service revealed.</summary>
public sealed record IamScope(PipelineDefinition Definition, string AccountId)
{
    /// <summary>The placeholder used when no account id is given (CloudFormation's pseudo parameter).</summary>
    public const string AccountPlaceholder = "${AWS::AccountId}";

    /// <summary>The partition (<c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>).</summary>
    public string Partition { get; init; } = "aws";
    /// <summary>The task's execution and task roles (from the running task definition); when empty, any role passed to ECS tasks.</summary>
    public IReadOnlyList<string> RoleArns { get; init; } = [];
    /// <summary>
    /// The roles of the services the deployed one depends on (<c>--deploy-dependencies</c>), which the preflight reads
    /// but the run never passes; when empty and <see cref="RoleArns"/> is known, dependencies' roles get no grant.
    /// </summary>
    public IReadOnlyList<string> DependencyRoleArns { get; init; } = [];
    /// <summary>The awslogs log groups of the services' containers; when empty, <c>/ecs/*</c>.</summary>
    public IReadOnlyList<string> LogGroups { get; init; } = [];
    /// <summary>The task-definition families the services run; when empty, any family (still limited to the cluster).</summary>
    public IReadOnlyList<string> Families { get; init; } = [];

    /// <summary>The region.</summary>
    public string Region => Definition.Region;
    /// <summary>An ARN in this account and region.</summary>
    public string Arn(string service, string resource) => $"arn:{Partition}:{service}:{Region}:{AccountId}:{resource}";
    /// <summary>The cluster's ARN.</summary>
    public string ClusterArn => Arn("ecs", "cluster/" + Definition.Cluster);
    /// <summary>An ECS service's ARN in the cluster.</summary>
    public string ServiceArn(string service) => Arn("ecs", $"service/{Definition.Cluster}/{service}");

    /// <summary>Following a rollout of <paramref name="service"/>: describe and update it, watch its tasks, read their logs on failure.</summary>
    public IEnumerable<IamGrant> Rollout(string sid, string service)
    {
        yield return new IamGrant(sid, ["ecs:DescribeServices", "ecs:UpdateService"], [ServiceArn(service)]);
        // The follower times its reads from the target group's health check and deregistration delay (ELB's Describe
        // actions take no resource-level permissions).
        yield return new IamGrant("ReadTargetGroupTimings", ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes"], ["*"]);
        foreach (var grant in Tasks())
        {
            yield return grant;
        }
    }

    /// <summary>Watching tasks in the cluster and reading their logs: ListTasks, DescribeTasks, DescribeTaskDefinition, GetLogEvents.</summary>
    public IEnumerable<IamGrant> Tasks()
    {
        yield return new IamGrant("ListTasksInCluster", ["ecs:ListTasks"], ["*"]) { Conditions = [new("ArnEquals", "ecs:cluster", ClusterArn)] };
        yield return new IamGrant("DescribeTasksInCluster", ["ecs:DescribeTasks"], [Arn("ecs", $"task/{Definition.Cluster}/*")]);
        yield return new IamGrant("ReadTaskDefinitions", ["ecs:DescribeTaskDefinition"], ["*"]);
        yield return new IamGrant("ReadTaskLogs", ["logs:GetLogEvents"],
            LogGroups.Count == 0 ? [Arn("logs", "log-group:/ecs/*:*")] : [.. LogGroups.Select(g => Arn("logs", $"log-group:{g}:*"))]);
    }

    /// <summary>Reading a service's Application Auto Scaling target and setting its suspended state (d.SuspendAutoScaling(), scale).</summary>
    public IEnumerable<IamGrant> SuspendAutoScaling(string service)
    {
        yield return new IamGrant("ReadScalableTargets", ["application-autoscaling:DescribeScalableTargets"], ["*"]);
        // Application Auto Scaling checks that the caller may describe and update the service it registers.
        yield return new IamGrant("SuspendAndResumeScaling", ["application-autoscaling:RegisterScalableTarget"], [Arn("application-autoscaling", "scalable-target/*")]);
        yield return new IamGrant("ScaledService", ["ecs:DescribeServices", "ecs:UpdateService"], [ServiceArn(service)]);
        // The tag on the service that records what to restore, so that a run killed mid-rollout is noticed.
        yield return new IamGrant("RecordSuspendedScaling", ["ecs:TagResource", "ecs:UntagResource"], [ServiceArn(service)]);
    }

    /// <summary>Registering task definitions (with tags) that name the task's roles.</summary>
    public IEnumerable<IamGrant> RegisterTaskDefinitions()
    {
        yield return new IamGrant("RegisterTaskDefinitions", ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"], ["*"]);
        yield return new IamGrant("TagOnRegister", ["ecs:TagResource"], ["*"]) { Conditions = [new("StringEquals", "ecs:CreateAction", "RegisterTaskDefinition")] };
        yield return PassRoles();
    }

    /// <summary>iam:PassRole for the task's roles, only to ECS tasks.</summary>
    public IamGrant PassRoles() => new("PassTaskRoles", ["iam:PassRole"],
        RoleArns.Count == 0 ? [$"arn:{Partition}:iam::{AccountId}:role/*"] : RoleArns)
    {
        Conditions = [new("StringEquals", "iam:PassedToService", "ecs-tasks.amazonaws.com")],
    };

    /// <summary>A Secrets Manager secret's ARN from a name (any suffix) or an ARN as given.</summary>
    public string SecretArn(string secretId) => secretId.StartsWith("arn:", StringComparison.Ordinal) ? secretId : Arn("secretsmanager", $"secret:{secretId}-*");

    /// <summary>Task-definition ARNs of the known families (any revision), or every family.</summary>
    public IReadOnlyList<string> TaskDefinitionArns => Families.Count == 0 ? [Arn("ecs", "task-definition/*:*")] : [.. Families.Select(f => Arn("ecs", $"task-definition/{f}:*"))];
}

/// <summary>Computes the least-privilege IAM policy a pipeline needs, from its stages.</summary>
public static class IamPolicy
{
    /// <summary>Every grant of every stage (and of the definition's Terraform remote state), unmerged.</summary>
    public static IReadOnlyList<IamGrant> Grants(IamScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var grants = new List<IamGrant>();
        foreach (var stage in scope.Definition.Stages.OfType<IDeclaresIamPermissions>())
        {
            grants.AddRange(stage.IamGrants(scope));
        }
        // The tasks' log lines are masked with the values of their secrets (Reporting/TaskSecretMasking.cs).
        grants.AddRange(Reporting.TaskSecretMasking.IamGrant(scope) is { } masking ? [masking] : []);
        // The preflight every plan runs (read-only).
        grants.AddRange(Preflight.PreflightIam.Grants(scope));
        if (scope.Definition.Terraform.StateFilePath is { } state && state.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            grants.Add(new IamGrant("ReadTerraformState", ["s3:GetObject"], [$"arn:{scope.Partition}:s3:::{state["s3://".Length..]}"]));
        }
        return grants;
    }

    /// <summary>The actions of the policy, sorted.</summary>
    public static IReadOnlyList<string> Actions(IamScope scope) => [.. Grants(scope).SelectMany(g => g.Actions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The policy document: grants with the same resources and conditions merged, actions and resources sorted.</summary>
    public static string For(IamScope scope) => For(Grants(scope));

    /// <summary>The policy document of <paramref name="grants"/> (a command's, for example), merged and sorted as <see cref="For(IamScope)"/> does.</summary>
    public static string For(IEnumerable<IamGrant> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var statements = grants
            .GroupBy(g => string.Join('\n', g.Resources.Order(StringComparer.Ordinal)) + "\n--\n" + string.Join('\n', g.Conditions.Select(c => $"{c.Operator} {c.Key} {c.Value}")), StringComparer.Ordinal)
            .Select(group => new
            {
                // Everything on "*" without a condition merges into one statement: name it for what it is.
                Sid = group.First().Resources is ["*"] && group.First().Conditions.Count == 0 ? "NoResourceLevelPermissions" : group.First().Sid,
                Actions = group.SelectMany(g => g.Actions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                Resources = group.First().Resources.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                group.First().Conditions,
            })
            .ToList();

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("Version", "2012-10-17");
            json.WriteStartArray("Statement");
            var sids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var statement in statements)
            {
                var sid = statement.Sid;
                for (var n = 2; !sids.Add(sid); n++)
                {
                    sid = statement.Sid + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                json.WriteStartObject();
                json.WriteString("Sid", sid);
                json.WriteString("Effect", "Allow");
                WriteOneOrMany(json, "Action", statement.Actions);
                WriteOneOrMany(json, "Resource", statement.Resources);
                if (statement.Conditions.Count > 0)
                {
                    json.WriteStartObject("Condition");
                    foreach (var byOperator in statement.Conditions.GroupBy(c => c.Operator))
                    {
                        json.WriteStartObject(byOperator.Key);
                        foreach (var condition in byOperator)
                        {
                            json.WriteString(condition.Key, condition.Value);
                        }
                        json.WriteEndObject();
                    }
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteOneOrMany(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 1)
        {
            json.WriteString(name, values[0]);
            return;
        }
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// Reads, with read-only calls (DescribeServices, DescribeTaskDefinition), the roles, log groups and families of the
    /// services the pipeline deploys, so that the policy names them instead of wildcards. Returns <paramref name="scope"/>
    /// unchanged for a service it cannot read.
    /// </summary>
    public static async Task<IamScope> ResolveAsync(IamScope scope, AwsEnvironment aws, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(aws);
        var services = new List<string>();
        if (scope.Definition.DeployedService?.Target.Service is { } backend)
        {
            services.Add(backend);
        }
        if (scope.Definition.Stage<Ollama.OllamaStage>() is { } ollama)
        {
            services.Add(ollama.ServiceName(scope.Definition));
        }
        if (services.Count == 0)
        {
            return scope;
        }
        var dependencies = scope.Definition.DeployedService is Deployments.DeployStage deploy
            ? deploy.Graph(scope.Definition).DeploymentOrder().Where(d => !services.Contains(d)).ToList()
            : [];
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        var groups = new SortedSet<string>(StringComparer.Ordinal);
        var families = new SortedSet<string>(StringComparer.Ordinal);
        var described = await aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(scope.Definition.Cluster, services), cancellationToken).ConfigureAwait(false);
        foreach (var service in described.Services.Where(s => s.TaskDefinition is not null))
        {
            var definition = (await aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(service.TaskDefinition!, IncludeTags: false), cancellationToken).ConfigureAwait(false)).TaskDefinition;
            // Both services register revisions that name their roles: the backend's (Deploy, Migrate) and, with
            // --deploy-ollama, Ollama's own family.
            foreach (var role in new[] { definition.ExecutionRoleArn, definition.TaskRoleArn }.OfType<string>())
            {
                roles.Add(role);
            }
            // Only the backend's family runs one-off tasks (the migration): RunTask stays scoped to it.
            if (service.ServiceName == services[0] && scope.Definition.DeployedService is { } deployer)
            {
                families.Add(deployer.Target.Family ?? definition.Family!);
            }
            foreach (var container in definition.ContainerDefinitions ?? [])
            {
                if (container.LogConfiguration is { LogDriver: "awslogs", Options: { } options } && options.TryGetValue("awslogs-group", out var group))
                {
                    groups.Add(group);
                }
            }
        }
        var dependencyRoles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var chunk in dependencies.Chunk(10))
        {
            var read = await aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(scope.Definition.Cluster, [.. chunk]), cancellationToken).ConfigureAwait(false);
            foreach (var service in read.Services.Where(s => s.TaskDefinition is not null))
            {
                var definition = (await aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(service.TaskDefinition!, IncludeTags: false), cancellationToken).ConfigureAwait(false)).TaskDefinition;
                dependencyRoles.UnionWith(new[] { definition.ExecutionRoleArn, definition.TaskRoleArn }.OfType<string>().Where(r => !roles.Contains(r)));
            }
        }
        return scope with
        {
            RoleArns = roles.Count > 0 ? [.. roles] : scope.RoleArns,
            DependencyRoleArns = dependencyRoles.Count > 0 ? [.. dependencyRoles] : scope.DependencyRoleArns,
            LogGroups = groups.Count > 0 ? [.. groups] : scope.LogGroups,
            Families = families.Count > 0 ? [.. families] : scope.Families,
        };
    }
}
