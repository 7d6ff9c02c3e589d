using EcsDeploy.Checks;

namespace EcsDeploy.Tests.Checks;

/// <summary>
/// MigrationDrift with the real Prisma 6.19 (JS schema engine through @prisma/adapter-pg, engines pointed at
/// <c>false</c>: FACTS.md's offline recipe) against a real PostgreSQL 15 started for these tests.
/// </summary>
[Collection(ToolChecksCollection.Name)]
public sealed class MigrationDriftTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private PipelineBuilder Drift(BackendCopy backend) => CheckRun.Checks()
        .MigrationDrift(d => d.WorkingDirectory(backend.Directory).OfflineEngines().ShadowServer(postgres.Url));

    [Fact]
    public async Task MigrationDrift_WhenTheMigrationsMatchTheSchema_Passes()
    {
        using var backend = new BackendCopy();

        var check = await CheckRun.SingleAsync(Drift(backend));

        Assert.Equal(CheckStatus.Passed, check.Status);
        Assert.Equal("the migrations produce exactly the schema: no drift", check.Summary);
    }

    [Fact]
    public async Task MigrationDrift_WhenTheSchemaGainsAColumnWithoutAMigration_FailsAndNamesTheChange()
    {
        using var backend = new BackendCopy();
        backend.Write("prisma/schema.prisma", backend.Read("prisma/schema.prisma").Replace(
            "  displayName String?   @map(\"display_name\")", "  displayName String?   @map(\"display_name\")\n  email       String?", StringComparison.Ordinal));

        var check = await CheckRun.SingleAsync(Drift(backend));

        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.StartsWith("drift: the schema has 2 change(s) that no migration makes", check.Summary, StringComparison.Ordinal);
        Assert.Contains(check.Findings, f => f.Contains("[*] Changed the `users` table", StringComparison.Ordinal));
        Assert.Contains(check.Findings, f => f.Contains("[+] Added column `email`", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrationDrift_WhenACommittedMigrationDoesNotApply_Fails()
    {
        using var backend = new BackendCopy();
        Directory.CreateDirectory(Path.Combine(backend.Directory, "prisma/migrations/20260102000000_broken"));
        backend.Write("prisma/migrations/20260102000000_broken/migration.sql", "ALTER TABLE \"no_such_table\" ADD COLUMN \"x\" TEXT;\n");

        var check = await CheckRun.SingleAsync(Drift(backend));

        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.Equal("a committed migration fails to apply to an empty database (P3006)", check.Summary);
        Assert.Contains(check.Findings, f => f.Contains("no_such_table", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrationDrift_WithoutADatabaseServer_CouldNotRunAndSaysWhatToSet()
    {
        using var backend = new BackendCopy();

        var check = await CheckRun.SingleAsync(CheckRun.Checks().MigrationDrift(d => d
            .WorkingDirectory(backend.Directory).OfflineEngines().ShadowServerFromEnvironment("ECSDEPLOY_TEST_VARIABLE_NEVER_SET")));

        Assert.Equal(CheckStatus.CouldNotRun, check.Status);
        Assert.StartsWith("no database to replay the migrations on: set ECSDEPLOY_TEST_VARIABLE_NEVER_SET", check.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrationDrift_WhenTheServerIsUnreachable_CouldNotRun()
    {
        using var backend = new BackendCopy();

        var check = await CheckRun.SingleAsync(CheckRun.Checks().MigrationDrift(d => d
            .WorkingDirectory(backend.Directory).OfflineEngines().ShadowServer($"postgresql://postgres@127.0.0.1:{CheckRun.FreePort()}/postgres")));

        Assert.Equal(CheckStatus.CouldNotRun, check.Status);
        Assert.StartsWith("could not create a throwaway database on postgresql://postgres@127.0.0.1:", check.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, CheckStatus.Passed)]
    [InlineData(2, CheckStatus.Failed)]
    [InlineData(1, CheckStatus.CouldNotRun)]
    [InlineData(137, CheckStatus.CouldNotRun)]
    public void Interpret_PrismaMigrateDiffExitCodes(int exitCode, CheckStatus expected)
    {
        var outcome = MigrationDriftStage.Interpret(exitCode, ["Error: something unexpected"], offline: true);

        Assert.Equal(expected, outcome.Status);
    }
}
