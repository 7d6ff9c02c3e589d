using System;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// ED0013: a constant out of ECS's range in `DeploymentStrategy.Canary/Linear/BlueGreen(...)` (percentages, bakes)
    /// or in a test traffic pause (`t.Timeout(...)`), wherever the strategy is written.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class StrategyRangeAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.StrategyOutOfRange);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeploymentStrategy != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            if (EcsDeploySymbols.IsOn(call, symbols.TestTrafficOptions, "Timeout"))
            {
                CheckSpan(context, call, 0, symbols, StrategyRules.CheckTestTrafficTimeout);
                return;
            }
            switch (StrategyChoice.EcsName(call.TargetMethod, symbols))
            {
                case "CANARY":
                    CheckPercent(context, call, StrategyRules.CheckCanaryPercent);
                    CheckSpan(context, call, 1, symbols, StrategyRules.CheckCanaryBake);
                    CheckSpan(context, call, 2, symbols, StrategyRules.CheckFinalBake);
                    break;
                case "LINEAR":
                    CheckPercent(context, call, StrategyRules.CheckLinearStep);
                    CheckSpan(context, call, 1, symbols, StrategyRules.CheckLinearStepBake);
                    CheckSpan(context, call, 2, symbols, StrategyRules.CheckFinalBake);
                    break;
                case "BLUE_GREEN":
                    CheckSpan(context, call, 0, symbols, StrategyRules.CheckFinalBake);
                    break;
            }
        }

        private static void CheckPercent(RuleContext context, IInvocationOperation call, Func<double, string?> check)
        {
            IArgumentOperation? argument = OperationHelpers.Argument(call, 0);
            double? percent = OperationHelpers.ConstantDouble(argument?.Value);
            string? message = percent == null ? null : check(percent.Value);
            if (message != null) context.Report(Diagnostic.Create(Descriptors.StrategyOutOfRange, argument!.Value.Syntax.GetLocation(), message));
        }

        private static void CheckSpan(RuleContext context, IInvocationOperation call, int ordinal, EcsDeploySymbols symbols, Func<TimeSpan, string?> check)
        {
            IArgumentOperation? argument = OperationHelpers.Argument(call, ordinal);
            if (argument == null || argument.ArgumentKind == ArgumentKind.DefaultValue) return;
            TimeSpan? value = OperationHelpers.ConstantTimeSpan(argument.Value, symbols.TimeSpan);
            string? message = value == null ? null : check(value.Value);
            if (message != null) context.Report(Diagnostic.Create(Descriptors.StrategyOutOfRange, argument.Value.Syntax.GetLocation(), message));
        }
    }
}
