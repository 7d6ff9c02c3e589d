using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
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
}
