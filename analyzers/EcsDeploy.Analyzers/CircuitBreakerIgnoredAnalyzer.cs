using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// ED0014: `d.CircuitBreaker()` beside a blue/green, linear or canary strategy, where ECS does not apply it (the code
    /// fix removes it). `d.CircuitBreaker(false)` there says nothing wrong: neither Build() nor ED0010 reports it.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class CircuitBreakerIgnoredAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.CircuitBreakerIgnored);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeploymentStrategy != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            DeployConfiguration? deploy = context.Deploy(call, symbols);
            StrategyChoice? strategy = deploy?.Strategy;
            if (deploy == null || strategy == null || !strategy.ShiftsTraffic) return;
            bool? enabled = null;
            foreach (IInvocationOperation breaker in deploy.Calls)
            {
                if (breaker.TargetMethod.Name == "CircuitBreaker") enabled = Enabled(breaker);
            }
            if (enabled != true) return; // not set, turned off last, or not a constant
            foreach (IInvocationOperation breaker in deploy.Calls)
            {
                if (breaker.TargetMethod.Name == "CircuitBreaker" && Enabled(breaker) == true)
                {
                    context.ReportOnce(Descriptors.CircuitBreakerIgnored, OperationHelpers.NameLocation(breaker), StrategyRules.CircuitBreakerIgnored(strategy.Label));
                }
            }
        }

        private static bool? Enabled(IInvocationOperation breaker)
        {
            IArgumentOperation? enabled = OperationHelpers.Argument(breaker, 0);
            if (enabled == null || enabled.ArgumentKind == ArgumentKind.DefaultValue) return true;
            return OperationHelpers.ConstantBool(enabled.Value);
        }
    }
}
