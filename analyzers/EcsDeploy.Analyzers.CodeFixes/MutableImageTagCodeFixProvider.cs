using System.Collections.Immutable;
using System.Composition;
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
    /// <summary>ED0009: `.Tags("latest")` becomes `.Tags(PushOptions.GitSha, "latest")`.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MutableImageTagCodeFixProvider)), Shared]
    public sealed class MutableImageTagCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.MutableImageTag);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null) return;
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                InvocationExpressionSyntax? call = FindCall(root, diagnostic);
                if (call == null) continue;
                context.RegisterCodeFix(
                    CodeAction.Create("Add the git SHA tag", ct => Fix(context.Document, diagnostic, ct), equivalenceKey: nameof(MutableImageTagCodeFixProvider)),
                    diagnostic);
            }
        }

        private static InvocationExpressionSyntax? FindCall(SyntaxNode root, Diagnostic diagnostic)
        {
            SyntaxToken token = root.FindToken(diagnostic.Location.SourceSpan.Start);
            for (SyntaxNode? node = token.Parent; node != null; node = node.Parent)
            {
                if (node is InvocationExpressionSyntax call && call.Span.End == diagnostic.Location.SourceSpan.End)
                {
                    // Only the params form: Tags("latest"), not Tags(array).
                    foreach (ArgumentSyntax argument in call.ArgumentList.Arguments)
                    {
                        if (!(argument.Expression is LiteralExpressionSyntax) || argument.NameColon != null) return null;
                    }
                    return call;
                }
            }
            return null;
        }

        private static async Task<Document> Fix(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root == null) return document;
            InvocationExpressionSyntax? call = FindCall(root, diagnostic);
            if (call == null) return document;
            ExpressionSyntax gitSha = SyntaxFactory.ParseExpression("global::EcsDeploy.PushOptions.GitSha").WithAdditionalAnnotations(Simplifier.Annotation);
            ArgumentListSyntax arguments = call.ArgumentList.WithArguments(call.ArgumentList.Arguments.Insert(0, SyntaxFactory.Argument(gitSha)));
            return document.WithSyntaxRoot(root.ReplaceNode(call.ArgumentList, arguments));
        }
    }
}
