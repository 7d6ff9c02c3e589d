using System.Collections.Generic;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0002: stages written against the ordering their [PipelineStage] attributes declare.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class StageOrderAnalyzer : EcsDeployAnalyzer
    {
        /// <summary>Diagnostic property: the start of the name of the call to move before (same chain only).</summary>
        public const string MoveBeforeProperty = "MoveBefore";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.StagesOutOfOrder);

        internal override bool ChecksPipelines => true;

        internal override void AnalyzePipeline(RuleContext context, PipelineFlow flow, EcsDeploySymbols symbols)
        {
            {
                List<FlowCall> stages = flow.Stages();
                if (stages.Count == 0) return;
                var orders = new List<StageOrder>(stages.Count);
                foreach (FlowCall stage in stages) orders.Add(stage.Stage!.Order);
                var done = new HashSet<int>();
                foreach (StageOrderingProblem problem in StageOrderingRules.FindProblems(orders))
                {
                    if (problem.IsDuplicate || !done.Add(problem.Index)) continue;
                    if (problem.Kind == StageOrderingProblemKind.MissingInput)
                    {
                        // Only a pipeline that is complete in one chain can be said to lack a producer.
                        if (flow.IsComplete && !flow.Escapes) context.ReportOnce(Descriptors.StagesOutOfOrder, OperationHelpers.NameLocation(stages[problem.Index].ReportAt), problem.Message, null);
                        continue;
                    }
                    FlowCall late = stages[problem.Index];
                    FlowCall early = stages[problem.OtherIndex];
                    if (!FlowCall.ReportableTogether(late, early)) continue;
                    ImmutableDictionary<string, string?>? properties = null;
                    if (late.IsDirect && early.IsDirect)
                    {
                        properties = ImmutableDictionary<string, string?>.Empty.Add(
                            MoveBeforeProperty, OperationHelpers.NameSpan(early.Invocation).Start.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                    context.ReportOnce(Descriptors.StagesOutOfOrder, OperationHelpers.NameLocation(late.ReportAt), problem.Message, properties);
                }
            }
        }
    }
}
