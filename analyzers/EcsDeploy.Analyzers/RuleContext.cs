using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// What a rule sees of the operation block being analysed: where to report, the block's pipelines, and a
    /// per-block memory that reports a whole-pipeline finding once (a helper's calls are seen from every pipeline
    /// that calls the helper).
    /// </summary>
    internal sealed class RuleContext
    {
        private readonly System.Action<Diagnostic> _report;
        private HashSet<string>? _reported;
        private Dictionary<IInvocationOperation, List<IInvocationOperation>>? _configureCalls;
        private Dictionary<IInvocationOperation, DeployConfiguration?>? _deployments;

        public RuleContext(System.Action<Diagnostic> report, PipelineModel model)
        {
            _report = report;
            Model = model;
        }

        /// <summary>The pipelines of the block, across its statements and the helper methods it calls.</summary>
        public PipelineModel Model { get; }

        public void Report(Diagnostic diagnostic) => _report(diagnostic);

        /// <summary>Calls on the options type inside a stage's configure lambda, in the order written (read once per stage call and block).</summary>
        public List<IInvocationOperation> OptionCalls(IInvocationOperation stageCall, INamedTypeSymbol? optionsType)
        {
            var calls = new List<IInvocationOperation>();
            if (optionsType == null) return calls;
            _configureCalls ??= new Dictionary<IInvocationOperation, List<IInvocationOperation>>();
            if (!_configureCalls.TryGetValue(stageCall, out List<IInvocationOperation>? all))
            {
                all = OperationHelpers.ConfigureCalls(stageCall);
                _configureCalls[stageCall] = all;
            }
            foreach (IInvocationOperation call in all)
            {
                if (SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, optionsType)) calls.Add(call);
            }
            return calls;
        }

        /// <summary>What a `.Deploy(d => ...)` call configures (read once per call and block); null for any other call.</summary>
        public DeployConfiguration? Deploy(IInvocationOperation call, EcsDeploySymbols symbols)
        {
            if (call.Arguments.Length == 0) return null;
            _deployments ??= new Dictionary<IInvocationOperation, DeployConfiguration?>();
            if (!_deployments.TryGetValue(call, out DeployConfiguration? deployment))
            {
                deployment = DeployConfiguration.Read(call, symbols);
                _deployments[call] = deployment;
            }
            return deployment;
        }

        /// <summary>Reports once per location, rule and message in this block.</summary>
        public void ReportOnce(DiagnosticDescriptor descriptor, Location location, string message, ImmutableDictionary<string, string?>? properties = null)
        {
            _reported ??= new HashSet<string>();
            if (_reported.Add(location.SourceSpan.ToString() + "|" + descriptor.Id + "|" + message))
            {
                _report(Diagnostic.Create(descriptor, location, properties, message));
            }
        }
    }
}
