using EcsDeploy.Checks;

namespace EcsDeploy.Tests.Checks;

/// <summary>TypeCheck, Lint, PrismaValidate and ImageBuild with the real tools (the sample backend's tsc, eslint, prisma).</summary>
[Collection(ToolChecksCollection.Name)]
public sealed class ToolCheckTests
{
    [Fact]
    public async Task TypeCheck_WhenASourceFileHasATypeError_FailsAndShowsTheTscError()
    {
        using var backend = new BackendCopy();
        backend.Write("src/broken.ts", "export const port: number = \"3000\";\n");

        var check = await CheckRun.SingleAsync(CheckRun.Checks().TypeCheck(t => t.WorkingDirectory(backend.Directory)));

        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.Equal("1 type error", check.Summary);
        var finding = Assert.Single(check.Findings);
        Assert.Contains("src/broken.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.", finding, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypeCheck_WhenTypeScriptIsNotInstalled_CouldNotRunAndSaysToRunNpmCi()
    {
        var empty = Directory.CreateTempSubdirectory("ecsdeploy-empty-").FullName;
        try
        {
            var (result, _) = await CheckRun.RunAsync(CheckRun.Checks().TypeCheck(t => t.WorkingDirectory(empty)));

            var check = Assert.Single(result.Checks);
            Assert.Equal(CheckStatus.CouldNotRun, check.Status);
            Assert.Contains("run 'npm ci'", check.Summary, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.Failed, result.ExitCode);
            Assert.Equal(RunOutcome.ChecksIncomplete, result.Outcome);
        }
        finally
        {
            Directory.Delete(empty, true);
        }
    }

    [Fact]
    public async Task Lint_WhenASourceFileHasALintError_FailsWithRuleAndLocation()
    {
        using var backend = new BackendCopy();
        backend.Write("src/messy.ts", "export function f(): number {\n  const unused = 1;\n  return 2;\n}\n");

        var check = await CheckRun.SingleAsync(CheckRun.Checks().Lint(l => l.WorkingDirectory(backend.Directory)));

        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.StartsWith("1 error, 0 warnings", check.Summary, StringComparison.Ordinal);
        Assert.Equal(1, check.Counts!["errors"]);
        Assert.Contains("src/messy.ts:2:9 error 'unused' is assigned a value but never used. (@typescript-eslint/no-unused-vars)", check.Findings);
    }

    [Fact]
    public async Task PrismaValidate_WhenTheSchemaIsInvalid_FailsWithPrismasError()
    {
        using var backend = new BackendCopy();
        backend.Write("prisma/schema.prisma", backend.Read("prisma/schema.prisma").Replace("phoneNumber String    @unique", "phoneNumber Strin    @unique", StringComparison.Ordinal));

        var check = await CheckRun.SingleAsync(CheckRun.Checks().PrismaValidate(p => p.WorkingDirectory(backend.Directory).OfflineEngines()));

        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.Equal("1 schema error in prisma/schema.prisma", check.Summary);
        Assert.Contains(check.Findings, f => f.Contains("Type \"Strin\" is neither a built-in type, nor refers to another model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PrismaValidate_WhenPrismaCannotDownloadItsEngines_CouldNotRunNeverPassed()
    {
        // Without .OfflineEngines() Prisma 6.19 first downloads its engines; the mirror points at a closed local port.
        using var backend = new BackendCopy();

        var check = await CheckRun.SingleAsync(CheckRun.Checks().PrismaValidate(p => p
            .WorkingDirectory(backend.Directory)
            .Environment("PRISMA_ENGINES_MIRROR", $"http://127.0.0.1:{CheckRun.FreePort()}/")));

        Assert.Equal(CheckStatus.CouldNotRun, check.Status);
        Assert.Contains("Prisma could not download its engines", check.Summary, StringComparison.Ordinal);
        Assert.Contains(check.Findings, f => f.Contains("ECONNREFUSED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImageBuild_WhenABuildCommandFails_FailsWithTheCommandAndItsOutput()
    {
        using var backend = new BackendCopy();

        var check = await CheckRun.SingleAsync(CheckRun.Checks().ImageBuild(i => i
            .WorkingDirectory(backend.Directory)
            .With(b => b.Run("npm", "run", "no-such-script").Image("Dockerfile"))));

        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.Equal("'npm run no-such-script' exited with code 1", check.Summary);
        Assert.Contains(check.Findings, f => f.Contains("Missing script: \"no-such-script\"", StringComparison.Ordinal));
    }
}
