using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// A rule (one per file, ED0001-ED0016) and the habits every rule shares: concurrent execution, no generated code,
    /// the EcsDeploy symbols resolved once per compilation, and nothing registered when the compilation does not
    /// reference EcsDeploy.
    /// </summary>
    /// <remarks>
    /// A rule does not register callbacks of its own: it says which of three hooks it implements (a call into the
    /// library, a constant value inside one, a whole pipeline), and <see cref="RegisterRules"/> registers one semantic
    /// model action (one callback per file) for all the rules an analyzer runs: one walk per executable block feeds
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
        /// Registers one semantic model action (one callback per file) for all the rules. It asks the semantic model for
        /// the operation tree of each declaration that calls a method at all (<see cref="ExecutableDeclarations"/>), walks
        /// it once (<see cref="PipelineModel.Walk"/>), then builds the pipelines and runs the rules once every
        /// declaration of the file was walked, so a helper in the same file is read from the tree already built.
        /// </summary>
        /// <remarks>
        /// Not operation actions: the analyzer driver's per-method bookkeeping for operation (block) actions costs more
        /// than the whole analysis of a pipeline, and a compiler build pays it for every method of the project, pipeline
        /// or not (tests/benchmarks/analyzer-overhead.sh measures it). The semantic model in a build is the compiler's
        /// own, with each method's bound tree cached, so asking it for an operation tree does not bind the body again.
        /// </remarks>
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
            var rules = new RuleSet(calls.ToArray(), values.ToArray(), pipelines.ToArray());
            context.RegisterSemanticModelAction(file => AnalyzeFile(file, symbols, rules));
        }

        private sealed class RuleSet
        {
            public RuleSet(EcsDeployAnalyzer[] calls, EcsDeployAnalyzer[] values, EcsDeployAnalyzer[] pipelines)
            {
                Calls = calls;
                Values = values;
                Pipelines = pipelines;
            }

            public EcsDeployAnalyzer[] Calls { get; }
            public EcsDeployAnalyzer[] Values { get; }
            public EcsDeployAnalyzer[] Pipelines { get; }
        }

        private static void AnalyzeFile(SemanticModelAnalysisContext file, EcsDeploySymbols symbols, RuleSet rules)
        {
            SemanticModel semanticModel = file.SemanticModel;
            CancellationToken cancellationToken = file.CancellationToken;
            var pending = new List<(PipelineModel Model, BlockContents Contents)>();
            TextSpan? filter = file.FilterSpan; // the IDE may ask for one part of the file (the member being edited)
            foreach (SyntaxNode declaration in ExecutableDeclarations(semanticModel.SyntaxTree.GetRoot(cancellationToken)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (filter.HasValue && !filter.Value.IntersectsWith(declaration.Span))
                {
                    continue;
                }
                if (!CallsAnything(declaration))
                {
                    continue; // no invocation, no call into the library and no pipeline: not bound, not walked
                }
                IOperation? block = semanticModel.GetOperation(declaration, cancellationToken);
                if (block == null)
                {
                    continue;
                }
                var contents = new BlockContents();
                PipelineModel model = PipelineModel.Walk(block, symbols, contents);
                if (model.HasBuilderCalls && declaration is MethodDeclarationSyntax method
                    && semanticModel.GetDeclaredSymbol(method, cancellationToken) is IMethodSymbol symbol && symbols.IsBuilder(symbol.ReturnType))
                {
                    IOperation? body = MethodBody(block);
                    if (body != null) symbols.RememberHelperBody(symbol, body);
                }
                if (contents.LibraryCalls.Count > 0 || model.HasBuilderCalls)
                {
                    pending.Add((model, contents));
                }
            }
            foreach ((PipelineModel model, BlockContents contents) in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                model.Complete();
                var context = new RuleContext(file.ReportDiagnostic, model);
                foreach (IInvocationOperation call in contents.LibraryCalls)
                {
                    foreach (EcsDeployAnalyzer rule in rules.Calls) rule.AnalyzeLibraryCall(context, call, symbols);
                }
                foreach (IOperation value in contents.DefinitionValues)
                {
                    foreach (EcsDeployAnalyzer rule in rules.Values) rule.AnalyzeValue(context, value, symbols);
                }
                foreach (PipelineFlow flow in model.Flows)
                {
                    foreach (EcsDeployAnalyzer rule in rules.Pipelines) rule.AnalyzePipeline(context, flow, symbols);
                }
            }
        }

        /// <summary>
        /// The syntax whose operation tree is one executable block of the file, the blocks the analyzer driver would
        /// hand to an operation block action: top-level statements, method, constructor, operator and accessor bodies,
        /// expression-bodied properties and indexers, field and property initializers, and a primary constructor's base
        /// arguments. Lambdas and local functions are inside them; enum members, attributes and parameter defaults hold
        /// constants only, and no rule reads them.
        /// </summary>
        private static IEnumerable<SyntaxNode> ExecutableDeclarations(SyntaxNode root)
        {
            var types = new Stack<SyntaxNode>();
            types.Push(root);
            while (types.Count > 0)
            {
                SyntaxNode container = types.Pop();
                if (container is CompilationUnitSyntax unit)
                {
                    foreach (MemberDeclarationSyntax member in unit.Members)
                    {
                        if (member is GlobalStatementSyntax)
                        {
                            yield return unit; // top-level statements: one block for all of them
                            break;
                        }
                    }
                }
                if (container is TypeDeclarationSyntax type && type.BaseList != null)
                {
                    foreach (BaseTypeSyntax baseType in type.BaseList.Types)
                    {
                        if (baseType is PrimaryConstructorBaseTypeSyntax primaryBase) yield return primaryBase; // class C(...) : Base(args)
                    }
                }
                foreach (SyntaxNode child in Members(container))
                {
                    switch (child)
                    {
                        case BaseNamespaceDeclarationSyntax _:
                        case TypeDeclarationSyntax _:
                            types.Push(child);
                            break;
                        case BaseMethodDeclarationSyntax method when method.Body != null || method.ExpressionBody != null:
                            yield return method;
                            break;
                        case BasePropertyDeclarationSyntax property:
                            if (property is PropertyDeclarationSyntax withInitializer && withInitializer.Initializer != null) yield return withInitializer.Initializer;
                            ArrowExpressionClauseSyntax? arrow = (property as PropertyDeclarationSyntax)?.ExpressionBody ?? (property as IndexerDeclarationSyntax)?.ExpressionBody;
                            if (arrow != null) yield return arrow;
                            if (property.AccessorList != null)
                            {
                                foreach (AccessorDeclarationSyntax accessor in property.AccessorList.Accessors)
                                {
                                    if (accessor.Body != null || accessor.ExpressionBody != null) yield return accessor;
                                }
                            }
                            break;
                        case BaseFieldDeclarationSyntax field:
                            foreach (VariableDeclaratorSyntax variable in field.Declaration.Variables)
                            {
                                if (variable.Initializer != null) yield return variable.Initializer;
                            }
                            break;
                    }
                }
            }
        }

        private static SyntaxList<MemberDeclarationSyntax> Members(SyntaxNode container)
        {
            switch (container)
            {
                case CompilationUnitSyntax unit: return unit.Members;
                case BaseNamespaceDeclarationSyntax ns: return ns.Members;
                case TypeDeclarationSyntax type: return type.Members;
                default: return default;
            }
        }

        /// <summary>Whether the declaration contains an invocation: every rule starts from one (a call into the library or a builder call).</summary>
        private static bool CallsAnything(SyntaxNode declaration)
        {
            IEnumerable<SyntaxNode> nodes = declaration is CompilationUnitSyntax unit
                ? GlobalStatementNodes(unit)
                : declaration.DescendantNodes();
            foreach (SyntaxNode node in nodes)
            {
                if (node is InvocationExpressionSyntax) return true;
            }
            return false;
        }

        private static IEnumerable<SyntaxNode> GlobalStatementNodes(CompilationUnitSyntax unit)
        {
            foreach (MemberDeclarationSyntax member in unit.Members)
            {
                if (member is GlobalStatementSyntax statement)
                {
                    foreach (SyntaxNode node in statement.DescendantNodes()) yield return node;
                }
            }
        }

        /// <summary>A method's body: its block, or the block of its expression body.</summary>
        private static IOperation? MethodBody(IOperation block)
        {
            return block is IMethodBodyOperation methodBody ? (IOperation?)methodBody.BlockBody ?? methodBody.ExpressionBody : null;
        }
    }
}
