using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    // The pipeline model's reading of helper methods: what a method returning PipelineBuilder does to the pipeline it
    // returns (HelperSummary), computed once per method and compilation.
    internal sealed partial class PipelineModel
    {
        [ThreadStatic]
        private static HashSet<IMethodSymbol>? _inProgress;

        private HelperSummary Summarize(IMethodSymbol method)
        {
            HashSet<IMethodSymbol> inProgress = _inProgress ?? (_inProgress = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));
            if (inProgress.Contains(method.OriginalDefinition) || inProgress.Count > 8)
            {
                return HelperSummary.None;
            }
            inProgress.Add(method.OriginalDefinition);
            try
            {
                return _symbols.GetHelper(method, Compute);
            }
            finally
            {
                inProgress.Remove(method.OriginalDefinition);
            }
        }

        private HelperSummary Compute(IMethodSymbol method)
        {
            IOperation? body = _symbols.HelperBody(method);
            SemanticModel? semanticModel = body?.SemanticModel;
            if (body == null)
            {
                // Not seen by the analyzer yet (a helper in a file analysed later, or outside the IDE's filter span): bind its body here, once.
                if (method.DeclaringSyntaxReferences.Length != 1)
                {
                    return HelperSummary.None;
                }
                SyntaxNode node = method.DeclaringSyntaxReferences[0].GetSyntax();
                semanticModel = _semanticModel != null && _semanticModel.SyntaxTree == node.SyntaxTree
                    ? _semanticModel
#pragma warning disable RS1030 // A helper declared in another file: its body is read once per compilation (cached by symbol).
                    : _symbols.Compilation.GetSemanticModel(node.SyntaxTree);
#pragma warning restore RS1030
                switch (node)
                {
                    case BaseMethodDeclarationSyntax declaration:
                        SyntaxNode? bodySyntax = (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody;
                        body = bodySyntax == null ? null : semanticModel.GetOperation(bodySyntax);
                        break;
                    case LocalFunctionStatementSyntax _:
                        body = (semanticModel.GetOperation(node) as ILocalFunctionOperation)?.Body;
                        break;
                }
            }
            if (body == null)
            {
                return HelperSummary.None;
            }
            PipelineModel inner = ForBody(body, _symbols, semanticModel);
            PipelineFlow? returned = null;
            foreach (IReturnOperation ret in inner._returns)
            {
                if (ret.ReturnedValue == null || !DirectlyIn(ret, body))
                {
                    continue;
                }
                PipelineFlow? flow = inner.FlowOf(ret.ReturnedValue);
                if (flow == null || (returned != null && !ReferenceEquals(flow, returned)))
                {
                    return HelperSummary.None;
                }
                returned = flow;
            }
            if (returned == null)
            {
                return HelperSummary.None;
            }
            return new HelperSummary(true, returned.RootParameter?.Ordinal ?? -1, returned.IsComplete, new List<FlowCall>(returned.Calls));
        }

        private static bool DirectlyIn(IOperation operation, IOperation body)
        {
            for (IOperation? parent = operation.Parent; parent != null && !ReferenceEquals(parent, body); parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation || parent is ILocalFunctionOperation) return false;
            }
            return true;
        }
    }
}
