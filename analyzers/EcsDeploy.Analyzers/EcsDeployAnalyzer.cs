using System.Collections.Concurrent;
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
    /// library, a constant value inside one, a whole pipeline), and <see cref="RegisterRules"/> registers, per type,
    /// one operation block action and one end action for all the rules an analyzer runs: one walk per block feeds
    /// every hook. The compiler loads one analyzer, <see cref="EcsDeployPipelineAnalyzer"/>, which runs every rule;
    /// the analyzer driver's cost grows with the number of analyzers and callbacks.
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
        internal virtual void AnalyzeLibraryCall(RuleContext context, IInvocationOperation call, EcsDeploySymbols symbols) { }

        /// <summary>A literal, a local reference or a field reference inside a call into the library (at any depth).</summary>
        internal virtual void AnalyzeValue(RuleContext context, IOperation value, EcsDeploySymbols symbols) { }

        /// <summary>One pipeline of the block; report with <see cref="RuleContext.ReportOnce"/>.</summary>
        internal virtual void AnalyzePipeline(RuleContext context, PipelineFlow flow, EcsDeploySymbols symbols) { }

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

        /// <summary>
        /// Registers, per type, one operation block action for all the rules and one end action. Each block is walked
        /// once (<see cref="PipelineModel.Walk"/>): one callback per block, not one per invocation or literal of the
        /// program. The pipelines are built and the rules run when the type ends, once the blocks of its helper methods
        /// were seen: the driver hands each block out as the compiler bound it, so a helper is never bound again.
        /// </summary>
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
            if (calls.Count + values.Count + pipelines.Count == 0)
            {
                return;
            }
            EcsDeployAnalyzer[] callRules = calls.ToArray();
            EcsDeployAnalyzer[] valueRules = values.ToArray();
            EcsDeployAnalyzer[] pipelineRules = pipelines.ToArray();
            context.RegisterSymbolStartAction(type =>
            {
                var pending = new ConcurrentQueue<(PipelineModel Model, BlockContents Contents)>();
                type.RegisterOperationBlockAction(block =>
                {
                    if (block.OwningSymbol is IMethodSymbol method && symbols.IsBuilder(method.ReturnType))
                    {
                        IOperation? body = MethodBody(block.OperationBlocks);
                        if (body != null) symbols.RememberHelperBody(method, body);
                    }
                    var contents = new BlockContents();
                    PipelineModel model = PipelineModel.Walk(block.OperationBlocks, symbols, contents);
                    if (contents.LibraryCalls.Count > 0 || model.HasBuilderCalls)
                    {
                        pending.Enqueue((model, contents));
                    }
                });
                type.RegisterSymbolEndAction(end =>
                {
                    foreach ((PipelineModel model, BlockContents contents) in pending)
                    {
                        end.CancellationToken.ThrowIfCancellationRequested();
                        model.Complete();
                        var rules = new RuleContext(end.ReportDiagnostic, model);
                        foreach (IInvocationOperation call in contents.LibraryCalls)
                        {
                            foreach (EcsDeployAnalyzer rule in callRules) rule.AnalyzeLibraryCall(rules, call, symbols);
                        }
                        foreach (IOperation value in contents.DefinitionValues)
                        {
                            foreach (EcsDeployAnalyzer rule in valueRules) rule.AnalyzeValue(rules, value, symbols);
                        }
                        foreach (PipelineFlow flow in model.Flows)
                        {
                            foreach (EcsDeployAnalyzer rule in pipelineRules) rule.AnalyzePipeline(rules, flow, symbols);
                        }
                    }
                });
            }, SymbolKind.NamedType);
        }

        /// <summary>A method's body among its operation blocks (the others are parameter defaults and attributes).</summary>
        private static IOperation? MethodBody(ImmutableArray<IOperation> blocks)
        {
            foreach (IOperation block in blocks)
            {
                if (block is IMethodBodyOperation methodBody) return (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody;
                if (block is IBlockOperation) return block;
            }
            return null;
        }
    }
}
