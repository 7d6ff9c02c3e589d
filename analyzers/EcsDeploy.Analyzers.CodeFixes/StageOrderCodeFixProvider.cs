using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EcsDeploy.Analyzers.CodeFixes
{
    /// <summary>ED0002: moves the stage written too late to just before the stage it must precede, in the same fluent chain.</summary>
    [ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(StageOrderCodeFixProvider)), Shared]
    public sealed class StageOrderCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.StagesOutOfOrder);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null) return;
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(StageOrderAnalyzer.MoveBeforeProperty, out string? position)
                    || !int.TryParse(position, NumberStyles.Integer, CultureInfo.InvariantCulture, out int earlyStart))
                {
                    continue;
                }
                InvocationExpressionSyntax? late = CallAt(root, diagnostic.Location.SourceSpan.Start);
                InvocationExpressionSyntax? early = CallAt(root, earlyStart);
                if (late == null || early == null) continue;
                if (Reorder(late, early) == null)
                {
                    // Not one chain: the pipeline is built across statements on a builder local.
                    SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
                    if (model == null || AcrossStatements.Plan(model, late, early, context.CancellationToken) == null) continue;
                }
                string lateName = ((MemberAccessExpressionSyntax)late.Expression).Name.Identifier.ValueText;
                string earlyName = ((MemberAccessExpressionSyntax)early.Expression).Name.Identifier.ValueText;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Move ." + lateName + "(...) before ." + earlyName + "(...)",
                        ct => Fix(context.Document, diagnostic.Location.SourceSpan.Start, earlyStart, ct),
                        equivalenceKey: nameof(StageOrderCodeFixProvider)),
                    diagnostic);
            }
        }

        private static async Task<Document> Fix(Document document, int lateStart, int earlyStart, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root == null) return document;
            InvocationExpressionSyntax? late = CallAt(root, lateStart);
            InvocationExpressionSyntax? early = CallAt(root, earlyStart);
            if (late == null || early == null) return document;
            ExpressionSyntax? replacement = Reorder(late, early);
            if (replacement != null)
            {
                return document.WithSyntaxRoot(root.ReplaceNode(late, replacement));
            }
            SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            AcrossStatements? plan = model == null ? null : AcrossStatements.Plan(model, late, early, cancellationToken);
            return plan == null ? document : document.WithSyntaxRoot(plan.Apply(root));
        }

        /// <summary>The invocation `x.Name(...)` whose name starts at <paramref name="position"/>.</summary>
        private static InvocationExpressionSyntax? CallAt(SyntaxNode root, int position)
        {
            SyntaxToken token = root.FindToken(position);
            for (SyntaxNode? node = token.Parent; node != null; node = node.Parent)
            {
                if (node is InvocationExpressionSyntax invocation && invocation.Expression is MemberAccessExpressionSyntax member
                    && member.Name.SpanStart == position)
                {
                    return invocation;
                }
            }
            return null;
        }

        /// <summary>
        /// Rebuilds the chain ending at <paramref name="late"/> with <paramref name="late"/>'s call moved just before
        /// <paramref name="early"/>'s; null when <paramref name="early"/> is not in the chain.
        /// </summary>
        internal static ExpressionSyntax? Reorder(InvocationExpressionSyntax late, InvocationExpressionSyntax early)
        {
            var segments = new List<InvocationExpressionSyntax>();
            ExpressionSyntax current = late;
            while (true)
            {
                if (!(current is InvocationExpressionSyntax invocation) || !(invocation.Expression is MemberAccessExpressionSyntax member))
                {
                    return null;
                }
                segments.Add(invocation);
                if (invocation == early)
                {
                    current = member.Expression;
                    break;
                }
                current = member.Expression;
            }
            segments.Reverse(); // early ... late, in the order written
            var order = new List<InvocationExpressionSyntax> { segments[segments.Count - 1] };
            order.AddRange(segments.Take(segments.Count - 1));
            // Line breaks are trailing trivia of each call's ')': they stay where they were, the calls move.
            ExpressionSyntax rebuilt = current;
            for (int i = 0; i < order.Count; i++)
            {
                InvocationExpressionSyntax segment = order[i];
                var member = (MemberAccessExpressionSyntax)segment.Expression;
                rebuilt = segment.WithExpression(member.WithExpression(rebuilt)).WithTrailingTrivia(segments[i].GetTrailingTrivia());
            }
            return rebuilt;
        }
    }
}
