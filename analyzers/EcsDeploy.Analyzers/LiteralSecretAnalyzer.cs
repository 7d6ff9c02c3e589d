using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0005: a secret-like environment variable given a literal value instead of a Secrets Manager reference.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class LiteralSecretAnalyzer : EcsDeployAnalyzer
    {
        /// <summary>Diagnostic property: the variable name.</summary>
        public const string NameProperty = "Name";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.LiteralSecret);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeployOptions != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(OperationAnalysisContext operation, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            {
                if (!EcsDeploySymbols.IsOn(call, symbols.DeployOptions, "Environment")) return;
                string? name = OperationHelpers.ConstantString(OperationHelpers.Argument(call, 0)?.Value);
                IArgumentOperation? value = OperationHelpers.Argument(call, 1);
                if (name == null || value == null || OperationHelpers.ConstantString(value.Value) == null || !SecretRules.IsSecretName(name)) return;
                operation.ReportDiagnostic(Diagnostic.Create(Descriptors.LiteralSecret, value.Value.Syntax.GetLocation(),
                    ImmutableDictionary<string, string?>.Empty.Add(NameProperty, name), SecretRules.LiteralSecret(name)));
            }
        }
    }
}
