using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// ED0015: `d.TestTraffic(...)` without a test listener rule to send it to: with the rolling strategy, or with a load
    /// balancer configuration that has no `.TestListenerRule(...)`.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class TestTrafficListenerAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.TestTrafficWithoutTestListener);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeploymentStrategy != null && symbols.TestTrafficOptions != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            DeployConfiguration? deploy = context.Deploy(call, symbols);
            StrategyChoice? strategy = deploy?.Strategy;
            if (deploy?.TestTrafficCall == null || strategy == null) return;
            string? message = null;
            if (!strategy.ShiftsTraffic)
            {
                if (deploy.Complete) message = StrategyRules.TestTrafficWithRolling();
            }
            else if (deploy.LoadBalancerCalls.Count > 0 && deploy.LoadBalancerComplete && !deploy.LoadBalancerMembers.Contains("TestListenerRule"))
            {
                message = StrategyRules.TestTrafficWithoutTestListener();
            }
            if (message != null)
            {
                context.ReportOnce(Descriptors.TestTrafficWithoutTestListener, OperationHelpers.NameLocation(deploy.TestTrafficCall), message);
            }
        }
    }
}
