using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EcsDeploy.Analyzers.CodeFixes
{
    /// <summary>
    /// Removes the reported call from its chain: ED0014's `.CircuitBreaker()` (it does nothing with a blue/green, linear
    /// or canary strategy) and ED0016's `.WaitTimeout(...)` (without it the wait follows the strategy).
    /// `d.Service("api").CircuitBreaker().Strategy(...)` becomes `d.Service("api").Strategy(...)`; a statement that is
    /// nothing but the call on the options (`d.CircuitBreaker();`) goes, and a lambda that is nothing but it gets an
    /// empty body.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveCallCodeFixProvider)), Shared]
    public sealed class RemoveCallCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CircuitBreakerIgnored, RuleIdentifiers.BakeLongerThanWait);

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
                string name = ((MemberAccessExpressionSyntax)call.Expression).Name.Identifier.ValueText;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        diagnostic.Id == RuleIdentifiers.CircuitBreakerIgnored
                            ? "Remove ." + name + "(...): it does nothing with this strategy"
                            : "Remove ." + name + "(...): the wait follows the strategy",
                        ct => Fix(context.Document, diagnostic, ct),
                        equivalenceKey: nameof(RemoveCallCodeFixProvider) + diagnostic.Id),
                    diagnostic);
            }
        }

        /// <summary>The reported `receiver.Name(...)` call: the diagnostic spans its name and arguments.</summary>
        private static InvocationExpressionSyntax? FindCall(SyntaxNode root, Diagnostic diagnostic)
        {
            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            for (SyntaxNode? current = node; current != null; current = current.Parent)
            {
                if (current is InvocationExpressionSyntax call && call.Expression is MemberAccessExpressionSyntax member
                    && member.Name.SpanStart == diagnostic.Location.SourceSpan.Start)
                {
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
            ExpressionSyntax receiver = ((MemberAccessExpressionSyntax)call.Expression).Expression;
            if (receiver is IdentifierNameSyntax)
            {
                // `d.CircuitBreaker()` alone: `d` is no statement of its own.
                if (call.Parent is ExpressionStatementSyntax statement)
                {
                    return document.WithSyntaxRoot(root.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia)!);
                }
                if (call.Parent is LambdaExpressionSyntax lambda && lambda.ExpressionBody == call)
                {
                    LambdaExpressionSyntax empty = lambda.WithExpressionBody(null).WithBlock(SyntaxFactory.Block().WithTriviaFrom(call));
                    return document.WithSyntaxRoot(root.ReplaceNode(lambda, empty));
                }
            }
            ExpressionSyntax replacement = receiver.WithTrailingTrivia(call.GetTrailingTrivia());
            return document.WithSyntaxRoot(root.ReplaceNode(call, replacement));
        }
    }
}
