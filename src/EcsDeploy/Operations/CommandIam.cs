using EcsDeploy.Deployments;
using EcsDeploy.Iam;

namespace EcsDeploy.Operations;

/// <summary>
/// The IAM actions of each day-2 command (<c>--print-iam-policy --command NAME</c>), scoped as the pipeline's own
/// policy is: the service, the cluster's tasks, the family's task definitions and the task's roles.
/// </summary>
internal static class CommandIam
{
    public static IEnumerable<IamGrant> Status(IamScope scope) =>
    [
        .. ReadService(scope), .. ReadTasks(scope), .. ReadImages(scope),
        new IamGrant("ReadScalableTargets", ["application-autoscaling:DescribeScalableTargets"], ["*"]),
    ];

    public static IEnumerable<IamGrant> Diff(IamScope scope)
    {
        var grants = new List<IamGrant>(ReadService(scope));
        if (scope.Definition.DeployedService?.Target.Secrets is { Count: > 0 } secrets)
        {
            grants.Add(new("ResolveSecretArns", ["secretsmanager:DescribeSecret"], [.. secrets.Select(s => scope.SecretArn(s.Value)).Distinct(StringComparer.Ordinal)]));
        }
        return grants;
    }

    public static IEnumerable<IamGrant> Rollback(IamScope scope)
    {
        var service = Service(scope);
        var grants = new List<IamGrant>(scope.Rollout("RollBackService", service));
        grants.AddRange(History(scope));
        grants.AddRange(ReadImages(scope));
        // A blue/green, linear or canary deployment under way is stopped with rollback and followed (StrategyRollback).
        grants.Add(new("StopServiceDeploymentWithRollback", ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment"],
            [scope.Arn("ecs", $"service-deployment/{scope.Definition.Cluster}/{service}/*")]));
        grants.Add(new("DeregisterTheRevisionLeft", ["ecs:DeregisterTaskDefinition"], ["*"]));
        if (scope.Definition.Stage<DeployStage>()?.Options.AutoScalingSuspended == true)
        {
            grants.AddRange(scope.SuspendAutoScaling(service));
        }
        return grants;
    }

    public static IEnumerable<IamGrant> Run(IamScope scope) =>
    [
        .. ReadService(scope),
        new IamGrant("RunOneOffTask", ["ecs:RunTask"], scope.TaskDefinitionArns) { Conditions = [new("ArnEquals", "ecs:cluster", scope.ClusterArn)] },
        new IamGrant("StopOneOffTask", ["ecs:StopTask"], [scope.Arn("ecs", $"task/{scope.Definition.Cluster}/*")]),
        scope.PassRoles(),
        .. scope.Tasks(),
        .. Reporting.TaskSecretMasking.IamGrant(scope) is { } masking ? [masking] : Array.Empty<IamGrant>(),
    ];

    public static IEnumerable<IamGrant> Revisions(IamScope scope) =>
    [
        .. ReadService(scope),
        .. ReadTasks(scope),
        .. History(scope),
        new IamGrant("ListRevisions", ["ecs:ListTaskDefinitions"], ["*"]),
    ];

    public static IEnumerable<IamGrant> Deregister(IamScope scope) =>
    [
        .. Revisions(scope),
        new IamGrant("DeregisterAndDeleteRevisions", ["ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions"], ["*"]),
    ];

    public static IEnumerable<IamGrant> Scale(IamScope scope) =>
    [
        new IamGrant("ScaleService", ["ecs:DescribeServices", "ecs:UpdateService"], [scope.ServiceArn(Service(scope))]),
        new IamGrant("ReadTaskDefinitions", ["ecs:DescribeTaskDefinition"], ["*"]),
        new IamGrant("ReadScalableTargets", ["application-autoscaling:DescribeScalableTargets"], ["*"]),
        // --adjust-range widens the range of the service's scalable target.
        new IamGrant("AdjustScalableTargetRange", ["application-autoscaling:RegisterScalableTarget"], [scope.Arn("application-autoscaling", "scalable-target/*")]),
        // --resume removes the tag a deploy left on the service with the state to restore.
        new IamGrant("ForgetSuspendedScaling", ["ecs:UntagResource"], [scope.ServiceArn(Service(scope))]),
    ];

    private static string Service(IamScope scope) => scope.Definition.DeployedService?.Target.Service ?? "*";

    private static IEnumerable<IamGrant> ReadService(IamScope scope) =>
    [
        new IamGrant("DescribeService", ["ecs:DescribeServices"], [scope.ServiceArn(Service(scope))]),
        new IamGrant("ReadTaskDefinitions", ["ecs:DescribeTaskDefinition"], ["*"]),
    ];

    private static IEnumerable<IamGrant> ReadTasks(IamScope scope) =>
    [
        new IamGrant("ListTasksInCluster", ["ecs:ListTasks"], ["*"]) { Conditions = [new("ArnEquals", "ecs:cluster", scope.ClusterArn)] },
        new IamGrant("DescribeTasksInCluster", ["ecs:DescribeTasks"], [scope.Arn("ecs", $"task/{scope.Definition.Cluster}/*")]),
    ];

    /// <summary>The images of revisions: their digest (status) and whether ECR still has them (rollback).</summary>
    private static IEnumerable<IamGrant> ReadImages(IamScope scope) =>
    [
        new IamGrant("FindRegistry", ["ecr:GetAuthorizationToken"], ["*"]),
        new IamGrant("ReadImages", ["ecr:DescribeImages"], [scope.Arn("ecr", "repository/*")]),
    ];

    /// <summary>The service's deployment history, where rollback finds its target.</summary>
    private static IEnumerable<IamGrant> History(IamScope scope) =>
    [
        new IamGrant("ReadServiceDeployments", ["ecs:ListServiceDeployments"], [scope.ServiceArn(Service(scope))]),
        new IamGrant("ReadServiceRevisions", ["ecs:DescribeServiceRevisions"], [scope.Arn("ecs", $"service-revision/{scope.Definition.Cluster}/{Service(scope)}/*")]),
    ];
}
