using System;
using System.Collections.Generic;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>
    /// What one `.Deploy(d => ...)` lambda says about the deployment strategy (ED0012-ED0016): the strategy, the load
    /// balancer's advanced configuration, test traffic, the circuit breaker and the wait timeout, as far as the source
    /// shows them. Read once per stage call and block (<see cref="RuleContext.Deploy"/>).
    /// </summary>
    /// <remarks>
    /// A rule that reports something missing (no load balancer, no test listener rule, the rolling default) needs the
    /// whole configuration in sight: <see cref="Complete"/> is false when `d` (or a call's result) is handed to anything
    /// but another DeployOptions call, and when the lambda branches (if, switch, loops, try), where the last call
    /// written need not be the last one made.
    /// </remarks>
    internal sealed class DeployConfiguration
    {
        /// <summary>The LoadBalancerOptions members that set one ARN each: the only ones the rules read.</summary>
        private static readonly HashSet<string> KnownLoadBalancerMembers = new HashSet<string>(StringComparer.Ordinal)
        {
            "TargetGroup", "AlternateTargetGroup", "ProductionListenerRule", "TestListenerRule", "Role",
        };

        private DeployConfiguration(IInvocationOperation stageCall, List<IInvocationOperation> calls, bool complete)
        {
            StageCall = stageCall;
            Calls = calls;
            Complete = complete;
        }

        /// <summary>The `.Deploy(...)` call.</summary>
        public IInvocationOperation StageCall { get; }

        /// <summary>The calls on DeployOptions in the lambda, in the order written.</summary>
        public List<IInvocationOperation> Calls { get; }

        /// <summary>Every call made on the options is in sight, and each runs once, in the order written.</summary>
        public bool Complete { get; }

        /// <summary>The strategy, when known: the last `d.Strategy(DeploymentStrategy.X(...))`, or rolling when none is written.</summary>
        public StrategyChoice? Strategy { get; private set; }

        /// <summary>The `d.LoadBalancer(...)` calls, in the order written.</summary>
        public List<IInvocationOperation> LoadBalancerCalls { get; } = new List<IInvocationOperation>();

        /// <summary>Every member set in the load balancer lambdas is in sight.</summary>
        public bool LoadBalancerComplete { get; private set; } = true;

        /// <summary>The LoadBalancerOptions members the lambdas set (AlternateTargetGroup, ProductionListenerRule, TestListenerRule, Role...).</summary>
        public HashSet<string> LoadBalancerMembers { get; } = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>The first `lb.FromTerraform()` call in the load balancer lambdas, or null.</summary>
        public IInvocationOperation? LoadBalancerFromTerraformCall { get; private set; }

        /// <summary>The first `d.TestTraffic(...)` call, or null.</summary>
        public IInvocationOperation? TestTrafficCall { get; private set; }

        /// <summary>The last `d.WaitTimeout(...)` call, or null.</summary>
        public IInvocationOperation? WaitTimeoutCall { get; private set; }

        /// <summary>
        /// The configuration of a `.Deploy(d => ...)` call; null for any other call, and for a Deploy call whose
        /// configuration is not a lambda.
        /// </summary>
        public static DeployConfiguration? Read(IInvocationOperation call, EcsDeploySymbols symbols)
        {
            INamedTypeSymbol? options = symbols.DeployOptions;
            if (options == null || !TakesConfigure(call.TargetMethod, options)) return null;
            IAnonymousFunctionOperation? lambda = OperationHelpers.ConfigureLambda(call);
            if (lambda == null || lambda.Symbol.Parameters.Length != 1) return null;
            var calls = new List<IInvocationOperation>();
            bool complete = Scan(lambda, options, calls);
            calls.Sort((a, b) => OperationHelpers.NameSpan(a).Start.CompareTo(OperationHelpers.NameSpan(b).Start));
            var configuration = new DeployConfiguration(call, calls, complete);
            configuration.ReadCalls(symbols);
            return configuration;
        }

        /// <summary>Whether a method takes an Action&lt;DeployOptions&gt; (the Deploy stage, and any stage that configures a deployment).</summary>
        private static bool TakesConfigure(IMethodSymbol method, INamedTypeSymbol options)
        {
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                if (parameter.Type is INamedTypeSymbol type && type.TypeArguments.Length == 1
                    && SymbolEqualityComparer.Default.Equals(type.TypeArguments[0], options) && type.Name == "Action")
                {
                    return true;
                }
            }
            return false;
        }

        private void ReadCalls(EcsDeploySymbols symbols)
        {
            bool strategyKnown = Complete;
            StrategyChoice? strategy = Complete ? StrategyChoice.Default : null;
            foreach (IInvocationOperation call in Calls)
            {
                switch (call.TargetMethod.Name)
                {
                    case "Strategy":
                        strategy = StrategyChoice.From(call, symbols);
                        strategyKnown = strategy != null;
                        break;
                    case "LoadBalancer":
                        LoadBalancerCalls.Add(call);
                        ReadLoadBalancer(call, symbols);
                        break;
                    case "TestTraffic":
                        if (TestTrafficCall == null) TestTrafficCall = call;
                        break;
                    case "WaitTimeout":
                        WaitTimeoutCall = call;
                        break;
                }
            }
            Strategy = strategyKnown ? strategy : null;
        }

        private void ReadLoadBalancer(IInvocationOperation call, EcsDeploySymbols symbols)
        {
            IAnonymousFunctionOperation? lambda = OperationHelpers.ConfigureLambda(call);
            if (lambda == null || symbols.LoadBalancerOptions == null || lambda.Symbol.Parameters.Length != 1)
            {
                LoadBalancerComplete = false;
                return;
            }
            var calls = new List<IInvocationOperation>();
            if (!Scan(lambda, symbols.LoadBalancerOptions, calls)) LoadBalancerComplete = false;
            foreach (IInvocationOperation member in calls)
            {
                if (member.TargetMethod.Name == "FromTerraform" && LoadBalancerFromTerraformCall == null) LoadBalancerFromTerraformCall = member;
                if (!KnownLoadBalancerMembers.Contains(member.TargetMethod.Name))
                {
                    LoadBalancerComplete = false; // a member that sets several values, or from elsewhere (lb.FromTerraform()): not read
                    continue;
                }
                IArgumentOperation? argument = OperationHelpers.Argument(member, 0);
                Optional<object?> value = argument == null ? default : argument.Value.ConstantValue;
                bool blank = value.HasValue && (value.Value == null || (value.Value is string text && text.Trim().Length == 0));
                if (!blank) LoadBalancerMembers.Add(member.TargetMethod.Name);
            }
        }

        /// <summary>
        /// Collects the calls on <paramref name="options"/> in the lambda; returns false when the options (the parameter,
        /// or a call's result) go anywhere else than into another call on them or a statement of their own, or when the
        /// lambda's own code branches.
        /// </summary>
        private static bool Scan(IAnonymousFunctionOperation lambda, INamedTypeSymbol options, List<IInvocationOperation> calls)
        {
            IParameterSymbol parameter = lambda.Symbol.Parameters[0];
            bool complete = true;
            Visit(lambda.Body, nested: false);
            return complete;

            void Visit(IOperation operation, bool nested)
            {
                switch (operation)
                {
                    case IInvocationOperation call when SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, options):
                        calls.Add(call);
                        if (SymbolEqualityComparer.Default.Equals(call.Type, options) && !Consumed(call, options)) complete = false;
                        break;
                    case IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter):
                        if (!Consumed(reference, options)) complete = false;
                        break;
                    case IAnonymousFunctionOperation _:
                    case ILocalFunctionOperation _:
                        nested = true;
                        break;
                    case IConditionalOperation conditional when conditional.Type == null: // an if statement, not a ?: expression
                    case ILoopOperation _:
                    case ISwitchOperation _:
                    case ITryOperation _:
                    case IBranchOperation _:
                        if (!nested) complete = false;
                        break;
                }
                foreach (IOperation child in operation.ChildOperations)
                {
                    Visit(child, nested);
                }
            }
        }

        /// <summary>The options value goes into another call on the options, or is dropped by its statement.</summary>
        private static bool Consumed(IOperation value, INamedTypeSymbol options)
        {
            IOperation? consumer = OperationHelpers.ConsumerOf(value, out IOperation child);
            switch (consumer)
            {
                case IInvocationOperation call:
                    return ReferenceEquals(call.Instance, child) && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, options);
                case IExpressionStatementOperation _:
                    return true;
                case IReturnOperation ret:
                    return ret.IsImplicit;
                default:
                    return false;
            }
        }
    }
}
