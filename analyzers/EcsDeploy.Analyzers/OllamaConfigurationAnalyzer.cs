using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// ED0007: a malformed Ollama model reference, a non-positive timeout, or a timeout longer than the
    /// deployment's wait (its WaitTimeout, or 10 minutes when unset).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class OllamaConfigurationAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.OllamaMisconfigured);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.OllamaOptions != null;

        internal override bool ChecksLibraryCalls => true;

        internal override bool ChecksPipelines => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            {
                IArgumentOperation? argument = OperationHelpers.Argument(call, 0);
                if (argument == null) return;
                if (EcsDeploySymbols.IsOn(call, symbols.OllamaOptions, "Model"))
                {
                    IOperation value = argument.Value;
                    if (!value.ConstantValue.HasValue) return;
                    string? message = OllamaRules.CheckModel(value.ConstantValue.Value as string);
                    if (message != null) context.Report(Diagnostic.Create(Descriptors.OllamaMisconfigured, value.Syntax.GetLocation(), message));
                }
                else if (EcsDeploySymbols.IsOn(call, symbols.OllamaOptions, "Timeout"))
                {
                    TimeSpan? timeout = OperationHelpers.ConstantTimeSpan(argument.Value, symbols.TimeSpan);
                    if (timeout != null && timeout.Value <= TimeSpan.Zero)
                    {
                        context.Report(Diagnostic.Create(Descriptors.OllamaMisconfigured, argument.Value.Syntax.GetLocation(),
                            OllamaRules.CheckTimeout(timeout.Value, null)));
                    }
                }
            }
        }

        internal override void AnalyzePipeline(RuleContext context, PipelineFlow flow, EcsDeploySymbols symbols)
        {
            {
                FlowCall? ollama = null;
                foreach (FlowCall stage in flow.Stages())
                {
                    if (context.OptionCalls(stage.Invocation, symbols.OllamaOptions).Count > 0) ollama = stage;
                }
                if (ollama == null || !ollama.IsDirect) return;
                IInvocationOperation? timeoutCall = Last(context.OptionCalls(ollama.Invocation, symbols.OllamaOptions), "Timeout");
                IArgumentOperation? timeoutArgument = timeoutCall == null ? null : OperationHelpers.Argument(timeoutCall, 0);
                TimeSpan? timeout = OperationHelpers.ConstantTimeSpan(timeoutArgument?.Value, symbols.TimeSpan);
                if (timeout == null || timeout.Value <= TimeSpan.Zero) return;

                TimeSpan? wait = null;
                bool deployFound = false;
                foreach (FlowCall stage in flow.Stages())
                {
                    List<IInvocationOperation> deployCalls = context.OptionCalls(stage.Invocation, symbols.DeployOptions);
                    if (stage.Stage!.Name != "Deploy" && deployCalls.Count == 0) continue;
                    deployFound = true;
                    IInvocationOperation? waitCall = Last(deployCalls, "WaitTimeout");
                    if (waitCall != null)
                    {
                        wait = OperationHelpers.ConstantTimeSpan(OperationHelpers.Argument(waitCall, 0)?.Value, symbols.TimeSpan);
                        if (wait == null) return; // not a constant: cannot tell
                    }
                }
                if (!deployFound && !flow.IsComplete) return; // the deployment may be configured elsewhere
                string? message = OllamaRules.CheckTimeout(timeout.Value, wait);
                if (message != null)
                {
                    context.ReportOnce(Descriptors.OllamaMisconfigured, timeoutArgument!.Value.Syntax.GetLocation(), message);
                }
            }
        }

        private static IInvocationOperation? Last(List<IInvocationOperation> calls, string name)
        {
            IInvocationOperation? last = null;
            foreach (IInvocationOperation call in calls)
            {
                if (call.TargetMethod.Name == name) last = call;
            }
            return last;
        }
    }
}
