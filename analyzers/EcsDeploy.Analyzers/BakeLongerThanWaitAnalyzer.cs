using System;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// ED0016: `d.WaitTimeout(...)` no longer than the bakes of a blue/green, linear or canary strategy (constants): the
    /// run would give up on a deployment that is going well. The code fix removes the WaitTimeout, whose default follows
    /// the strategy.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class BakeLongerThanWaitAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.BakeLongerThanWait);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeploymentStrategy != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            DeployConfiguration? deploy = context.Deploy(call, symbols);
            StrategyChoice? strategy = deploy?.Strategy;
            if (deploy?.WaitTimeoutCall == null || strategy == null || !strategy.ShiftsTraffic) return;
            TimeSpan? minimum = strategy.MinimumDuration;
            TimeSpan? wait = OperationHelpers.ConstantTimeSpan(OperationHelpers.Argument(deploy.WaitTimeoutCall, 0)?.Value, symbols.TimeSpan);
            if (minimum == null || wait == null || minimum.Value < wait.Value) return;
            context.ReportOnce(Descriptors.BakeLongerThanWait, OperationHelpers.NameLocation(deploy.WaitTimeoutCall),
                StrategyRules.BakeLongerThanWait(strategy.Label, minimum.Value, wait.Value));
        }
    }
}
