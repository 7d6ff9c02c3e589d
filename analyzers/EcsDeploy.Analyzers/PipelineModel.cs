using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// The pipelines of one operation block (a method, a local function's host, top-level statements), built by one
    /// walk of the block that also collects what the single-call rules read (<see cref="BlockContents"/>): the
    /// analyzer visits each operation once, whatever the number of rules.
    /// </summary>
    internal sealed partial class PipelineModel
    {
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
    }
}
