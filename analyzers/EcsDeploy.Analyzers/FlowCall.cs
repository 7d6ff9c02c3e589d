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
}
