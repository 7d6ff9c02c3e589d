using System.Globalization;
using EcsDeploy.Aws;
using EcsDeploy.Rules;

namespace EcsDeploy;

/// <summary>
/// How ECS replaces the service's revision: <see cref="Rolling"/> (the default), or one of ECS's native strategies that
/// run the new revision beside the old one behind a second target group and move traffic by listener-rule weights:
/// <see cref="BlueGreen"/>, <see cref="Linear"/>, <see cref="Canary"/>. Values are checked by <c>Build()</c>.
/// </summary>
public sealed class DeploymentStrategy
{
    private DeploymentStrategy(string name, double percent, TimeSpan phaseBake, TimeSpan bake)
    {
        Name = name;
        Percent = percent;
        PhaseBake = phaseBake;
        Bake = bake;
    }

    /// <summary>ECS's name: ROLLING, BLUE_GREEN, LINEAR or CANARY.</summary>
    public string Name { get; }

    /// <summary>The canary's share, or the linear step, in percent of production traffic (0 otherwise).</summary>
    public double Percent { get; }

    /// <summary>The canary's bake, or the bake between linear steps (zero otherwise).</summary>
    public TimeSpan PhaseBake { get; }

    /// <summary>How long both revisions run once all production traffic is on the new one (ECS's bakeTimeInMinutes).</summary>
    public TimeSpan Bake { get; }

    /// <summary>Whether this is one of ECS's native traffic-shifting strategies (not rolling).</summary>
    public bool ShiftsTraffic => Name != DeploymentStrategies.Rolling;

    /// <summary>The least time the deployment takes beyond starting its tasks: its bakes.</summary>
    public TimeSpan MinimumDuration => StrategyRules.MinimumDuration(Name, Percent, PhaseBake, Bake);

    /// <summary>Replace tasks in batches within minimum healthy and maximum percent (the default); the circuit breaker applies.</summary>
    public static DeploymentStrategy Rolling() => new(DeploymentStrategies.Rolling, 0, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Start the new revision beside the old one, move all production traffic at once, then keep both for <paramref name="bake"/>.</summary>
    public static DeploymentStrategy BlueGreen(TimeSpan bake) => new(DeploymentStrategies.BlueGreen, 100, TimeSpan.Zero, bake);

    /// <summary>Move production traffic in steps of <paramref name="stepPercent"/> % with <paramref name="stepBake"/> between them, then keep both revisions for <paramref name="bake"/> (default none).</summary>
    public static DeploymentStrategy Linear(double stepPercent, TimeSpan stepBake, TimeSpan? bake = null)
        => new(DeploymentStrategies.Linear, stepPercent, stepBake, bake ?? TimeSpan.Zero);

    /// <summary>Move <paramref name="percent"/> % of production traffic to the new revision for <paramref name="bake"/>, then the rest; then keep both for <paramref name="finalBake"/> (default none).</summary>
    public static DeploymentStrategy Canary(double percent, TimeSpan bake, TimeSpan? finalBake = null)
        => new(DeploymentStrategies.Canary, percent, bake, finalBake ?? TimeSpan.Zero);

    /// <summary>In words, for plans and messages: "canary 10 % for 5 min, then all".</summary>
    public override string ToString() => Name switch
    {
        DeploymentStrategies.BlueGreen => $"blue/green, bake {DeployRules.Describe(Bake)}",
        DeploymentStrategies.Linear => $"linear {Percent.ToString("0.#", CultureInfo.InvariantCulture)} % steps every {DeployRules.Describe(PhaseBake)}{FinalBake}",
        DeploymentStrategies.Canary => $"canary {Percent.ToString("0.#", CultureInfo.InvariantCulture)} % for {DeployRules.Describe(PhaseBake)}, then all{FinalBake}",
        _ => "rolling",
    };

    /// <summary>How the strategy is called in messages: "canary", "linear", "blue/green", "rolling".</summary>
    internal string Label => Name switch
    {
        DeploymentStrategies.BlueGreen => "blue/green",
        DeploymentStrategies.Linear => "linear",
        DeploymentStrategies.Canary => "canary",
        _ => "rolling",
    };

    private string FinalBake => Bake > TimeSpan.Zero ? $", bake {DeployRules.Describe(Bake)}" : "";
}
