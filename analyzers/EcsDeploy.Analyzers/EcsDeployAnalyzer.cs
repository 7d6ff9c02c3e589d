using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// The habits every rule shares: concurrent execution, no generated code, the EcsDeploy symbols resolved once
    /// per compilation, and nothing registered when the compilation does not reference EcsDeploy.
    /// </summary>
    public abstract class EcsDeployAnalyzer : DiagnosticAnalyzer
    {
        private sealed class Holder
        {
            public Holder(EcsDeploySymbols? symbols) { Symbols = symbols; }
            public EcsDeploySymbols? Symbols { get; }
        }

        private static readonly ConditionalWeakTable<Compilation, Holder> SymbolsByCompilation = new ConditionalWeakTable<Compilation, Holder>();

        /// <inheritdoc />
        public sealed override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                EcsDeploySymbols? symbols = SymbolsByCompilation.GetValue(start.Compilation, c => new Holder(EcsDeploySymbols.TryCreate(c))).Symbols;
                if (symbols != null)
                {
                    Register(start, symbols);
                }
            });
        }

        internal abstract void Register(CompilationStartAnalysisContext context, EcsDeploySymbols symbols);

        /// <summary>Runs <paramref name="analyse"/> on the pipelines of each operation block (methods, top-level statements).</summary>
        internal static void RegisterPipelines(CompilationStartAnalysisContext context, EcsDeploySymbols symbols,
            System.Action<OperationBlockAnalysisContext, PipelineFlow, ISet<string>> analyse)
        {
            context.RegisterOperationBlockAction(block =>
            {
                var reported = new HashSet<string>();
                foreach (IOperation operation in block.OperationBlocks)
                {
                    PipelineModel model = PipelineModel.Get(operation, symbols);
                    foreach (PipelineFlow flow in model.Flows)
                    {
                        analyse(block, flow, reported);
                    }
                }
            });
        }

        /// <summary>Reports once per location and message.</summary>
        internal static void ReportOnce(OperationBlockAnalysisContext context, ISet<string> reported, DiagnosticDescriptor descriptor,
            Location location, string message, ImmutableDictionary<string, string?>? properties = null)
        {
            if (reported.Add(location.SourceSpan.ToString() + "|" + descriptor.Id + "|" + message))
            {
                context.ReportDiagnostic(Diagnostic.Create(descriptor, location, properties, message));
            }
        }
    }
}
