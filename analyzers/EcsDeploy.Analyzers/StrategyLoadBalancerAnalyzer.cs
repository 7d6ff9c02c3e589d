using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// ED0012: a blue/green, linear or canary strategy without the load balancer's advanced configuration (or with part
    /// of it), that configuration given to a rolling deployment, and `lb.FromTerraform()` in a pipeline that starts with
    /// Pipeline.For (it reads no Terraform outputs).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class StrategyLoadBalancerAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.StrategyWithoutLoadBalancer);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeploymentStrategy != null && symbols.LoadBalancerOptions != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            DeployConfiguration? deploy = context.Deploy(call, symbols);
            StrategyChoice? strategy = deploy?.Strategy;
            if (deploy == null) return;
            if (deploy.LoadBalancerFromTerraformCall != null && context.Model.Lookup(call) is PipelineFlow flow && flow.IsComplete)
            {
                // The pipeline starts with Pipeline.For (here or in a helper): Pipeline.FromTerraform's would not be complete.
                Report(context, deploy.LoadBalancerFromTerraformCall, StrategyRules.LoadBalancerFromTerraformWithoutOutputs());
            }
            if (strategy == null) return;
            if (strategy.ShiftsTraffic)
            {
                if (deploy.LoadBalancerCalls.Count == 0)
                {
                    if (deploy.Complete) Report(context, strategy.StrategyCall!, StrategyRules.NeedsAdvancedConfiguration(strategy.Label));
                    return;
                }
                if (!deploy.LoadBalancerComplete) return;
                IInvocationOperation at = deploy.LoadBalancerCalls[0];
                if (!deploy.LoadBalancerMembers.Contains("AlternateTargetGroup")) Report(context, at, StrategyRules.MissingAlternateTargetGroup(strategy.Label));
                if (!deploy.LoadBalancerMembers.Contains("ProductionListenerRule")) Report(context, at, StrategyRules.MissingProductionListenerRule(strategy.Label));
                if (!deploy.LoadBalancerMembers.Contains("Role")) Report(context, at, StrategyRules.MissingRole(strategy.Label));
            }
            else if (deploy.Complete && deploy.LoadBalancerCalls.Count > 0)
            {
                Report(context, deploy.LoadBalancerCalls[0], StrategyRules.AdvancedConfigurationWithRolling());
            }
        }

        private static void Report(RuleContext context, IInvocationOperation at, string message)
        {
            context.ReportOnce(Descriptors.StrategyWithoutLoadBalancer, OperationHelpers.NameLocation(at), message);
        }
    }
}
