using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// A rule (one per file, ED0001-ED0011) and the habits every rule shares: concurrent execution, no generated code,
    /// the EcsDeploy symbols resolved once per compilation, and nothing registered when the compilation does not
    /// reference EcsDeploy.
    /// </summary>
    /// <remarks>
    /// A rule does not register callbacks of its own: it says which of three hooks it implements (a call into the
    /// library, a constant value, a whole pipeline), and <see cref="RegisterRules"/> registers each hook kind ONCE
    /// for all the rules an analyzer runs. The compiler loads one analyzer, <see cref="EcsDeployPipelineAnalyzer"/>,
    /// which runs every rule; the analyzer driver's cost grows with the number of analyzers and callbacks, and the
    /// pipeline model of an operation block is built once and shared by every rule that reads whole pipelines.
    /// A rule class is still a <see cref="DiagnosticAnalyzer"/> on its own (through the same registration), so that
    /// tests and tools can run one rule alone.
    /// </remarks>
    public abstract class EcsDeployAnalyzer : DiagnosticAnalyzer
    {
        private sealed class Holder
        {
            public Holder(EcsDeploySymbols? symbols) { Symbols = symbols; }
            public EcsDeploySymbols? Symbols { get; }
        }

        private static readonly ConditionalWeakTable<Compilation, Holder> SymbolsByCompilation = new ConditionalWeakTable<Compilation, Holder>();

        /// <summary>The rules this analyzer runs: itself for a rule, every rule for <see cref="EcsDeployPipelineAnalyzer"/>.</summary>
        internal virtual IReadOnlyList<EcsDeployAnalyzer> Rules => new[] { this };

        /// <summary>Whether the rule applies to this compilation (the types it reads exist).</summary>
        internal virtual bool AppliesTo(EcsDeploySymbols symbols) => true;

        /// <summary>The rule checks single calls into the library (<see cref="AnalyzeLibraryCall"/>).</summary>
        internal virtual bool ChecksLibraryCalls => false;

        /// <summary>The rule checks constant values anywhere (literals, constant locals and fields: <see cref="AnalyzeValue"/>).</summary>
        internal virtual bool ChecksValues => false;

        /// <summary>The rule checks whole pipelines of an operation block (<see cref="AnalyzePipeline"/>).</summary>
        internal virtual bool ChecksPipelines => false;

        /// <summary>A call to a method of the EcsDeploy library or to a [PipelineStage] method.</summary>
        internal virtual void AnalyzeLibraryCall(OperationAnalysisContext context, IInvocationOperation call, EcsDeploySymbols symbols) { }

        /// <summary>A literal, a local reference or a field reference.</summary>
        internal virtual void AnalyzeValue(OperationAnalysisContext context, EcsDeploySymbols symbols) { }

        /// <summary>One pipeline of an operation block; <paramref name="reported"/> deduplicates across the block.</summary>
        internal virtual void AnalyzePipeline(OperationBlockAnalysisContext context, PipelineFlow flow, ISet<string> reported, EcsDeploySymbols symbols) { }

        /// <inheritdoc />
        public sealed override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            IReadOnlyList<EcsDeployAnalyzer> rules = Rules;
            context.RegisterCompilationStartAction(start =>
            {
                EcsDeploySymbols? symbols = SymbolsByCompilation.GetValue(start.Compilation, c => new Holder(EcsDeploySymbols.TryCreate(c))).Symbols;
                if (symbols != null)
                {
                    RegisterRules(start, symbols, rules);
                }
            });
        }

        /// <summary>Registers each kind of hook once for every rule that implements it.</summary>
        private static void RegisterRules(CompilationStartAnalysisContext context, EcsDeploySymbols symbols, IReadOnlyList<EcsDeployAnalyzer> all)
        {
            var calls = new List<EcsDeployAnalyzer>();
            var values = new List<EcsDeployAnalyzer>();
            var pipelines = new List<EcsDeployAnalyzer>();
            foreach (EcsDeployAnalyzer rule in all)
            {
                if (!rule.AppliesTo(symbols)) continue;
                if (rule.ChecksLibraryCalls) calls.Add(rule);
                if (rule.ChecksValues) values.Add(rule);
                if (rule.ChecksPipelines) pipelines.Add(rule);
            }
            if (calls.Count > 0)
            {
                EcsDeployAnalyzer[] callRules = calls.ToArray();
                context.RegisterOperationAction(operation =>
                {
                    var call = (IInvocationOperation)operation.Operation;
                    // Cheap filter first: most calls in a program are not into EcsDeploy.
                    if (!symbols.IsLibraryMethod(call.TargetMethod)) return;
                    foreach (EcsDeployAnalyzer rule in callRules) rule.AnalyzeLibraryCall(operation, call, symbols);
                }, OperationKind.Invocation);
            }
            if (values.Count > 0)
            {
                EcsDeployAnalyzer[] valueRules = values.ToArray();
                context.RegisterOperationAction(operation =>
                {
                    foreach (EcsDeployAnalyzer rule in valueRules) rule.AnalyzeValue(operation, symbols);
                }, OperationKind.Literal, OperationKind.FieldReference, OperationKind.LocalReference);
            }
            if (pipelines.Count > 0)
            {
                EcsDeployAnalyzer[] pipelineRules = pipelines.ToArray();
                context.RegisterOperationBlockAction(block =>
                {
                    HashSet<string>? reported = null;
                    foreach (IOperation operation in block.OperationBlocks)
                    {
                        PipelineModel model = PipelineModel.Get(operation, symbols);
                        foreach (PipelineFlow flow in model.Flows)
                        {
                            reported ??= new HashSet<string>();
                            foreach (EcsDeployAnalyzer rule in pipelineRules) rule.AnalyzePipeline(block, flow, reported, symbols);
                        }
                    }
                });
            }
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
