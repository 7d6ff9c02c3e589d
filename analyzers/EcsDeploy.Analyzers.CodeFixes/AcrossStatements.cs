using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EcsDeploy.Analyzers.CodeFixes
{
    /// <summary>
    /// ED0002's fix when the pipeline is built across statements on a builder local
    /// (`var p = Pipeline.For("x").Deploy(...); p = p.Migrate(...);` or `p.Deploy(...); p.Migrate(...);`): the late call
    /// moves into the early call's statement, just before it, and leaves its own statement (which goes when nothing
    /// is left of it). The builder is mutable (each call adds to it and returns it), so this is the same pipeline with
    /// the stages in order.
    /// </summary>
    /// <remarks>
    /// Offered only when that is safe; otherwise no fix (never broken code). Both calls must be statements of the
    /// same block, outside lambdas, the early one first; the late call must be made on the local (its chain starts at
    /// the local) and the early statement must declare, assign or extend that local; the statements in between may
    /// only extend the pipeline (`p.X(...)` or `p = p.X(...)`, no Build/RunAsync, no hand-off); and what the moved
    /// call reads (locals, parameters, captured in its lambda) must be declared before the early statement and not
    /// written in between.
    /// </remarks>
    internal sealed class AcrossStatements
    {
        private readonly InvocationExpressionSyntax _late;
        private readonly InvocationExpressionSyntax _early;
        private readonly StatementSyntax _lateStatement;

        private AcrossStatements(InvocationExpressionSyntax late, InvocationExpressionSyntax early, StatementSyntax lateStatement)
        {
            _late = late;
            _early = early;
            _lateStatement = lateStatement;
        }

        public static AcrossStatements? Plan(SemanticModel model, InvocationExpressionSyntax late, InvocationExpressionSyntax early, CancellationToken cancellationToken)
        {
            if (!(late.Expression is MemberAccessExpressionSyntax) || !(early.Expression is MemberAccessExpressionSyntax)) return null;
            StatementSyntax? lateStatement = StatementOf(late);
            StatementSyntax? earlyStatement = StatementOf(early);
            if (lateStatement == null || earlyStatement == null || lateStatement == earlyStatement) return null;
            ExpressionSyntax? lateChain = ChainOf(lateStatement);
            if (lateChain == null || !OnSpine(lateChain, late)) return null;
            List<StatementSyntax>? siblings = Siblings(lateStatement);
            if (siblings == null) return null;
            int lateIndex = siblings.IndexOf(lateStatement);
            int earlyIndex = siblings.IndexOf(earlyStatement);
            if (lateIndex < 0 || earlyIndex < 0 || earlyIndex >= lateIndex) return null;

            // The late call is made on the local (its chain starts there).
            if (!(ChainRoot(late) is IdentifierNameSyntax lateRoot)) return null;
            if (!(model.GetSymbolInfo(lateRoot, cancellationToken).Symbol is ILocalSymbol local)) return null;
            ITypeSymbol builder = local.Type;

            // The early statement declares, assigns or extends that local with the chain holding the early call.
            if (!BindsLocal(model, earlyStatement, early, local, cancellationToken)) return null;

            // The statements in between only extend the pipeline.
            for (int i = earlyIndex + 1; i < lateIndex; i++)
            {
                if (!OnlyExtends(model, siblings[i], local, builder, cancellationToken)) return null;
            }

            // What the moved call reads exists at the early statement and keeps its value.
            var read = new List<ISymbol>();
            foreach (IdentifierNameSyntax name in late.ArgumentList.DescendantNodes().Identifiers())
            {
                ISymbol? symbol = model.GetSymbolInfo(name, cancellationToken).Symbol;
                if (symbol is ILocalSymbol || symbol is IParameterSymbol)
                {
                    if (symbol.DeclaringSyntaxReferences.Length == 0) return null;
                    SyntaxReference declaration = symbol.DeclaringSyntaxReferences[0];
                    bool insideCall = declaration.SyntaxTree == late.SyntaxTree && late.ArgumentList.Span.Contains(declaration.Span);
                    if (!insideCall)
                    {
                        if (declaration.SyntaxTree == late.SyntaxTree && declaration.Span.Start >= earlyStatement.SpanStart) return null;
                        read.Add(symbol);
                    }
                }
            }
            if (read.Count > 0 && lateIndex - earlyIndex > 1)
            {
                DataFlowAnalysis? flow = model.AnalyzeDataFlow(siblings[earlyIndex + 1], siblings[lateIndex - 1]);
                if (flow == null || !flow.Succeeded) return null;
                foreach (ISymbol symbol in read)
                {
                    foreach (ISymbol written in flow.WrittenInside)
                    {
                        if (SymbolEqualityComparer.Default.Equals(symbol, written)) return null;
                    }
                }
            }
            return new AcrossStatements(late, early, lateStatement);
        }

        /// <summary>Moves the late call before the early one and takes it out of its statement.</summary>
        public SyntaxNode Apply(SyntaxNode root)
        {
            root = root.TrackNodes(_late, _early, _lateStatement);
            var lateMember = (MemberAccessExpressionSyntax)_late.Expression;

            // 1. The late statement without the late call (the call's receiver takes its place).
            InvocationExpressionSyntax late = root.GetCurrentNode(_late)!;
            ExpressionSyntax receiver = ((MemberAccessExpressionSyntax)late.Expression).Expression;
            root = root.ReplaceNode(late, receiver.WithTrailingTrivia(late.GetTrailingTrivia()));
            StatementSyntax lateStatement = root.GetCurrentNode(_lateStatement)!;
            if (IsEmpty(lateStatement))
            {
                SyntaxNode removed = lateStatement.Parent is GlobalStatementSyntax global ? (SyntaxNode)global : lateStatement;
                root = root.RemoveNode(removed, SyntaxRemoveOptions.KeepNoTrivia)!;
            }

            // 2. The late call inserted before the early call, on the line the early call had.
            InvocationExpressionSyntax early = root.GetCurrentNode(_early)!;
            var earlyMember = (MemberAccessExpressionSyntax)early.Expression;
            ExpressionSyntax earlyReceiver = earlyMember.Expression;
            InvocationExpressionSyntax moved = SyntaxFactory.InvocationExpression(
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression,
                        earlyReceiver, earlyMember.OperatorToken, lateMember.Name.WithoutTrivia()),
                    _late.ArgumentList.WithoutTrivia())
                .WithTrailingTrivia(earlyReceiver.GetTrailingTrivia());
            InvocationExpressionSyntax rebuilt = early.WithExpression(earlyMember.WithExpression(moved));
            return root.ReplaceNode(early, rebuilt);
        }

        /// <summary>`p;` and `p = p;` are left when the moved call was all the statement did.</summary>
        private static bool IsEmpty(StatementSyntax statement)
        {
            if (!(statement is ExpressionStatementSyntax expression)) return false;
            if (expression.Expression is IdentifierNameSyntax) return true;
            return expression.Expression is AssignmentExpressionSyntax assignment && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                && assignment.Left is IdentifierNameSyntax left && assignment.Right is IdentifierNameSyntax right
                && left.Identifier.ValueText == right.Identifier.ValueText;
        }

        /// <summary>The chain a statement is made of: `chain;`, `await chain;`, `x = chain;`, `var x = chain;`.</summary>
        private static ExpressionSyntax? ChainOf(StatementSyntax statement)
        {
            ExpressionSyntax? value = null;
            if (statement is ExpressionStatementSyntax expression) value = expression.Expression;
            else if (statement is LocalDeclarationStatementSyntax declaration && declaration.Declaration.Variables.Count == 1)
                value = declaration.Declaration.Variables[0].Initializer?.Value;
            if (value is AwaitExpressionSyntax awaited) value = awaited.Expression;
            if (value is AssignmentExpressionSyntax assignment && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)) value = assignment.Right;
            return value;
        }

        /// <summary>The statement a call belongs to, when no lambda or local function stands in between.</summary>
        private static StatementSyntax? StatementOf(SyntaxNode node)
        {
            for (SyntaxNode? parent = node.Parent; parent != null; parent = parent.Parent)
            {
                if (parent is AnonymousFunctionExpressionSyntax) return null;
                if (parent is StatementSyntax statement) return statement is ExpressionStatementSyntax || statement is LocalDeclarationStatementSyntax ? statement : null;
            }
            return null;
        }

        /// <summary>The statements of the block (or of the top-level program) that holds <paramref name="statement"/>.</summary>
        private static List<StatementSyntax>? Siblings(StatementSyntax statement)
        {
            if (statement.Parent is BlockSyntax block) return new List<StatementSyntax>(block.Statements);
            if (statement.Parent is GlobalStatementSyntax global && global.Parent is CompilationUnitSyntax unit)
            {
                var statements = new List<StatementSyntax>();
                foreach (MemberDeclarationSyntax member in unit.Members)
                {
                    if (member is GlobalStatementSyntax g) statements.Add(g.Statement);
                }
                return statements;
            }
            return null;
        }

        /// <summary>The innermost receiver of a chain of member calls: `p` in `p.A().B()`.</summary>
        private static ExpressionSyntax ChainRoot(InvocationExpressionSyntax call)
        {
            ExpressionSyntax current = call;
            while (current is InvocationExpressionSyntax invocation && invocation.Expression is MemberAccessExpressionSyntax member)
            {
                current = member.Expression;
            }
            return current;
        }

        /// <summary>True when <paramref name="call"/> is on the spine of the chain <paramref name="chain"/> (not in an argument).</summary>
        private static bool OnSpine(ExpressionSyntax chain, InvocationExpressionSyntax call)
        {
            ExpressionSyntax current = chain;
            while (current is InvocationExpressionSyntax invocation && invocation.Expression is MemberAccessExpressionSyntax member)
            {
                if (invocation == call) return true;
                current = member.Expression;
            }
            return false;
        }

        private static bool IsLocal(SemanticModel model, ExpressionSyntax expression, ILocalSymbol local, CancellationToken cancellationToken)
        {
            return expression is IdentifierNameSyntax name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local);
        }

        /// <summary>`var p = chain;`, `p = chain;` or `chain;` rooted at p, with the early call on the chain's spine.</summary>
        private static bool BindsLocal(SemanticModel model, StatementSyntax statement, InvocationExpressionSyntax early, ILocalSymbol local, CancellationToken cancellationToken)
        {
            if (statement is LocalDeclarationStatementSyntax declaration)
            {
                foreach (VariableDeclaratorSyntax variable in declaration.Declaration.Variables)
                {
                    if (variable.Initializer != null && OnSpine(variable.Initializer.Value, early))
                    {
                        return SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(variable, cancellationToken), local);
                    }
                }
                return false;
            }
            if (!(statement is ExpressionStatementSyntax expression)) return false;
            if (expression.Expression is AssignmentExpressionSyntax assignment && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
            {
                return IsLocal(model, assignment.Left, local, cancellationToken) && OnSpine(assignment.Right, early);
            }
            return expression.Expression is InvocationExpressionSyntax chain && OnSpine(chain, early)
                && IsLocal(model, ChainRoot(chain), local, cancellationToken);
        }

        /// <summary>
        /// A statement between the two: it does not mention the local, or it only extends the pipeline with calls that
        /// return the builder (`p.X(...);`, `p = p.X(...);`).
        /// </summary>
        private static bool OnlyExtends(SemanticModel model, StatementSyntax statement, ILocalSymbol local, ITypeSymbol builder, CancellationToken cancellationToken)
        {
            bool mentions = false;
            foreach (IdentifierNameSyntax name in statement.DescendantNodes().Identifiers())
            {
                if (name.Identifier.ValueText == local.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local))
                {
                    mentions = true;
                    break;
                }
            }
            if (!mentions) return true;
            if (!(statement is ExpressionStatementSyntax expression)) return false;
            ExpressionSyntax value = expression.Expression;
            if (value is AssignmentExpressionSyntax assignment && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression))
            {
                if (!IsLocal(model, assignment.Left, local, cancellationToken)) return false;
                value = assignment.Right;
            }
            if (!(value is InvocationExpressionSyntax chain) || !IsLocal(model, ChainRoot(chain), local, cancellationToken)) return false;
            // Every call of the chain returns the builder, and the local appears nowhere else in the statement.
            int uses = 0;
            foreach (IdentifierNameSyntax name in statement.DescendantNodes().Identifiers())
            {
                if (name.Identifier.ValueText == local.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local)) uses++;
            }
            if (uses != (value == expression.Expression ? 1 : 2)) return false;
            ExpressionSyntax current = chain;
            while (current is InvocationExpressionSyntax invocation && invocation.Expression is MemberAccessExpressionSyntax member)
            {
                if (!SymbolEqualityComparer.Default.Equals(model.GetTypeInfo(invocation, cancellationToken).Type, builder)) return false;
                current = member.Expression;
            }
            return true;
        }
    }

    internal static class SyntaxExtensions
    {
        public static IEnumerable<IdentifierNameSyntax> Identifiers(this IEnumerable<SyntaxNode> nodes)
        {
            foreach (SyntaxNode node in nodes)
            {
                if (node is IdentifierNameSyntax name) yield return name;
            }
        }
    }
}
