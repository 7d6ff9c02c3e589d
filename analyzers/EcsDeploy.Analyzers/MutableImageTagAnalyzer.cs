using System.Collections.Generic;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0009: the image pushed (and so deployed) only with a mutable tag such as 'latest'.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MutableImageTagAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.MutableImageTag);

        internal override void Register(CompilationStartAnalysisContext context, EcsDeploySymbols symbols)
        {
            if (symbols.PushOptions == null) return;
            context.RegisterOperationAction(operation =>
            {
                var call = (IInvocationOperation)operation.Operation;
                if (!EcsDeploySymbols.IsOn(call, symbols.PushOptions, "Tags")) return;
                List<string>? tags = OperationHelpers.ConstantStrings(call);
                if (tags == null) return;
                string? message = ImageTagRules.Check(tags);
                if (message != null)
                {
                    operation.ReportDiagnostic(Diagnostic.Create(Descriptors.MutableImageTag, OperationHelpers.NameLocation(call), message));
                }
            }, OperationKind.Invocation);
        }
    }
}
