using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// The analyzer the compiler loads: every EcsDeploy rule (ED0001-ED0016) in one analyzer, one walk and one pipeline
    /// model per operation block (see <see cref="EcsDeployAnalyzer"/>).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class EcsDeployPipelineAnalyzer : EcsDeployAnalyzer
    {
        private static readonly EcsDeployAnalyzer[] AllRules =
        {
            new PipelineNeverRunAnalyzer(),
            new StageOrderAnalyzer(),
            new DuplicateConfigurationAnalyzer(),
            new HardCodedCredentialsAnalyzer(),
            new LiteralSecretAnalyzer(),
            new InvalidNameAnalyzer(),
            new OllamaConfigurationAnalyzer(),
            new DevelopmentMigrationAnalyzer(),
            new MutableImageTagAnalyzer(),
            new SafetyNetDisabledAnalyzer(),
            new VerifyWithoutWaitAnalyzer(),
            new StrategyLoadBalancerAnalyzer(),
            new StrategyRangeAnalyzer(),
            new CircuitBreakerIgnoredAnalyzer(),
            new TestTrafficListenerAnalyzer(),
            new BakeLongerThanWaitAnalyzer(),
            new PauseHookStageAnalyzer(),
        };

        private static readonly ImmutableArray<DiagnosticDescriptor> Descriptors = CollectDescriptors();

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Descriptors;

        internal override IReadOnlyList<EcsDeployAnalyzer> Rules => AllRules;

        private static ImmutableArray<DiagnosticDescriptor> CollectDescriptors()
        {
            ImmutableArray<DiagnosticDescriptor>.Builder builder = ImmutableArray.CreateBuilder<DiagnosticDescriptor>();
            foreach (EcsDeployAnalyzer rule in AllRules) builder.AddRange(rule.SupportedDiagnostics);
            return builder.ToImmutable();
        }
    }
}
