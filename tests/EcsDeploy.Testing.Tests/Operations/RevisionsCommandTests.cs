namespace EcsDeploy.Testing.Tests.Operations;

public sealed class RevisionsCommandTests
{
    private static async Task<DayTwo> FiveRevisionsAsync()
    {
        var day2 = new DayTwo();
        var v2 = day2.Register("v2");
        day2.Register("v3");
        day2.Register("v4");
        var v5 = day2.Register("v5");
        await day2.DeployAsync(v2);
        await day2.DeployAsync(v5);
        return day2;
    }

    [Fact]
    public async Task Revisions_ListsNewestFirst_MarkingTheServiceTasksAndRollbackTarget()
    {
        var day2 = await FiveRevisionsAsync();
        var (code, json, _) = await day2.JsonAsync("revisions");

        Assert.Equal(0, code);
        var revisions = json.GetProperty("revisions").EnumerateArray().ToList();
        Assert.Equal([5, 4, 3, 2, 1], revisions.Select(r => r.GetProperty("revision").GetInt32()));
        var uses = revisions.ToDictionary(r => r.GetProperty("revision").GetInt32(), r => r.GetProperty("inUse").EnumerateArray().Select(u => u.GetString()!).ToList());
        Assert.Contains("service", uses[5]);
        Assert.Contains("running tasks", uses[5]);
        Assert.Equal(["rollback target"], uses[2]);
        Assert.Empty(uses[4]);
        Assert.Empty(uses[1]);
    }

    [Fact]
    public async Task Deregister_KeepsTheNewestN_AndNeverOneInUse()
    {
        var day2 = await FiveRevisionsAsync();
        var (code, json, _) = await day2.JsonAsync("deregister", "--keep", "1");

        Assert.Equal(0, code);
        var statuses = day2.Aws.Ecs.Revisions(DayTwo.Family).Select(r => r.Status).ToList();
        // 5 kept (newest, and the service's), 2 kept (rollback target), 1, 3 and 4 deregistered.
        Assert.Equal(["INACTIVE", "ACTIVE", "INACTIVE", "INACTIVE", "ACTIVE"], statuses);
        Assert.Single(json.GetProperty("keptInUse").EnumerateArray());
    }

    [Fact]
    public async Task Deregister_WithDryRun_ListsWhatWouldGo_AndChangesNothing()
    {
        var day2 = await FiveRevisionsAsync();
        var before = day2.Mutations.Count;
        var (code, stdout, _) = await day2.RunAsync("deregister", "--keep", "2", "--dry-run");

        Assert.Equal(0, code);
        Assert.Contains("would deregister truecaller-backend:3", stdout, StringComparison.Ordinal);
        Assert.Contains("would deregister truecaller-backend:1", stdout, StringComparison.Ordinal);
        Assert.Contains("kept (in use)  truecaller-backend:2 (rollback target)", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("would deregister truecaller-backend:2", stdout, StringComparison.Ordinal);
        Assert.Equal(before, day2.Mutations.Count);
        Assert.All(day2.Aws.Ecs.Revisions(DayTwo.Family), r => Assert.Equal("ACTIVE", r.Status));
    }

    [Fact]
    public async Task Deregister_WithDelete_DeletesWhatItDeregistered()
    {
        var day2 = await FiveRevisionsAsync();
        var (code, _, _) = await day2.RunAsync("deregister", "--keep", "2", "--delete");

        Assert.Equal(0, code);
        var statuses = day2.Aws.Ecs.Revisions(DayTwo.Family).Select(r => r.Status).ToList();
        Assert.Equal(["DELETE_IN_PROGRESS", "ACTIVE", "DELETE_IN_PROGRESS", "ACTIVE", "ACTIVE"], statuses);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public async Task Deregister_KeepingFewerThanOne_ExitsTwo_AndChangesNothing(string keep)
    {
        var day2 = await FiveRevisionsAsync();
        var before = day2.Mutations.Count;
        var (code, _, stderr) = await day2.RunAsync("deregister", "--keep", keep);

        Assert.Equal(2, code);
        Assert.Contains("keep at least 1", stderr, StringComparison.Ordinal);
        Assert.Equal(before, day2.Mutations.Count);
    }
}
