using EcsDeploy.Hosting;

namespace EcsDeploy.Operations;

/// <summary>
/// The day-2 commands every pipeline script has beside the pipeline run (<c>dotnet run deploy.cs -- rollback --to 41</c>):
/// status, diff, rollback, run, revisions, deregister, scale, verify and import. Registered by <see cref="PipelineHost"/>.
/// </summary>
internal static class DayTwoCommands
{
    /// <summary>A new instance of each command (their options belong to one command line).</summary>
    public static IEnumerable<PipelineCommand> Create() =>
    [
        StatusCommand.Create(),
        DiffCommand.Create(),
        RollbackCommand.Create(),
        RunCommand.Create(),
        RevisionsCommand.Create(),
        DeregisterCommand.Create(),
        ScaleCommand.Create(),
        VerifyCommand.Create(),
        ImportCommand.Create(),
    ];
}
