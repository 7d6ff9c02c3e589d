using System.Collections.Generic;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0003: the same stage added twice to a pipeline, or the same environment variable set twice in a deployment.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class DuplicateConfigurationAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.DuplicateConfiguration);

        internal override bool ChecksPipelines => true;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzePipeline(RuleContext context, PipelineFlow flow, EcsDeploySymbols symbols)
        {
            {
                List<FlowCall> stages = flow.Stages();
                var first = new Dictionary<string, FlowCall>(System.StringComparer.Ordinal);
                foreach (FlowCall stage in stages)
                {
                    if (!first.TryGetValue(stage.Stage!.Name, out FlowCall? earlier))
                    {
                        first[stage.Stage.Name] = stage;
                        continue;
                    }
                    if (FlowCall.ReportableTogether(stage, earlier))
                    {
                        context.ReportOnce(Descriptors.DuplicateConfiguration, OperationHelpers.NameLocation(stage.ReportAt),
                            StageOrderingRules.Duplicate(stage.Stage.Name));
                    }
                }
            }
        }

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation stageCall, EcsDeploySymbols symbols)
        {
            {
                if (symbols.DeployOptions == null || symbols.GetStage(stageCall.TargetMethod) == null) return;
                var seen = new HashSet<string>(System.StringComparer.Ordinal);
                foreach (IInvocationOperation call in context.OptionCalls(stageCall, symbols.DeployOptions))
                {
                    if (call.TargetMethod.Name != "Environment" && call.TargetMethod.Name != "Secret") continue;
                    string? name = OperationHelpers.ConstantString(OperationHelpers.Argument(call, 0)?.Value);
                    if (name != null && !seen.Add(name))
                    {
                        context.Report(Diagnostic.Create(Descriptors.DuplicateConfiguration, OperationHelpers.NameLocation(call),
                            EnvironmentRules.DuplicateVariable(name)));
                    }
                }
            }
        }
    }
}
