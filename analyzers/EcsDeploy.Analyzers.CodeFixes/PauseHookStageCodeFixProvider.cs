using System.Collections.Immutable;
using System.Composition;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace EcsDeploy.Analyzers.CodeFixes
{
    /// <summary>
    /// ED0017: moves a PAUSE hook to the nearest stage ECS pauses at. `d.PauseHook(LifecycleHookStages.TestTrafficShift)`
    /// becomes `d.PauseHook(LifecycleHookStages.PostTestTrafficShift)`; at PRODUCTION_TRAFFIC_SHIFT two fixes are offered,
    /// PRE_PRODUCTION_TRAFFIC_SHIFT (before production traffic moves) and POST_PRODUCTION_TRAFFIC_SHIFT (once it moved).
    /// A string literal stays a literal; a constant becomes the LifecycleHookStages constant.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PauseHookStageCodeFixProvider)), Shared]
    public sealed class PauseHookStageCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.PauseHookWhileTrafficMoves);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null) return;
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(PauseHookStageAnalyzer.AlternativesProperty, out string? alternatives) || string.IsNullOrEmpty(alternatives)) continue;
                if (!(root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is ExpressionSyntax)) continue;
                foreach (string stage in alternatives!.Split(','))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Pause at " + stage, ct => Fix(context.Document, diagnostic, stage, ct), equivalenceKey: nameof(PauseHookStageCodeFixProvider) + stage),
                        diagnostic);
                }
            }
        }

        private static async Task<Document> Fix(Document document, Diagnostic diagnostic, string stage, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (!(root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is ExpressionSyntax expression)) return document;
            ExpressionSyntax replacement = expression is LiteralExpressionSyntax
                ? SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(stage))
                : SyntaxFactory.ParseExpression("global::EcsDeploy.Aws.LifecycleHookStages." + ConstantName(stage)).WithAdditionalAnnotations(Simplifier.Annotation);
            return document.WithSyntaxRoot(root.ReplaceNode(expression, replacement.WithTriviaFrom(expression)));
        }

        /// <summary>POST_TEST_TRAFFIC_SHIFT to PostTestTrafficShift, the name of its LifecycleHookStages constant.</summary>
        private static string ConstantName(string stage)
        {
            var name = new StringBuilder();
            foreach (string word in stage.Split('_'))
            {
                if (word.Length == 0) continue;
                name.Append(word[0]).Append(word.Substring(1).ToLowerInvariant());
            }
            return name.ToString();
        }
    }
}
