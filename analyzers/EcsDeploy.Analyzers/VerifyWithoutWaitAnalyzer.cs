using System.Collections.Generic;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0011: a Verify stage in a pipeline whose deployment is not waited for (.Wait(false)).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class VerifyWithoutWaitAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.VerifyWithoutWait);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeployOptions != null;

        internal override bool ChecksPipelines => true;

        internal override void AnalyzePipeline(RuleContext context, PipelineFlow flow, EcsDeploySymbols symbols)
        {
            {
                FlowCall? verify = flow.FirstStage("Verify");
                if (verify == null) return;
                foreach (FlowCall stage in flow.Stages())
                {
                    foreach (IInvocationOperation call in context.OptionCalls(stage.Invocation, symbols.DeployOptions))
                    {
                        if (call.TargetMethod.Name != "Wait") continue;
                        IArgumentOperation? enabled = OperationHelpers.Argument(call, 0);
                        if (enabled == null || enabled.ArgumentKind == ArgumentKind.DefaultValue || OperationHelpers.ConstantBool(enabled.Value) != false) continue;
                        if (stage.IsDirect)
                        {
                            context.ReportOnce(Descriptors.VerifyWithoutWait, OperationHelpers.NameLocation(call), DeployRules.VerifyWithoutWait());
                        }
                        else if (FlowCall.ReportableTogether(stage, verify))
                        {
                            context.ReportOnce(Descriptors.VerifyWithoutWait, OperationHelpers.NameLocation(verify.ReportAt), DeployRules.VerifyWithoutWait());
                        }
                    }
                }
            }
        }
    }
}
