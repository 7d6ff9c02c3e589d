using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>ED0008: a development-only migration command (prisma migrate dev, migrate reset, db push, --accept-data-loss).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("MicrosoftCodeAnalysisCorrectness", "RS1001", Justification = "A rule: the compiler loads EcsDeployPipelineAnalyzer, which runs every rule.")]
    public sealed class DevelopmentMigrationAnalyzer : EcsDeployAnalyzer
    {
        private static readonly char[] Whitespace = { ' ', '\t', '\r', '\n' };

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.DevelopmentMigration);

        internal override bool ChecksLibraryCalls => true;

        internal override void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols)
        {
            {
                if (!EcsDeploySymbols.IsOn(call, symbols.MigrationOptions, "Command") && !EcsDeploySymbols.IsOn(call, symbols.BuildOptions, "Run")) return;
                List<string>? words = Words(call);
                if (words == null) return;
                string? message = MigrationRules.Check(words);
                if (message != null)
                {
                    context.Report(Diagnostic.Create(Descriptors.DevelopmentMigration, OperationHelpers.NameLocation(call), message));
                }
            }
        }

        /// <summary>The command's words: each argument, split at whitespace (`Run("npx prisma migrate dev")`).</summary>
        internal static List<string>? Words(IInvocationOperation call)
        {
            List<string>? arguments = OperationHelpers.ConstantStrings(call);
            if (arguments == null) return null;
            var words = new List<string>();
            foreach (string argument in arguments)
            {
                words.AddRange(argument.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries));
            }
            return words;
        }
    }
}
