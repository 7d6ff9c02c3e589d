using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// ED0017: `d.PauseHook(stage)` with a constant stage ECS does not pause at (TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT,
    /// or no lifecycle stage at all). The diagnostic's <see cref="AlternativesProperty"/> lists where the hook can wait
    /// instead, the nearest first, for the code fix.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class PauseHookStageAnalyzer : EcsDeployAnalyzer
    {
        /// <summary>Diagnostic property: the stages the hook can wait at instead, comma-separated (empty when none is near).</summary>
        public const string AlternativesProperty = "Alternatives";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.PauseHookWhileTrafficMoves);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeployOptions != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            if (!EcsDeploySymbols.IsOn(call, symbols.DeployOptions, "PauseHook")) return;
            IArgumentOperation? argument = OperationHelpers.Argument(call, 0);
            if (argument == null) return;
            Optional<object?> value = argument.Value.ConstantValue;
            if (!value.HasValue || !(value.Value is string stage)) return;
            string? message = StrategyRules.CheckPauseStage(stage);
            if (message == null) return;
            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(AlternativesProperty, string.Join(",", StrategyRules.PauseStageAlternatives(stage)));
            context.ReportOnce(Descriptors.PauseHookWhileTrafficMoves, argument.Value.Syntax.GetLocation(), message, properties);
        }
    }
}
