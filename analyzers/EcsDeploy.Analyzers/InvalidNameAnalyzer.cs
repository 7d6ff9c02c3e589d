using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0006: a literal name that breaks AWS's naming rules (the same check as PipelineBuilder.Build()).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class InvalidNameAnalyzer : EcsDeployAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.InvalidName);

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            {
                AwsNameKind? kind = KindOf(call, symbols);
                if (kind == null) return;
                if (kind == AwsNameKind.ImageTag)
                {
                    foreach (IArgumentOperation argument in call.Arguments)
                    {
                        IOperation value = OperationHelpers.Unwrap(argument.Value);
                        if (value is IArrayCreationOperation array && array.Initializer != null)
                        {
                            foreach (IOperation element in array.Initializer.ElementValues) Check(context, AwsNameKind.ImageTag, element, symbols);
                        }
                        else if (value is ICollectionExpressionOperation collection)
                        {
                            foreach (IOperation element in collection.Elements) Check(context, AwsNameKind.ImageTag, element, symbols);
                        }
                    }
                    return;
                }
                IArgumentOperation? name = OperationHelpers.Argument(call, 0);
                if (name != null) Check(context, kind.Value, name.Value, symbols);
            }
        }

        private static void Check(RuleContext context, AwsNameKind kind, IOperation value, EcsDeploySymbols symbols)
        {
            string? text = OperationHelpers.ConstantString(value);
            if (text == null || (kind == AwsNameKind.ImageTag && text == symbols.GitShaPlaceholder)) return;
            string? message = AwsNamingRules.Check(kind, text);
            if (message != null)
            {
                context.Report(Diagnostic.Create(Descriptors.InvalidName, value.Syntax.GetLocation(), message));
            }
        }

        private static AwsNameKind? KindOf(IInvocationOperation call, EcsDeploySymbols symbols)
        {
            IMethodSymbol method = call.TargetMethod;
            INamedTypeSymbol type = method.ContainingType;
            if (SymbolEqualityComparer.Default.Equals(type, symbols.Pipeline))
            {
                return method.Name == "For" ? AwsNameKind.PipelineName : (AwsNameKind?)null;
            }
            if (SymbolEqualityComparer.Default.Equals(type, symbols.PipelineBuilder))
            {
                switch (method.Name)
                {
                    case "InRegion": return AwsNameKind.Region;
                    case "OnCluster": return AwsNameKind.Cluster;
                    default: return null;
                }
            }
            if (SymbolEqualityComparer.Default.Equals(type, symbols.DeployOptions))
            {
                switch (method.Name)
                {
                    case "Service": return AwsNameKind.Service;
                    case "Family": return AwsNameKind.TaskFamily;
                    case "Container": return AwsNameKind.Container;
                    case "Environment":
                    case "Secret": return AwsNameKind.EnvironmentVariable;
                    default: return null;
                }
            }
            if (SymbolEqualityComparer.Default.Equals(type, symbols.PushOptions))
            {
                switch (method.Name)
                {
                    case "Repository": return AwsNameKind.EcrRepository;
                    case "Tags": return AwsNameKind.ImageTag;
                    default: return null;
                }
            }
            if (SymbolEqualityComparer.Default.Equals(type, symbols.OllamaOptions) && method.Name == "Service")
            {
                return AwsNameKind.Service;
            }
            return null;
        }
    }
}
