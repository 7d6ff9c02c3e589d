using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0004: an AWS access key id or secret access key written anywhere in a pipeline definition.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class HardCodedCredentialsAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.HardCodedCredentials);

        internal override bool ChecksValues => true;

        internal override void AnalyzeValue(RuleContext context, IOperation value, EcsDeploySymbols symbols)
        {
            // The walk hands over only values inside a call into the library; cheapest tests first.
            string? text = OperationHelpers.ConstantString(value);
            if (text == null || text.Length < 20) return;
            if (value is ILocalReferenceOperation || value is IFieldReferenceOperation)
            {
                // A constant declared elsewhere counts where it is passed to the pipeline.
                if (!(OperationHelpers.ConsumerOf(value, out _) is IArgumentOperation)) return;
            }
            string? message = CredentialRules.Check(text);
            if (message == null) return;
            context.Report(Diagnostic.Create(Descriptors.HardCodedCredentials, value.Syntax.GetLocation(), message));
        }
    }
}
