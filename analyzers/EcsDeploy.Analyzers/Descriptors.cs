using Microsoft.CodeAnalysis;

namespace EcsDeploy.Analyzers
{
    /// <summary>Every descriptor. The message is the rule source's message (PipelineRules.cs), passed as {0}.</summary>
    internal static class Descriptors
    {
        public static readonly DiagnosticDescriptor PipelineNeverRun = Create(
            RuleIdentifiers.PipelineNeverRun, "Pipeline is defined but never run", "Usage", DiagnosticSeverity.Warning,
            "A pipeline built with Pipeline.For(...) that is neither run (RunAsync), built (Build()) nor handed on does nothing.");

        public static readonly DiagnosticDescriptor StagesOutOfOrder = Create(
            RuleIdentifiers.StagesOutOfOrder, "Pipeline stages are out of order", "Correctness", DiagnosticSeverity.Error,
            "Stages run in the order they are written; each stage declares ([PipelineStage]) the outputs it requires, uses and produces, and where no data flows which stages it must follow or precede. A stage must come after the stages that produce what it needs, and a required output must be produced by some stage.");

        public static readonly DiagnosticDescriptor DuplicateConfiguration = Create(
            RuleIdentifiers.DuplicateConfiguration, "Stage or environment variable set twice", "Usage", DiagnosticSeverity.Warning,
            "A stage added twice or an environment variable set twice is almost always a copy-paste mistake; only one of them takes effect.");

        public static readonly DiagnosticDescriptor HardCodedCredentials = Create(
            RuleIdentifiers.HardCodedCredentials, "Hard-coded AWS credentials", "Security", DiagnosticSeverity.Error,
            "AWS access key ids (AKIA..., ASIA...) and secret access keys must never be written into source code.");

        public static readonly DiagnosticDescriptor LiteralSecret = Create(
            RuleIdentifiers.LiteralSecret, "Secret given as a literal environment variable", "Security", DiagnosticSeverity.Warning,
            "Secret-like variables belong in Secrets Manager and are injected by ECS, not written into the task definition.");

        public static readonly DiagnosticDescriptor InvalidName = Create(
            RuleIdentifiers.InvalidName, "Invalid AWS name", "Correctness", DiagnosticSeverity.Error,
            "Names given to the pipeline, region, cluster, service, task family, container, ECR repository and environment variables follow AWS's naming rules.");

        public static readonly DiagnosticDescriptor OllamaMisconfigured = Create(
            RuleIdentifiers.OllamaMisconfigured, "Ollama misconfigured", "Correctness", DiagnosticSeverity.Warning,
            "The Ollama model must be a model reference and the timeout positive and no longer than the deployment wait.");

        public static readonly DiagnosticDescriptor DevelopmentMigration = Create(
            RuleIdentifiers.DevelopmentMigration, "Development-only migration command", "Reliability", DiagnosticSeverity.Error,
            "prisma migrate dev, migrate reset, db push and --accept-data-loss can drop or rewrite data; a deploy pipeline applies committed migrations only.");

        public static readonly DiagnosticDescriptor MutableImageTag = Create(
            RuleIdentifiers.MutableImageTag, "Only a mutable image tag", "Reliability", DiagnosticSeverity.Warning,
            "A deployment of 'latest' alone cannot say which image runs, and a rollback cannot return to an exact image.");

        public static readonly DiagnosticDescriptor SafetyNetDisabled = Create(
            RuleIdentifiers.SafetyNetDisabled, "Circuit breaker or rollback turned off", "Reliability", DiagnosticSeverity.Warning,
            "Without the circuit breaker and rollback a failing deployment is not stopped and not undone.");

        public static readonly DiagnosticDescriptor VerifyWithoutWait = Create(
            RuleIdentifiers.VerifyWithoutWait, "Verification without waiting for the deployment", "Usage", DiagnosticSeverity.Warning,
            "Verify checks the running service; without waiting for the deployment it checks the previous revision.");

        public static readonly DiagnosticDescriptor StrategyWithoutLoadBalancer = Create(
            RuleIdentifiers.StrategyWithoutLoadBalancer, "Strategy and load balancer configuration do not match", "Correctness", DiagnosticSeverity.Error,
            "Blue/green, linear and canary deployments run the new revision behind a second target group and move traffic by changing listener rules: ECS needs the load balancer's advanced configuration (alternate target group, production listener rule, role). A rolling deployment uses none of it. lb.FromTerraform() reads it from Terraform outputs, which only a pipeline started with Pipeline.FromTerraform has.");

        public static readonly DiagnosticDescriptor StrategyOutOfRange = Create(
            RuleIdentifiers.StrategyOutOfRange, "Deployment strategy value out of range", "Correctness", DiagnosticSeverity.Error,
            "ECS takes a canary percentage and a linear step in tenths of a percent (0.1-100 and 3-100), bake times in whole minutes from 0 to 1440, and a test traffic pause in whole minutes from 1 to 20160.");

        public static readonly DiagnosticDescriptor CircuitBreakerIgnored = Create(
            RuleIdentifiers.CircuitBreakerIgnored, "Circuit breaker configured with a strategy it does not apply to", "Reliability", DiagnosticSeverity.Error,
            "ECS applies the deployment circuit breaker to rolling deployments only; with blue/green, linear and canary deployments it does nothing, and alarms (RollbackOnAlarms) and test traffic checks (TestTraffic) are the safety net.");

        public static readonly DiagnosticDescriptor TestTrafficWithoutTestListener = Create(
            RuleIdentifiers.TestTrafficWithoutTestListener, "Test traffic without a test listener rule", "Correctness", DiagnosticSeverity.Error,
            "Test traffic checks run against the test listener rule, which only the new revision answers before production traffic moves: it needs a blue/green, linear or canary strategy and .TestListenerRule(...) in .LoadBalancer(...).");

        public static readonly DiagnosticDescriptor BakeLongerThanWait = Create(
            RuleIdentifiers.BakeLongerThanWait, "Strategy bakes longer than the wait timeout", "Correctness", DiagnosticSeverity.Error,
            "The bake times of a blue/green, linear or canary strategy are the least time its deployment takes; a wait timeout no longer than them gives up on (and rolls back) a deployment that is going well.");

        public static readonly DiagnosticDescriptor PauseHookWhileTrafficMoves = Create(
            RuleIdentifiers.PauseHookWhileTrafficMoves, "PAUSE hook at a stage ECS does not pause at", "Correctness", DiagnosticSeverity.Error,
            "ECS pauses a deployment at RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT and POST_PRODUCTION_TRAFFIC_SHIFT only; not at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT, while traffic moves (Lambda hooks run there).");

        private static DiagnosticDescriptor Create(string id, string title, string category, DiagnosticSeverity severity, string description)
        {
            return new DiagnosticDescriptor(id, title, "{0}", category, severity, isEnabledByDefault: true,
                description: description, helpLinkUri: RuleIdentifiers.HelpLink(id));
        }
    }
}
