using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// ED0010: the deployment circuit breaker or rollback on failure turned off. The circuit breaker turned off beside a
    /// blue/green, linear or canary strategy is not reported: ECS does not apply it there.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class SafetyNetDisabledAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.SafetyNetDisabled);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeployOptions != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            {
                bool breaker = EcsDeploySymbols.IsOn(call, symbols.DeployOptions, "CircuitBreaker");
                if (!breaker && !EcsDeploySymbols.IsOn(call, symbols.DeployOptions, "RollbackOnFailure")) return;
                IArgumentOperation? enabled = OperationHelpers.Argument(call, 0);
                if (enabled == null || enabled.ArgumentKind == ArgumentKind.DefaultValue || OperationHelpers.ConstantBool(enabled.Value) != false) return;
                if (breaker && ShiftsTraffic(context, call, symbols)) return; // the breaker does not apply there (ED0014)
                context.Report(Diagnostic.Create(Descriptors.SafetyNetDisabled, enabled.Value.Syntax.GetLocation(),
                    breaker ? DeployRules.CircuitBreakerOff() : DeployRules.RollbackOff()));
            }
        }

        /// <summary>Whether the `.Deploy(d => ...)` lambda the call is written in sets a blue/green, linear or canary strategy.</summary>
        private static bool ShiftsTraffic(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            for (IOperation? parent = call.Parent; parent != null; parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation)
                {
                    IOperation? stage = parent.Parent is IDelegateCreationOperation creation ? creation.Parent?.Parent : null;
                    return stage is IInvocationOperation stageCall && context.Deploy(stageCall, symbols)?.Strategy?.ShiftsTraffic == true;
                }
            }
            return false;
        }
    }
}
