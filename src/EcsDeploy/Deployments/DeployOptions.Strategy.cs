using EcsDeploy.Aws;

namespace EcsDeploy
{
    // The native deployment strategies of ECS: blue/green, linear and canary, their test-traffic gate, alarms and hooks.
    public sealed partial class DeployOptions
    {
        internal DeploymentStrategy DeploymentStrategy { get; private set; } = EcsDeploy.DeploymentStrategy.Rolling();
        internal LoadBalancerOptions? Traffic { get; private set; }
        internal TestTrafficOptions? TestTrafficChecks { get; private set; }
        internal List<string> AlarmNames { get; } = [];
        internal bool AlarmsSet { get; private set; }
        internal List<DeploymentLifecycleHook> LambdaHooks { get; } = [];
        internal List<(string Stage, TimeSpan? Timeout, string TimeoutAction)> PauseHooks { get; } = [];
        internal bool CircuitBreakerSet { get; private set; }
        internal bool TimeoutSet { get; private set; }

        /// <summary>
        /// How ECS replaces the revision: <see cref="DeploymentStrategy.Rolling"/> (the default), or
        /// <see cref="DeploymentStrategy.BlueGreen"/>, <see cref="DeploymentStrategy.Linear"/>, <see cref="DeploymentStrategy.Canary"/>
        /// (these need <see cref="LoadBalancer"/>; the circuit breaker does not apply to them).
        /// </summary>
        public DeployOptions Strategy(DeploymentStrategy strategy)
        {
            _freeze.EnsureMutable();
            ArgumentNullException.ThrowIfNull(strategy);
            DeploymentStrategy = strategy;
            return this;
        }

        /// <summary>The second target group and the listener rules ECS shifts traffic with (blue/green, linear, canary).</summary>
        public DeployOptions LoadBalancer(Action<LoadBalancerOptions> configure)
        {
            _freeze.EnsureMutable();
            ArgumentNullException.ThrowIfNull(configure);
            Traffic ??= new LoadBalancerOptions(_freeze);
            configure(Traffic);
            return this;
        }

        /// <summary>
        /// Pauses the deployment once test traffic reaches the new revision and runs these checks against the test listener:
        /// the deployment continues when they pass, and is rolled back (production traffic never moved) when one fails.
        /// </summary>
        public DeployOptions TestTraffic(Action<TestTrafficOptions> configure)
        {
            _freeze.EnsureMutable();
            ArgumentNullException.ThrowIfNull(configure);
            TestTrafficChecks ??= new TestTrafficOptions(_freeze);
            configure(TestTrafficChecks);
            return this;
        }

        /// <summary>CloudWatch alarms whose ALARM state during the deployment (bakes included) fails it and rolls it back.</summary>
        public DeployOptions RollbackOnAlarms(params string[] alarmNames)
        {
            _freeze.EnsureMutable();
            ArgumentNullException.ThrowIfNull(alarmNames);
            AlarmsSet = true;
            AlarmNames.AddRange(alarmNames);
            return this;
        }

        /// <summary>
        /// A Lambda function ECS invokes at the given lifecycle stages (<see cref="LifecycleHookStages"/>), passed through as
        /// configured; it answers SUCCEEDED, FAILED or IN_PROGRESS. <paramref name="roleArn"/> is the role ECS invokes it with.
        /// </summary>
        public DeployOptions LambdaHook(string functionArn, string roleArn, params string[] stages)
        {
            _freeze.EnsureMutable();
            ArgumentNullException.ThrowIfNull(stages);
            LambdaHooks.Add(new DeploymentLifecycleHook
            {
                TargetType = LifecycleHookTargetTypes.AwsLambda,
                HookTargetArn = functionArn,
                RoleArn = roleArn,
                LifecycleStages = [.. stages],
            });
            return this;
        }

        /// <summary>
        /// A PAUSE hook: ECS pauses the deployment at <paramref name="stage"/> (<see cref="LifecycleHookStages"/>) and waits
        /// for ContinueServiceDeployment (a person's approval, a check run elsewhere, <c>aws ecs continue-service-deployment</c>)
        /// until <paramref name="timeout"/> (ECS's default: 24 h), then takes <paramref name="timeoutAction"/> (ROLLBACK or
        /// CONTINUE). ECS pauses between stages only: not at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT, while traffic moves.
        /// The run waits while the deployment is paused, as long as the hook lasts.
        /// </summary>
        public DeployOptions PauseHook(string stage, TimeSpan? timeout = null, string timeoutAction = LifecycleHookActions.Rollback)
        {
            _freeze.EnsureMutable();
            PauseHooks.Add((stage, timeout, timeoutAction));
            return this;
        }
    }
}
