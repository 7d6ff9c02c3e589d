using System;
using EcsDeploy.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace EcsDeploy.Analyzers
{
    /// <summary>A deployment strategy written as `DeploymentStrategy.X(...)`, with its constant arguments.</summary>
    internal sealed class StrategyChoice
    {
        /// <summary>No Strategy call: the rolling default.</summary>
        public static readonly StrategyChoice Default = new StrategyChoice("ROLLING", null, null, 0, TimeSpan.Zero, TimeSpan.Zero);

        private StrategyChoice(string name, IInvocationOperation? strategyCall, IInvocationOperation? creation, double? percent, TimeSpan? phaseBake, TimeSpan? bake)
        {
            Name = name;
            StrategyCall = strategyCall;
            Creation = creation;
            Percent = percent;
            PhaseBake = phaseBake;
            Bake = bake;
        }

        /// <summary>ECS's name: ROLLING, BLUE_GREEN, LINEAR or CANARY.</summary>
        public string Name { get; }

        /// <summary>The `d.Strategy(...)` call; null for the default.</summary>
        public IInvocationOperation? StrategyCall { get; }

        /// <summary>The `DeploymentStrategy.X(...)` call; null for the default.</summary>
        public IInvocationOperation? Creation { get; }

        /// <summary>The canary's share or the linear step, when a constant.</summary>
        public double? Percent { get; }

        /// <summary>The canary's bake or the bake between linear steps, when a constant.</summary>
        public TimeSpan? PhaseBake { get; }

        /// <summary>The bake once all traffic has moved, when a constant.</summary>
        public TimeSpan? Bake { get; }

        /// <summary>How messages call it: "canary", "linear", "blue/green", "rolling".</summary>
        public string Label => StrategyRules.Label(Name);

        /// <summary>Blue/green, linear or canary.</summary>
        public bool ShiftsTraffic => Name != "ROLLING";

        /// <summary>The least time the deployment takes (its bakes), when every argument is a constant.</summary>
        public TimeSpan? MinimumDuration => Percent != null && PhaseBake != null && Bake != null
            ? StrategyRules.MinimumDuration(Name, Percent.Value, PhaseBake.Value, Bake.Value)
            : (TimeSpan?)null;

        /// <summary>ECS's name for a `DeploymentStrategy` factory method; null for another method.</summary>
        public static string? EcsName(IMethodSymbol method, EcsDeploySymbols symbols)
        {
            if (!method.IsStatic || !SymbolEqualityComparer.Default.Equals(method.ContainingType, symbols.DeploymentStrategy)) return null;
            switch (method.Name)
            {
                case "Rolling": return "ROLLING";
                case "BlueGreen": return "BLUE_GREEN";
                case "Linear": return "LINEAR";
                case "Canary": return "CANARY";
                default: return null;
            }
        }

        /// <summary>The strategy a `d.Strategy(...)` call sets; null when its argument is not a `DeploymentStrategy.X(...)` call.</summary>
        public static StrategyChoice? From(IInvocationOperation strategyCall, EcsDeploySymbols symbols)
        {
            IArgumentOperation? argument = OperationHelpers.Argument(strategyCall, 0);
            if (argument == null || !(OperationHelpers.Unwrap(argument.Value) is IInvocationOperation creation)) return null;
            string? name = EcsName(creation.TargetMethod, symbols);
            if (name == null) return null;
            switch (name)
            {
                case "ROLLING":
                    return new StrategyChoice(name, strategyCall, creation, 0, TimeSpan.Zero, TimeSpan.Zero);
                case "BLUE_GREEN":
                    return new StrategyChoice(name, strategyCall, creation, 100, TimeSpan.Zero, Span(creation, 0, symbols));
                default: // LINEAR (stepPercent, stepBake, bake?) and CANARY (percent, bake, finalBake?)
                    IArgumentOperation? percent = OperationHelpers.Argument(creation, 0);
                    return new StrategyChoice(name, strategyCall, creation, OperationHelpers.ConstantDouble(percent?.Value),
                        Span(creation, 1, symbols), Span(creation, 2, symbols));
            }
        }

        /// <summary>A TimeSpan argument's constant value: zero when an optional one is left out or null.</summary>
        private static TimeSpan? Span(IInvocationOperation creation, int ordinal, EcsDeploySymbols symbols)
        {
            IArgumentOperation? argument = OperationHelpers.Argument(creation, ordinal);
            if (argument == null) return null;
            if (argument.ArgumentKind == ArgumentKind.DefaultValue) return TimeSpan.Zero;
            Optional<object?> constant = OperationHelpers.Unwrap(argument.Value).ConstantValue;
            if (constant.HasValue && constant.Value == null) return TimeSpan.Zero;
            return OperationHelpers.ConstantTimeSpan(argument.Value, symbols.TimeSpan);
        }
    }
}
