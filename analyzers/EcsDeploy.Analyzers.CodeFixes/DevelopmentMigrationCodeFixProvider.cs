using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EcsDeploy.Analyzers.CodeFixes
{
    /// <summary>ED0008: rewrites a development-only migration command to `migrate deploy`.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DevelopmentMigrationCodeFixProvider)), Shared]
    public sealed class DevelopmentMigrationCodeFixProvider : CodeFixProvider
    {
        private static readonly char[] Whitespace = { ' ', '\t', '\r', '\n' };
        private static readonly string[] DevelopmentFlags = { "--accept-data-loss", "--force-reset", "--force", "-f", "--create-only", "--skip-seed", "--skip-generate" };

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.DevelopmentMigration);

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
                if (call == null || Rewrite(call) == null) continue;
                context.RegisterCodeFix(
                    CodeAction.Create("Use 'migrate deploy'", ct => Fix(context.Document, diagnostic, ct), equivalenceKey: nameof(DevelopmentMigrationCodeFixProvider)),
                    diagnostic);
            }
        }

        private static InvocationExpressionSyntax? FindCall(SyntaxNode root, Diagnostic diagnostic)
        {
            SyntaxToken token = root.FindToken(diagnostic.Location.SourceSpan.Start);
            for (SyntaxNode? node = token.Parent; node != null; node = node.Parent)
            {
                if (node is InvocationExpressionSyntax call && call.Span.End == diagnostic.Location.SourceSpan.End) return call;
            }
            return null;
        }

        private static async Task<Document> Fix(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root == null) return document;
            InvocationExpressionSyntax? call = FindCall(root, diagnostic);
            ArgumentListSyntax? arguments = call == null ? null : Rewrite(call);
            return call == null || arguments == null ? document : document.WithSyntaxRoot(root.ReplaceNode(call.ArgumentList, arguments));
        }

        /// <summary>The fixed argument list, or null when the arguments are not all string literals or cannot be made safe.</summary>
        private static ArgumentListSyntax? Rewrite(InvocationExpressionSyntax call)
        {
            SeparatedSyntaxList<ArgumentSyntax> arguments = call.ArgumentList.Arguments;
            var words = new List<string>();
            foreach (ArgumentSyntax argument in arguments)
            {
                if (!(argument.Expression is LiteralExpressionSyntax literal) || !literal.IsKind(SyntaxKind.StringLiteralExpression) || argument.NameColon != null) return null;
                words.AddRange(literal.Token.ValueText.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries));
            }
            List<string> safe = ToDeploySafe(words);
            if (MigrationRules.Check(safe) != null || safe.Count == 0) return null;
            IEnumerable<string> values = arguments.Count == 1 ? new[] { string.Join(" ", safe) } : (IEnumerable<string>)safe;
            var list = values.Select(v => SyntaxFactory.Argument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(v))));
            return call.ArgumentList.WithArguments(SyntaxFactory.SeparatedList(list));
        }

        /// <summary>`migrate dev`, `migrate reset` and `db push` become `migrate deploy`; flags only they take are dropped.</summary>
        internal static List<string> ToDeploySafe(IReadOnlyList<string> words)
        {
            var result = new List<string>();
            for (int i = 0; i < words.Count; i++)
            {
                string word = words[i];
                string? next = i + 1 < words.Count ? words[i + 1] : null;
                if ((word == "migrate" && (next == "dev" || next == "reset")) || (word == "db" && next == "push"))
                {
                    result.Add("migrate");
                    result.Add("deploy");
                    i++;
                }
                else if (word == "--name" || word == "-n")
                {
                    i++;
                }
                else if (Array.IndexOf(DevelopmentFlags, word) < 0 && !word.StartsWith("--name=", StringComparison.Ordinal))
                {
                    result.Add(word);
                }
            }
            return result;
        }
    }
}
