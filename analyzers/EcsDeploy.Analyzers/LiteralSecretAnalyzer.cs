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

        /// <summary>
        /// Diagnostic property: the Secrets Manager id the code fix writes, "&lt;pipeline-name&gt;/&lt;VARIABLE&gt;" (the samples'
        /// convention, `.Secret("DATABASE_URL", "truecaller-backend/DATABASE_URL")`) when the pipeline's name is a constant
        /// in scope, else <see cref="PipelineNamePlaceholder"/> + "/&lt;VARIABLE&gt;".
        /// </summary>
        public const string SecretIdProperty = "SecretId";

        /// <summary>Stands for the pipeline name when it is not known here: not a valid secret name, so it cannot be kept by mistake.</summary>
        public const string PipelineNamePlaceholder = "<pipeline-name>";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.LiteralSecret);

        internal override bool AppliesTo(EcsDeploySymbols symbols) => symbols.DeployOptions != null;

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            {
                if (!EcsDeploySymbols.IsOn(call, symbols.DeployOptions, "Environment")) return;
                string? name = OperationHelpers.ConstantString(OperationHelpers.Argument(call, 0)?.Value);
                IArgumentOperation? value = OperationHelpers.Argument(call, 1);
                if (name == null || value == null || OperationHelpers.ConstantString(value.Value) == null || !SecretRules.IsSecretName(name)) return;
                string secretId = (PipelineName(context.Model, call, symbols) ?? PipelineNamePlaceholder) + "/" + name;
                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                    .Add(NameProperty, name).Add(SecretIdProperty, secretId);
                context.Report(Diagnostic.Create(Descriptors.LiteralSecret, value.Value.Syntax.GetLocation(), properties, SecretRules.LiteralSecret(name)));
            }
        }

        /// <summary>
        /// The constant name given to Pipeline.For(...) of the pipeline whose stage configures <paramref name="call"/>
        /// (`.Deploy(d => d.Environment(...))`), followed across statements like every pipeline rule; null when unknown.
        /// Runs only when a diagnostic is reported.
        /// </summary>
        private static string? PipelineName(PipelineModel model, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            IInvocationOperation? stage = null;
            for (IOperation? node = call.Parent; node != null && stage == null; node = node.Parent)
            {
                if (node is IAnonymousFunctionOperation)
                {
                    for (IOperation? parent = node.Parent; parent != null; parent = parent.Parent)
                    {
                        if (parent is IInvocationOperation invocation) { stage = invocation; break; }
                        if (!(parent is IDelegateCreationOperation || parent is IArgumentOperation || parent is IConversionOperation)) return null;
                    }
                    if (stage == null) return null;
                }
            }
            if (stage == null || symbols.GetStage(stage.TargetMethod) == null) return null;
            PipelineFlow? flow = model.Lookup(stage);
            return flow?.Root == null ? null : OperationHelpers.ConstantString(OperationHelpers.Argument(flow.Root, 0)?.Value);
        }
    }
}
