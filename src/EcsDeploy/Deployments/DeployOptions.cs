using EcsDeploy.Aws;
using EcsDeploy.Deployments;
using EcsDeploy.Rules;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy
{
    /// <summary>What to do when the service already has a deployment in progress that is not ours.</summary>
    public enum AnotherDeployment
    {
        /// <summary>Wait for it to finish, then deploy (the default).</summary>
        Wait,
        /// <summary>Refuse to deploy, changing nothing.</summary>
        Refuse,
    }

    /// <summary>Options of the Deploy stage.</summary>
    public sealed partial class DeployOptions : IFreezable
    {
        private readonly FreezeGuard _freeze = new("Deploy");

        void IFreezable.Freeze() => _freeze.Freeze();

        internal string? ServiceName { get; private set; }
        internal string? ContainerName { get; private set; }
        internal string? FamilyName { get; private set; }
        internal List<EcsKeyValuePair> EnvironmentVariables { get; } = [];
        internal List<KeyValuePair<string, string>> SecretReferences { get; } = [];
        internal bool CircuitBreakerEnabled { get; private set; } = true;
        internal bool RollbackEnabled { get; private set; } = true;
        internal TimeSpan Timeout { get; private set; } = TimeSpan.FromMinutes(10);
        internal bool WaitEnabled { get; private set; } = true;
        internal AnotherDeployment AnotherDeploymentPolicy { get; private set; } = AnotherDeployment.Wait;
        internal List<(string From, string To)> DependencyEdges { get; } = [];
        internal int? LogRetentionDays { get; private set; }
        internal bool AutoScalingSuspended { get; private set; }

        /// <summary>
        /// Suspends the service's Application Auto Scaling (dynamic scale in and out, and scheduled scaling) for the
        /// duration of the rollout, and restores the state it had after, on success, failure or cancellation alike, so
        /// that no scaling activity changes the desired count under the rollout. A service without a scalable target is
        /// rolled out as it is.
        /// </summary>
        public DeployOptions SuspendAutoScaling(bool enabled = true)
        {
            _freeze.EnsureMutable();
            AutoScalingSuspended = enabled;
            return this;
        }

        /// <summary>
        /// Keeps the container's CloudWatch log groups (awslogs) for this many days (the seed: 7), set idempotently
        /// before the service is updated. CloudWatch accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
        /// 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.
        /// </summary>
        public DeployOptions LogRetention(int days)
        {
            _freeze.EnsureMutable();
            LogRetentionDays = days;
            return this;
        }

        /// <summary>The ECS service to update.</summary>
        public DeployOptions Service(string service)
        {
            _freeze.EnsureMutable();
            ServiceName = service;
            return this;
        }

        /// <summary>The container whose image and environment the pipeline sets (default: the only container, else the pipeline name).</summary>
        public DeployOptions Container(string container)
        {
            _freeze.EnsureMutable();
            ContainerName = container;
            return this;
        }

        /// <summary>The task-definition family to register (default: the family the service runs now).</summary>
        public DeployOptions Family(string family)
        {
            _freeze.EnsureMutable();
            FamilyName = family;
            return this;
        }

        /// <summary>A plain environment variable. Secrets belong in <see cref="Secret"/>.</summary>
        public DeployOptions Environment(string name, string value)
        {
            _freeze.EnsureMutable();
            EnvironmentVariables.Add(new EcsKeyValuePair(name, value));
            return this;
        }

        /// <summary>A variable ECS injects from Secrets Manager: the secret's name or ARN, never its value.</summary>
        public DeployOptions Secret(string name, string secretId)
        {
            _freeze.EnsureMutable();
            SecretReferences.Add(new(name, secretId));
            return this;
        }

        /// <summary>The ECS deployment circuit breaker (default on).</summary>
        public DeployOptions CircuitBreaker(bool enabled = true)
        {
            _freeze.EnsureMutable();
            CircuitBreakerEnabled = enabled;
            CircuitBreakerSet = true;
            return this;
        }

        /// <summary>Roll back to the last good revision on failure (default on).</summary>
        public DeployOptions RollbackOnFailure(bool enabled = true)
        {
            _freeze.EnsureMutable();
            RollbackEnabled = enabled;
            return this;
        }

        /// <summary>How long to wait for the deployment to complete before rolling back (default 10 minutes).</summary>
        public DeployOptions WaitTimeout(TimeSpan timeout)
        {
            _freeze.EnsureMutable();
            Timeout = timeout;
            TimeoutSet = true;
            return this;
        }

        /// <summary>Wait for the deployment to complete (default on).</summary>
        public DeployOptions Wait(bool enabled = true)
        {
            _freeze.EnsureMutable();
            WaitEnabled = enabled;
            return this;
        }

        /// <summary>
        /// This service depends on <paramref name="service"/>: with <c>--deploy-dependencies</c> that service is
        /// deployed (a new deployment of the revision it runs) and confirmed before this one is touched.
        /// </summary>
        public DeployOptions DependsOn(string service)
        {
            _freeze.EnsureMutable();
            DependencyEdges.Add(("", service));
            return this;
        }

        /// <summary>A dependency's own dependencies, so that they deploy before it: the services form a graph.</summary>
        public DeployOptions Dependency(string service, params string[] dependsOn)
        {
            _freeze.EnsureMutable();
            foreach (var target in dependsOn)
            {
                DependencyEdges.Add((service, target));
            }
            return this;
        }

        /// <summary>What to do when the service has a deployment in progress that this run did not start.</summary>
        public DeployOptions WhenAnotherDeploymentInProgress(AnotherDeployment policy)
        {
            _freeze.EnsureMutable();
            AnotherDeploymentPolicy = policy;
            return this;
        }
    }
}
