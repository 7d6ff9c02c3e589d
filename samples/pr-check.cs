#!/usr/bin/env dotnet
// The seed's PR check (pr-check.yml) as a C# script: install, TypeScript compile, lint, Prisma schema validation,
// image build (never pushed), dependency audit and migration drift, against samples/truecaller-backend.
// It needs no AWS: a pipeline of checks has no region, cluster or target.
//
//   dotnet run samples/pr-check.cs
//   dotnet run samples/pr-check.cs -- --output json
//   dotnet run samples/pr-check.cs -- --dry-run          (says what each check would run)
//
// Every check runs and reports passed, failed, could-not-run or skipped-by-config, with its findings and duration.
// Exit code: 0 every check passed (or was skipped by configuration) and one ran, 1 a check failed or could not run
// (or every check was skipped: nothing was checked), 2 invalid.
//
// Environment:
//   PRISMA_SHADOW_SERVER_URL  a PostgreSQL server the drift check may create (and drop) a throwaway database on,
//                             for example postgresql://postgres@127.0.0.1:5432/postgres. Without it the drift check
//                             says could-not-run: the migrations were not compared with the schema.
//   PR_CHECK_SKIP_AUDIT       a reason to turn the dependency audit off (skipped-by-config, with that reason), for
//                             machines whose registry has no audit endpoint. Unset, an unreachable audit endpoint
//                             is could-not-run, never a pass.
//   PR_CHECK_SKIP_DRIFT       likewise for the migration drift check.
//   BASE_IMAGE_REGISTRY       a registry mirror that serves the Dockerfile's Docker Hub base image (node:20-alpine),
//                             for runners that cannot reach docker.io. Unset and unreachable, the image build is
//                             could-not-run: the image was not built.
#:project ../src/EcsDeploy/EcsDeploy.csproj
#:property PublishAot=false

using EcsDeploy;
using EcsDeploy.Checks;

var scriptDirectory = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Path.Combine(Directory.GetCurrentDirectory(), "samples");
var backend = Path.Combine(scriptDirectory, "truecaller-backend");
var skipAudit = Environment.GetEnvironmentVariable("PR_CHECK_SKIP_AUDIT");
var skipDrift = Environment.GetEnvironmentVariable("PR_CHECK_SKIP_DRIFT");
var baseImageMirror = Environment.GetEnvironmentVariable("BASE_IMAGE_REGISTRY");

return await Pipeline.For("truecaller-backend")
    // npm ci from the committed lockfile; locally, an up-to-date node_modules is reused (CI sets CI=true: always npm ci).
    .Install(i => i.WorkingDirectory(backend).IgnoreScripts()
        .When(Environment.GetEnvironmentVariable("CI") is not "true", o => o.ReuseInstalled()))
    .TypeCheck(t => t.WorkingDirectory(backend))
    .Lint(l => l.WorkingDirectory(backend))
    // Prisma 6.19 with its engines pointed at `false`: validation needs no download (Prisma 7 cannot run offline).
    .PrismaValidate(p => p.WorkingDirectory(backend).OfflineEngines())
    // The Build stage's image build (daemonless, as `b.Image("Dockerfile")` in deploy.cs), after `npm run build`
    // because the Dockerfile copies dist/. Never pushed.
    .ImageBuild(i => i.WorkingDirectory(backend).With(b =>
    {
        b.Run("npm", "run", "build").Image("Dockerfile");
        if (baseImageMirror is { Length: > 0 })
        {
            b.BaseImageRegistry(baseImageMirror);
        }
    }))
    .DependencyAudit(a => a.WorkingDirectory(backend).FailAt(AuditLevel.High)
        .When(skipAudit is { Length: > 0 }, o => o.Skip(skipAudit!)))
    // prisma.config.ts selects the JS schema engine (driver adapter): the throwaway database is the shadow database.
    .MigrationDrift(d => d.WorkingDirectory(backend).OfflineEngines()
        .When(skipDrift is { Length: > 0 }, o => o.Skip(skipDrift!)))
    .RunAsync(args);
