using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0001: a pipeline that is defined but never run, built or handed on.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class PipelineNeverRunAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.PipelineNeverRun);

        internal override bool ChecksPipelines => true;

        internal override void AnalyzePipeline(RuleContext context, PipelineFlow flow, EcsDeploySymbols symbols)
        {
            if (flow.Root == null || flow.IsRun || flow.Escapes)
            {
                return;
            }
            string name = OperationHelpers.ConstantString(OperationHelpers.Argument(flow.Root, 0)?.Value) ?? "...";
            string message = "Pipeline '" + name + "' is defined but never run: end it with .RunAsync(args), or call .Build() to only validate it.";
            context.ReportOnce(Descriptors.PipelineNeverRun, flow.Root.Syntax.GetLocation(), message);
        }
    }
}
