using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// What one walk of an operation block found for the rules besides its pipelines: the calls into the library
    /// and the values written inside them (arguments, at any depth, of a call into the library).
    /// </summary>
    internal sealed class BlockContents
    {
        public List<IInvocationOperation> LibraryCalls { get; } = new List<IInvocationOperation>();
        public List<IOperation> DefinitionValues { get; } = new List<IOperation>();
    }
}
