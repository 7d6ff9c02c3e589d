using EcsDeploy.Iam;

namespace EcsDeploy.Preflight;

/// <summary>The read-only IAM actions the preflight (and the <c>verify</c> command) uses.</summary>
internal static class PreflightIam
{
    /// <summary>
    /// The grants of the preflight when the pipeline runs it: reading the task's roles, target groups, log groups, the
    /// image's manifest and config in ECR, and the CloudWatch alarms the deployment rolls back on. Secrets get no grant of their own: the Deploy stage's DescribeSecret covers the
    /// pipeline's references, another secret of the running revision is skipped when it may not be described, and a
    /// JSON key is checked only when the deployer may already read the value.
    /// </summary>
    public static IEnumerable<IamGrant> Grants(IamScope scope)
    {
        if (!scope.Definition.Preflight || scope.Definition.DeployedService is null)
        {
            yield break;
        }
        // With --deploy-dependencies the preflight also reads the roles of the services the deployed one depends on.
        yield return new IamGrant("PreflightReadTaskRoles", ["iam:GetRole"],
            scope.RoleArns.Count == 0 ? [$"arn:{scope.Partition}:iam::{scope.AccountId}:role/*"] : [.. scope.RoleArns.Concat(scope.DependencyRoleArns).Distinct(StringComparer.Ordinal)]);
        yield return new IamGrant("PreflightReadTargetGroups", ["elasticloadbalancing:DescribeTargetGroups"], ["*"]);
        yield return new IamGrant("PreflightFindLogGroups", ["logs:DescribeLogGroups"], [scope.Arn("logs", "log-group:*")]);
        yield return new IamGrant("PreflightReadImages", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [scope.Arn("ecr", "repository/*")]);
        yield return new IamGrant("PreflightRegistryLogin", ["ecr:GetAuthorizationToken"], ["*"]);
        if (scope.Definition.DeployedService is Deployments.DeployStage { Options.AlarmNames.Count: > 0 })
        {
            // The alarms of d.RollbackOnAlarms must exist. CloudWatch answers composite alarms only to a grant on "*".
            yield return new IamGrant("PreflightReadAlarms", ["cloudwatch:DescribeAlarms"], ["*"]);
        }
    }
}
