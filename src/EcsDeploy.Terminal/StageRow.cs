using EcsDeploy.Reporting;

namespace EcsDeploy.Terminal;

/// <summary>One stage line of the live view: its state, whether it runs, and its wall and simulated times.</summary>
internal sealed class StageRow(string name)
{
    public string Name { get; } = name;
    public StageStatus State { get; set; } = StageStatus.Planned;
    public bool Running { get; set; }
    public TimeSpan? WallStart { get; set; }
    public DateTimeOffset? SimStart { get; set; }
    public TimeSpan? Duration { get; set; }
    public TimeSpan? WallDuration { get; set; }
    public TimeSpan? SimDuration { get; set; }
    public string? Note { get; set; }
}
