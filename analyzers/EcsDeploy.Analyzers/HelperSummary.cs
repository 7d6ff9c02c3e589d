using System.Collections.Generic;

namespace EcsDeploy.Analyzers
{
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
}
