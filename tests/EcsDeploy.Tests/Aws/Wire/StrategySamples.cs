using System.Text.Json;
using EcsDeploy.Aws;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>An UpdateService request with every member of the native strategies filled in.</summary>
internal static class StrategySamples
{
    public static UpdateServiceRequest CanaryUpdate { get; } = new()
    {
        Cluster = "cluster",
        Service = "service",
        TaskDefinition = "app:4",
        DeploymentConfiguration = new DeploymentConfiguration
        {
            Strategy = DeploymentStrategies.Canary,
            BakeTimeInMinutes = 10,
            CanaryConfiguration = new CanaryConfiguration(10.0, 5),
            LinearConfiguration = new LinearConfiguration(20.0, 2),
            Alarms = new DeploymentAlarms(["app-5xx"], Enable: true, Rollback: true),
            LifecycleHooks =
            [
                new DeploymentLifecycleHook
                {
                    TargetType = LifecycleHookTargetTypes.Pause,
                    LifecycleStages = [LifecycleHookStages.PostTestTrafficShift],
                    TimeoutConfiguration = new DeploymentLifecycleHookTimeoutConfiguration(15, LifecycleHookActions.Rollback),
                },
                new DeploymentLifecycleHook
                {
                    TargetType = LifecycleHookTargetTypes.AwsLambda,
                    HookTargetArn = "arn:aws:lambda:eu-central-1:1:function:check",
                    RoleArn = "arn:aws:iam::1:role/hooks",
                    LifecycleStages = [LifecycleHookStages.PreScaleUp, LifecycleHookStages.PostProductionTrafficShift],
                    HookDetails = JsonSerializer.SerializeToElement(new { suite = "smoke" }),
                },
            ],
        },
        LoadBalancers =
        [
            new ServiceLoadBalancer
            {
                TargetGroupArn = "arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/blue/1",
                ContainerName = "app",
                ContainerPort = 3000,
                AdvancedConfiguration = new AdvancedConfiguration
                {
                    AlternateTargetGroupArn = "arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/green/2",
                    ProductionListenerRule = "arn:aws:elasticloadbalancing:eu-central-1:1:listener-rule/app/alb/1/2/3",
                    TestListenerRule = "arn:aws:elasticloadbalancing:eu-central-1:1:listener-rule/app/alb/1/4/5",
                    RoleArn = "arn:aws:iam::1:role/ecs-infrastructure",
                },
            },
        ],
    };
}
