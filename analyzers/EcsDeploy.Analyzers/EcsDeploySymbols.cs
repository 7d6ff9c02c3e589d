using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>A stage's data flow and ordering facts, read from the [PipelineStage] attribute of its extension method.</summary>
    internal sealed class StageInfo
    {
        public StageInfo(string name, IReadOnlyList<string> runsAfter, IReadOnlyList<string> runsBefore)
            : this(name, new string[0], new string[0], new string[0], runsAfter, runsBefore)
        {
        }

        public StageInfo(string name, IReadOnlyList<string> requires, IReadOnlyList<string> uses, IReadOnlyList<string> produces,
            IReadOnlyList<string> runsAfter, IReadOnlyList<string> runsBefore)
        {
            Order = new EcsDeploy.Rules.StageOrder(name, requires, uses, produces, runsAfter, runsBefore);
        }

        public EcsDeploy.Rules.StageOrder Order { get; }
        public string Name => Order.Name;
    }

    /// <summary>
    /// The EcsDeploy symbols, resolved once per compilation. <see cref="TryCreate"/> returns null when the
    /// compilation does not reference EcsDeploy, and every analyzer then registers nothing.
    /// </summary>
    internal sealed class EcsDeploySymbols
    {
        private static readonly StageInfo NoStage = new StageInfo("", new string[0], new string[0]);
        private readonly ConcurrentDictionary<IMethodSymbol, StageInfo> _stages = new ConcurrentDictionary<IMethodSymbol, StageInfo>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, IOperation> _helperBodies = new ConcurrentDictionary<IMethodSymbol, IOperation>(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, HelperSummary> _helpers = new ConcurrentDictionary<IMethodSymbol, HelperSummary>(SymbolEqualityComparer.Default);

        /// <summary>
        /// MethodImplOptions.AggressiveOptimization (not in netstandard2.0's enum; .NET honours the flag, .NET Framework
        /// ignores it). The analyzer runs once per build in a fresh compiler process, where tiered compilation would keep
        /// the walk that visits every operation in unoptimised tier-0 code for most of the build: its few hot methods are
        /// compiled optimised at once.
        /// </summary>
        internal const MethodImplOptions Hot = (MethodImplOptions)512;

        private readonly IAssemblySymbol _libraryAssembly;
        private readonly System.Func<IMethodSymbol, StageInfo> _readStage;

        private EcsDeploySymbols(Compilation compilation, INamedTypeSymbol pipeline, INamedTypeSymbol builder)
        {
            _libraryAssembly = pipeline.ContainingAssembly;
            _readStage = m => ReadStage(m) ?? NoStage;
            Compilation = compilation;
            Pipeline = pipeline;
            PipelineBuilder = builder;
            PipelineStageAttribute = compilation.GetTypeByMetadataName("EcsDeploy.PipelineStageAttribute");
            BuildOptions = compilation.GetTypeByMetadataName("EcsDeploy.BuildOptions");
            PushOptions = compilation.GetTypeByMetadataName("EcsDeploy.PushOptions");
            MigrationOptions = compilation.GetTypeByMetadataName("EcsDeploy.MigrationOptions");
            OllamaOptions = compilation.GetTypeByMetadataName("EcsDeploy.OllamaOptions");
            DeployOptions = compilation.GetTypeByMetadataName("EcsDeploy.DeployOptions");
            VerifyOptions = compilation.GetTypeByMetadataName("EcsDeploy.VerifyOptions");
            LoadBalancerOptions = compilation.GetTypeByMetadataName("EcsDeploy.LoadBalancerOptions");
            TestTrafficOptions = compilation.GetTypeByMetadataName("EcsDeploy.TestTrafficOptions");
            DeploymentStrategy = compilation.GetTypeByMetadataName("EcsDeploy.DeploymentStrategy");
            TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
            string? gitSha = null;
            if (PushOptions != null)
            {
                foreach (ISymbol member in PushOptions.GetMembers("GitSha"))
                {
                    if (member is IFieldSymbol field && field.HasConstantValue && field.ConstantValue is string value)
                    {
                        gitSha = value;
                    }
                }
            }
            GitShaPlaceholder = gitSha ?? "{git-sha}";
        }

        public Compilation Compilation { get; }
        public INamedTypeSymbol Pipeline { get; }
        public INamedTypeSymbol PipelineBuilder { get; }
        public INamedTypeSymbol? PipelineStageAttribute { get; }
        public INamedTypeSymbol? BuildOptions { get; }
        public INamedTypeSymbol? PushOptions { get; }
        public INamedTypeSymbol? MigrationOptions { get; }
        public INamedTypeSymbol? OllamaOptions { get; }
        public INamedTypeSymbol? DeployOptions { get; }
        public INamedTypeSymbol? VerifyOptions { get; }
        public INamedTypeSymbol? LoadBalancerOptions { get; }
        public INamedTypeSymbol? TestTrafficOptions { get; }
        public INamedTypeSymbol? DeploymentStrategy { get; }
        public INamedTypeSymbol? TimeSpan { get; }
        public string GitShaPlaceholder { get; }

        public static EcsDeploySymbols? TryCreate(Compilation compilation)
        {
            INamedTypeSymbol? pipeline = compilation.GetTypeByMetadataName("EcsDeploy.Pipeline");
            INamedTypeSymbol? builder = compilation.GetTypeByMetadataName("EcsDeploy.PipelineBuilder");
            if (pipeline == null || builder == null)
            {
                return null;
            }
            return new EcsDeploySymbols(compilation, pipeline, builder);
        }

        [MethodImpl(Hot)]
        public bool IsBuilder(ITypeSymbol? type) => type != null && SymbolEqualityComparer.Default.Equals(type, PipelineBuilder);

        public bool IsPipelineFor(IInvocationOperation invocation)
        {
            IMethodSymbol method = invocation.TargetMethod;
            return method.Name == "For" && SymbolEqualityComparer.Default.Equals(method.ContainingType, Pipeline);
        }

        /// <summary>True for a method of the given options type (calls inside a stage's configure lambda).</summary>
        public static bool IsOn(IInvocationOperation invocation, INamedTypeSymbol? type, string name)
        {
            return type != null && invocation.TargetMethod.Name == name
                && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, type);
        }

        /// <summary>True when the method belongs to the EcsDeploy library (its assembly) or is a third-party stage.</summary>
        [MethodImpl(Hot)]
        public bool IsLibraryMethod(IMethodSymbol method)
        {
            if (SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, _libraryAssembly)) return true;
            // A stage method takes or returns the builder: most calls of a program are ruled out without a lookup.
            return (IsBuilder(method.ReturnType) || TakesBuilderFirst(method)) && GetStage(method) != null;
        }

        private bool TakesBuilderFirst(IMethodSymbol method)
        {
            ImmutableArray<IParameterSymbol> parameters = (method.ReducedFrom ?? method).Parameters;
            return parameters.Length > 0 && IsBuilder(parameters[0].Type);
        }

        /// <summary>The stage a method adds, from its [PipelineStage] attribute; null for other methods.</summary>
        [MethodImpl(Hot)]
        public StageInfo? GetStage(IMethodSymbol method)
        {
            if (PipelineStageAttribute == null)
            {
                return null;
            }
            method = method.ReducedFrom ?? method;
            StageInfo info = _stages.GetOrAdd(method.OriginalDefinition, _readStage);
            return ReferenceEquals(info, NoStage) ? null : info;
        }

        private StageInfo? ReadStage(IMethodSymbol method)
        {
            foreach (AttributeData attribute in method.GetAttributes())
            {
                if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, PipelineStageAttribute)
                    || attribute.ConstructorArguments.Length != 1 || !(attribute.ConstructorArguments[0].Value is string name))
                {
                    continue;
                }
                string[] requires = new string[0];
                string[] uses = new string[0];
                string[] produces = new string[0];
                string[] after = new string[0];
                string[] before = new string[0];
                foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
                {
                    if (named.Key == "Requires") requires = Strings(named.Value);
                    else if (named.Key == "Uses") uses = Strings(named.Value);
                    else if (named.Key == "Produces") produces = Strings(named.Value);
                    else if (named.Key == "RunsAfter") after = Strings(named.Value);
                    else if (named.Key == "RunsBefore") before = Strings(named.Value);
                }
                return new StageInfo(name, requires, uses, produces, after, before);
            }
            return null;
        }

        private static string[] Strings(TypedConstant constant)
        {
            if (constant.Kind != TypedConstantKind.Array || constant.IsNull)
            {
                return new string[0];
            }
            var result = new List<string>();
            foreach (TypedConstant value in constant.Values)
            {
                if (value.Value is string s) result.Add(s);
            }
            return result.ToArray();
        }

        /// <summary>
        /// Remembers the body of a method that returns a pipeline, as its file's analysis read it: a caller's analysis
        /// (in that file or a file analysed later) reads the helper's body from here instead of binding it again.
        /// Only such methods are kept, so few operation trees stay alive.
        /// </summary>
        internal void RememberHelperBody(IMethodSymbol method, IOperation body)
        {
            _helperBodies.TryAdd(method.OriginalDefinition, body);
        }

        /// <summary>The body remembered for a helper method; null when its block was not analysed yet.</summary>
        internal IOperation? HelperBody(IMethodSymbol method)
        {
            return _helperBodies.TryGetValue(method.OriginalDefinition, out IOperation? body) ? body : null;
        }

        internal HelperSummary GetHelper(IMethodSymbol method, System.Func<IMethodSymbol, HelperSummary> compute)
        {
            return _helpers.GetOrAdd(method.OriginalDefinition, compute);
        }
    }
}
