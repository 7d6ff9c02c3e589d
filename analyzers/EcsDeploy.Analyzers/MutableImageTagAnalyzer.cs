using System.Collections.Generic;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0009: the image pushed (and so deployed) only with a mutable tag such as 'latest'.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class MutableImageTagAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.MutableImageTag);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.PushOptions != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            {
                if (!EcsDeploySymbols.IsOn(call, symbols.PushOptions, "Tags")) return;
                List<string>? tags = OperationHelpers.ConstantStrings(call);
                if (tags == null) return;
                string? message = ImageTagRules.Check(tags);
                if (message != null)
                {
                    context.Report(Diagnostic.Create(Descriptors.MutableImageTag, OperationHelpers.NameLocation(call), message));
                }
            }
        }
    }
}
