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
    /// ED0005: `.Environment("JWT_SECRET", "...")` becomes `.Secret("JWT_SECRET", "api/JWT_SECRET")`, a Secrets Manager
    /// reference named "&lt;pipeline-name&gt;/&lt;VARIABLE&gt;" as in the samples; "&lt;pipeline-name&gt;/JWT_SECRET" when the
    /// pipeline's name is not a constant in scope (the analyzer works the id out: <see cref="LiteralSecretAnalyzer.SecretIdProperty"/>).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LiteralSecretCodeFixProvider)), Shared]
    public sealed class LiteralSecretCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.LiteralSecret);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null) return;
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(LiteralSecretAnalyzer.NameProperty, out string? name) || name == null) continue;
                if (!diagnostic.Properties.TryGetValue(LiteralSecretAnalyzer.SecretIdProperty, out string? secretId) || secretId == null)
                {
                    secretId = LiteralSecretAnalyzer.PipelineNamePlaceholder + "/" + name;
                }
                InvocationExpressionSyntax? call = FindCall(root, diagnostic);
                if (call == null) continue;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Read '" + name + "' from Secrets Manager ('" + secretId + "')",
                        ct => Fix(context.Document, diagnostic, secretId, ct),
                        equivalenceKey: nameof(LiteralSecretCodeFixProvider)),
                    diagnostic);
            }
        }

        private static InvocationExpressionSyntax? FindCall(SyntaxNode root, Diagnostic diagnostic)
        {
            SyntaxNode value = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            ArgumentSyntax? argument = value.FirstAncestorOrSelf<ArgumentSyntax>();
            if (argument?.Parent is ArgumentListSyntax list && list.Parent is InvocationExpressionSyntax call
                && call.Expression is MemberAccessExpressionSyntax && list.Arguments.Count == 2 && list.Arguments[1] == argument)
            {
                return call;
            }
            return null;
        }

        private static async Task<Document> Fix(Document document, Diagnostic diagnostic, string secretId, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root == null) return document;
            InvocationExpressionSyntax? call = FindCall(root, diagnostic);
            if (call == null) return document;
            var member = (MemberAccessExpressionSyntax)call.Expression;
            ArgumentSyntax value = call.ArgumentList.Arguments[1];
            ArgumentSyntax reference = value.WithExpression(
                SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(secretId)).WithTriviaFrom(value.Expression));
            InvocationExpressionSyntax fixedCall = call
                .WithExpression(member.WithName(SyntaxFactory.IdentifierName("Secret").WithTriviaFrom(member.Name)))
                .WithArgumentList(call.ArgumentList.WithArguments(call.ArgumentList.Arguments.Replace(value, reference)));
            return document.WithSyntaxRoot(root.ReplaceNode(call, fixedCall));
        }
    }
}
