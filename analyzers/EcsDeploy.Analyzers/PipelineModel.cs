using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>A call on a pipeline's builder, in the order written.</summary>
    internal sealed class FlowCall
    {
        public FlowCall(IInvocationOperation invocation, StageInfo? stage, IInvocationOperation? site)
        {
            Invocation = invocation;
            Stage = stage;
            Site = site;
        }

        /// <summary>The call itself (in a helper's body when <see cref="Site"/> is set).</summary>
        public IInvocationOperation Invocation { get; }
        public StageInfo? Stage { get; }
        /// <summary>The call of the helper method that made this call, in the block analysed; null for a call written there.</summary>
        public IInvocationOperation? Site { get; }
        public bool IsDirect => Site == null;
        /// <summary>Where to report about this call in the block analysed.</summary>
        public IInvocationOperation ReportAt => Site ?? Invocation;

        /// <summary>Two calls made by the same helper call are reported inside the helper, not at its call site.</summary>
        public static bool ReportableTogether(FlowCall a, FlowCall b)
        {
            return a.IsDirect || b.IsDirect || !ReferenceEquals(a.Site, b.Site);
        }
    }

    /// <summary>One pipeline: the builder calls made on it, across statements (locals) and helper methods.</summary>
    internal sealed class PipelineFlow
    {
        /// <summary>The Pipeline.For(...) call in the analysed block that starts the pipeline.</summary>
        public IInvocationOperation? Root { get; set; }
        /// <summary>The pipeline starts with Pipeline.For(...) inside a helper method.</summary>
        public bool RootedInHelper { get; set; }
        /// <summary>The pipeline is a parameter of the analysed method (a helper that extends a pipeline).</summary>
        public IParameterSymbol? RootParameter { get; set; }
        /// <summary>Every builder call of the pipeline is known (it starts with Pipeline.For here or in a helper).</summary>
        public bool IsComplete => Root != null || RootedInHelper;
        public List<FlowCall> Calls { get; } = new List<FlowCall>();
        public bool IsRun { get; set; }
        public bool Escapes { get; set; }

        public List<FlowCall> Stages()
        {
            var stages = new List<FlowCall>();
            foreach (FlowCall call in Calls)
            {
                if (call.Stage != null) stages.Add(call);
            }
            return stages;
        }

        public FlowCall? FirstStage(string name)
        {
            foreach (FlowCall call in Calls)
            {
                if (call.Stage != null && call.Stage.Name == name) return call;
            }
            return null;
        }
    }

    /// <summary>What a helper method returning PipelineBuilder does to the pipeline it returns.</summary>
    internal sealed class HelperSummary
    {
        public static readonly HelperSummary None = new HelperSummary(false, -1, false, new List<FlowCall>());

        public HelperSummary(bool usable, int rootParameterOrdinal, bool rootedInFor, List<FlowCall> calls)
        {
            Usable = usable;
            RootParameterOrdinal = rootParameterOrdinal;
            RootedInFor = rootedInFor;
            Calls = calls;
        }

        public bool Usable { get; }
        /// <summary>The parameter the returned pipeline comes from; -1 when the helper starts it or it is unknown.</summary>
        public int RootParameterOrdinal { get; }
        public bool RootedInFor { get; }
        public List<FlowCall> Calls { get; }
    }

    /// <summary>
    /// What one walk of an operation block found for the rules besides its pipelines: the calls into the library
    /// and the values written inside them (arguments, at any depth, of a call into the library).
    /// </summary>
    internal sealed class BlockContents
    {
        public List<IInvocationOperation> LibraryCalls { get; } = new List<IInvocationOperation>();
        public List<IOperation> DefinitionValues { get; } = new List<IOperation>();
    }

    /// <summary>
    /// The pipelines of one operation block (a method, a local function's host, top-level statements), built by one
    /// walk of the block that also collects what the single-call rules read (<see cref="BlockContents"/>): the
    /// analyzer visits each operation once, whatever the number of rules.
    /// </summary>
    internal sealed class PipelineModel
    {
        [ThreadStatic]
        private static HashSet<IMethodSymbol>? _inProgress;

        private readonly EcsDeploySymbols _symbols;
        private readonly SemanticModel? _semanticModel;
        private readonly Dictionary<IOperation, PipelineFlow> _byOperation = new Dictionary<IOperation, PipelineFlow>();
        private readonly Dictionary<ILocalSymbol, PipelineFlow> _locals = new Dictionary<ILocalSymbol, PipelineFlow>(SymbolEqualityComparer.Default);
        private readonly Dictionary<IParameterSymbol, PipelineFlow> _parameters = new Dictionary<IParameterSymbol, PipelineFlow>(SymbolEqualityComparer.Default);
        private readonly Dictionary<IInvocationOperation, int> _helperCalls = new Dictionary<IInvocationOperation, int>();
        private readonly List<IReturnOperation> _returns = new List<IReturnOperation>();
        // Filled by the walk: the operations the model is built from, and the builder locals read.
        private readonly List<IOperation> _items = new List<IOperation>();
        private readonly List<ILocalReferenceOperation> _builderLocals = new List<ILocalReferenceOperation>();
        private bool _hasBuilderCalls;

        private PipelineModel(EcsDeploySymbols symbols, SemanticModel? semanticModel)
        {
            _symbols = symbols;
            _semanticModel = semanticModel;
        }

        public List<PipelineFlow> Flows { get; } = new List<PipelineFlow>();

        /// <summary>
        /// Walks the operation tree of one declaration (a constructor's holds its initializer and its body): the model's
        /// items, and into <paramref name="contents"/> what the single-call rules read. <see cref="Complete"/> then
        /// builds the pipelines; it may read helper methods, so the analyzer calls it once the file was walked.
        /// </summary>
        public static PipelineModel Walk(IOperation block, EcsDeploySymbols symbols, BlockContents contents)
        {
            var model = new PipelineModel(symbols, block.SemanticModel);
            model.Collect(block, contents, inDefinition: false);
            return model;
        }

        /// <summary>The walk found builder calls: <see cref="Complete"/> may find pipelines.</summary>
        public bool HasBuilderCalls => _hasBuilderCalls;

        /// <summary>The pipelines of one block (a helper method's body), without collecting for the rules.</summary>
        private static PipelineModel ForBody(IOperation body, EcsDeploySymbols symbols, SemanticModel? semanticModel)
        {
            var model = new PipelineModel(symbols, semanticModel);
            model.Collect(body, null, inDefinition: false);
            model.Complete();
            return model;
        }

        /// <summary>Builds the pipelines from what the walk collected.</summary>
        public void Complete()
        {
            if (!_hasBuilderCalls)
            {
                return; // a block without builder calls costs the walk only
            }
            // Textual order: a chain's inner calls end first; statements follow one another.
            _items.Sort((a, b) =>
            {
                int byEnd = a.Syntax.Span.End.CompareTo(b.Syntax.Span.End);
                return byEnd != 0 ? byEnd : a.Syntax.Span.Length.CompareTo(b.Syntax.Span.Length);
            });
            foreach (IOperation item in _items)
            {
                switch (item)
                {
                    case IInvocationOperation invocation:
                        Visit(invocation);
                        break;
                    case IVariableDeclaratorOperation declarator:
                        PipelineFlow? initial = FlowOf(declarator.Initializer!.Value);
                        if (initial != null) _locals[declarator.Symbol] = initial;
                        break;
                    case ISimpleAssignmentOperation assignment:
                        PipelineFlow? assigned = FlowOf(assignment.Value);
                        if (assigned != null) _locals[((ILocalReferenceOperation)assignment.Target).Local] = assigned;
                        break;
                }
            }
            foreach (ILocalReferenceOperation local in _builderLocals)
            {
                if (!_byOperation.ContainsKey(local) && _locals.TryGetValue(local.Local, out PipelineFlow? flow))
                {
                    _byOperation[local] = flow;
                }
            }
            FindEscapes();
        }

        /// <summary>
        /// The one walk: the model's items, and for the rules (<paramref name="contents"/> not null) the calls into the
        /// library and the values inside them. <paramref name="inDefinition"/>: an ancestor is a call into the library.
        /// </summary>
        [MethodImpl(EcsDeploySymbols.Hot)]
        private void Collect(IOperation operation, BlockContents? contents, bool inDefinition)
        {
            switch (operation)
            {
                case IInvocationOperation invocation:
                    IMethodSymbol method = invocation.TargetMethod;
                    if (contents != null && _symbols.IsLibraryMethod(method))
                    {
                        contents.LibraryCalls.Add(invocation);
                        inDefinition = true;
                    }
                    if (Touches(method))
                    {
                        _items.Add(operation);
                        _hasBuilderCalls = true;
                    }
                    break;
                case IVariableDeclaratorOperation declarator when declarator.Initializer != null && _symbols.IsBuilder(declarator.Symbol.Type):
                    _items.Add(operation);
                    break;
                case ISimpleAssignmentOperation assignment when assignment.Target is ILocalReferenceOperation local && _symbols.IsBuilder(local.Type):
                    _items.Add(operation);
                    break;
                case ILocalReferenceOperation local:
                    if (_symbols.IsBuilder(local.Type)) _builderLocals.Add(local);
                    else if (inDefinition) contents?.DefinitionValues.Add(operation);
                    break;
                case ILiteralOperation _:
                case IFieldReferenceOperation _:
                    if (inDefinition) contents?.DefinitionValues.Add(operation);
                    break;
                case IReturnOperation ret:
                    _returns.Add(ret);
                    break;
            }
            foreach (IOperation child in operation.ChildOperations)
            {
                Collect(child, contents, inDefinition);
            }
        }

        /// <summary>A call that starts, extends or takes a pipeline.</summary>
        [MethodImpl(EcsDeploySymbols.Hot)]
        private bool Touches(IMethodSymbol method)
        {
            if (_symbols.IsBuilder(method.ReturnType) || SymbolEqualityComparer.Default.Equals(method.ContainingType, _symbols.PipelineBuilder))
            {
                return true;
            }
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                if (_symbols.IsBuilder(parameter.Type)) return true;
            }
            return false;
        }

        private void Visit(IInvocationOperation invocation)
        {
            if (_symbols.IsPipelineFor(invocation))
            {
                var flow = new PipelineFlow { Root = invocation };
                Flows.Add(flow);
                _byOperation[invocation] = flow;
                return;
            }
            IMethodSymbol method = invocation.TargetMethod;
            StageInfo? stage = _symbols.GetStage(method);
            bool returnsBuilder = _symbols.IsBuilder(method.ReturnType);
            if (stage == null && returnsBuilder && !method.DeclaringSyntaxReferences.IsEmpty)
            {
                HelperSummary helper = Summarize(method);
                if (helper.Usable)
                {
                    PipelineFlow? flow = null;
                    if (helper.RootParameterOrdinal >= 0)
                    {
                        IArgumentOperation? argument = OperationHelpers.Argument(invocation, helper.RootParameterOrdinal);
                        flow = argument == null ? null : FlowOf(argument.Value);
                        _helperCalls[invocation] = helper.RootParameterOrdinal;
                    }
                    if (flow == null)
                    {
                        flow = new PipelineFlow { RootedInHelper = helper.RootedInFor };
                        Flows.Add(flow);
                    }
                    foreach (FlowCall call in helper.Calls)
                    {
                        flow.Calls.Add(new FlowCall(call.Invocation, call.Stage, invocation));
                    }
                    _byOperation[invocation] = flow;
                    return;
                }
            }
            IOperation? receiver = OperationHelpers.Receiver(invocation);
            if (receiver != null && _symbols.IsBuilder(receiver.Type))
            {
                PipelineFlow? flow = FlowOf(receiver);
                if (flow == null)
                {
                    flow = new PipelineFlow();
                    Flows.Add(flow);
                    _byOperation[receiver] = flow;
                }
                if (returnsBuilder)
                {
                    flow.Calls.Add(new FlowCall(invocation, stage, null));
                    _byOperation[invocation] = flow;
                }
                else
                {
                    // RunAsync, Build() or anything else that takes the builder: the pipeline is used.
                    flow.IsRun = true;
                }
            }
            else if (returnsBuilder)
            {
                var flow = new PipelineFlow();
                Flows.Add(flow);
                _byOperation[invocation] = flow;
            }
        }

        /// <summary>The pipeline a call or value belongs to, read only (safe on a shared model).</summary>
        public PipelineFlow? Lookup(IOperation value)
        {
            return _byOperation.TryGetValue(OperationHelpers.Unwrap(value), out PipelineFlow? flow) ? flow : null;
        }

        private PipelineFlow? FlowOf(IOperation value)
        {
            value = OperationHelpers.Unwrap(value);
            if (_byOperation.TryGetValue(value, out PipelineFlow? known))
            {
                return known;
            }
            if (value is ILocalReferenceOperation local && _symbols.IsBuilder(local.Type))
            {
                if (!_locals.TryGetValue(local.Local, out PipelineFlow? flow))
                {
                    flow = new PipelineFlow();
                    Flows.Add(flow);
                    _locals[local.Local] = flow;
                }
                _byOperation[value] = flow;
                return flow;
            }
            if (value is IParameterReferenceOperation parameter && _symbols.IsBuilder(parameter.Type))
            {
                if (!_parameters.TryGetValue(parameter.Parameter, out PipelineFlow? flow))
                {
                    flow = new PipelineFlow { RootParameter = parameter.Parameter };
                    Flows.Add(flow);
                    _parameters[parameter.Parameter] = flow;
                }
                _byOperation[value] = flow;
                return flow;
            }
            return null;
        }

        private void FindEscapes()
        {
            foreach (KeyValuePair<IOperation, PipelineFlow> entry in _byOperation)
            {
                if (entry.Value.Escapes) continue;
                IOperation? consumer = OperationHelpers.ConsumerOf(entry.Key, out IOperation child);
                bool kept;
                switch (consumer)
                {
                    case null:
                    case IExpressionStatementOperation _:
                    case IVariableInitializerOperation _:
                    case IPropertyReferenceOperation _:
                        kept = true;
                        break;
                    case IInvocationOperation call:
                        kept = ReferenceEquals(call.Instance, child);
                        break;
                    case ISimpleAssignmentOperation assignment:
                        kept = ReferenceEquals(assignment.Target, child) || assignment.Target is ILocalReferenceOperation;
                        break;
                    case IArgumentOperation argument when argument.Parent is IInvocationOperation call:
                        kept = ReferenceEquals(OperationHelpers.Receiver(call), entry.Key)
                            || (_helperCalls.TryGetValue(call, out int ordinal) && argument.Parameter != null && argument.Parameter.Ordinal == ordinal);
                        break;
                    default:
                        kept = false;
                        break;
                }
                if (!kept)
                {
                    entry.Value.Escapes = true;
                }
            }
        }

        private HelperSummary Summarize(IMethodSymbol method)
        {
            HashSet<IMethodSymbol> inProgress = _inProgress ?? (_inProgress = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));
            if (inProgress.Contains(method.OriginalDefinition) || inProgress.Count > 8)
            {
                return HelperSummary.None;
            }
            inProgress.Add(method.OriginalDefinition);
            try
            {
                return _symbols.GetHelper(method, Compute);
            }
            finally
            {
                inProgress.Remove(method.OriginalDefinition);
            }
        }

        private HelperSummary Compute(IMethodSymbol method)
        {
            IOperation? body = _symbols.HelperBody(method);
            SemanticModel? semanticModel = body?.SemanticModel;
            if (body == null)
            {
                // Not seen by the analyzer yet (a helper in a file analysed later, or outside the IDE's filter span): bind its body here, once.
                if (method.DeclaringSyntaxReferences.Length != 1)
                {
                    return HelperSummary.None;
                }
                SyntaxNode node = method.DeclaringSyntaxReferences[0].GetSyntax();
                semanticModel = _semanticModel != null && _semanticModel.SyntaxTree == node.SyntaxTree
                    ? _semanticModel
#pragma warning disable RS1030 // A helper declared in another file: its body is read once per compilation (cached by symbol).
                    : _symbols.Compilation.GetSemanticModel(node.SyntaxTree);
#pragma warning restore RS1030
                switch (node)
                {
                    case BaseMethodDeclarationSyntax declaration:
                        SyntaxNode? bodySyntax = (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody;
                        body = bodySyntax == null ? null : semanticModel.GetOperation(bodySyntax);
                        break;
                    case LocalFunctionStatementSyntax _:
                        body = (semanticModel.GetOperation(node) as ILocalFunctionOperation)?.Body;
                        break;
                }
            }
            if (body == null)
            {
                return HelperSummary.None;
            }
            PipelineModel inner = ForBody(body, _symbols, semanticModel);
            PipelineFlow? returned = null;
            foreach (IReturnOperation ret in inner._returns)
            {
                if (ret.ReturnedValue == null || !DirectlyIn(ret, body))
                {
                    continue;
                }
                PipelineFlow? flow = inner.FlowOf(ret.ReturnedValue);
                if (flow == null || (returned != null && !ReferenceEquals(flow, returned)))
                {
                    return HelperSummary.None;
                }
                returned = flow;
            }
            if (returned == null)
            {
                return HelperSummary.None;
            }
            return new HelperSummary(true, returned.RootParameter?.Ordinal ?? -1, returned.IsComplete, new List<FlowCall>(returned.Calls));
        }

        private static bool DirectlyIn(IOperation operation, IOperation body)
        {
            for (IOperation? parent = operation.Parent; parent != null && !ReferenceEquals(parent, body); parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation || parent is ILocalFunctionOperation) return false;
            }
            return true;
        }
    }
}
