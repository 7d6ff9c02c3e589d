using System.Net;
using System.Text;
using EcsDeploy.Checks;

namespace EcsDeploy.Tests.Checks;

/// <summary>
/// npm audit: the JSON shapes captured from real npm 11 runs (Fixtures/), and real npm runs against a local advisory
/// endpoint on 127.0.0.1 (the machine's registry answers the audit endpoint with HTTP 405).
/// </summary>
[Collection(ToolChecksCollection.Name)]
public sealed class DependencyAuditTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Checks", "Fixtures", name));

    [Fact]
    public void Parse_Npm11ReportWithVulnerabilities_CountsBySeverityAndListsPackages()
    {
        var report = NpmAuditReport.Parse(Fixture("npm11-audit-report-high.json"));

        Assert.Null(report.Error);
        Assert.Equal(2, report.ReportVersion);
        Assert.Equal(11, report.Counts[AuditLevel.High]);
        Assert.Equal(2, report.Counts[AuditLevel.Moderate]);
        Assert.Equal(0, report.Counts[AuditLevel.Critical]);
        Assert.Equal(11, report.AtOrAbove(AuditLevel.High));
        Assert.Equal(13, report.AtOrAbove(AuditLevel.Low));
        Assert.Equal(13, report.Vulnerabilities.Count);
        Assert.Contains(report.Vulnerabilities, v => v.Package == "typescript" && v.Severity == AuditLevel.High && v.Detail.Contains("Test advisory (high)", StringComparison.Ordinal) && v.Detail.Contains("no fix available", StringComparison.Ordinal));
        Assert.Equal(AuditLevel.High, report.Vulnerabilities[0].Severity);
    }

    [Fact]
    public void Parse_Npm11ReportWithoutVulnerabilities_IsACleanReport()
    {
        var report = NpmAuditReport.Parse(Fixture("npm11-audit-report-zero.json"));

        Assert.Null(report.Error);
        Assert.Equal(0, report.AtOrAbove(AuditLevel.Info));
        Assert.Equal(CheckStatus.Passed, DependencyAuditStage.Interpret(report, 0, AuditLevel.High).Status);
    }

    [Theory]
    [InlineData("npm11-audit-endpoint-405.json", "the registry's audit endpoint answered HTTP 405")]
    [InlineData("npm11-audit-connection-refused.json", "ECONNREFUSED")]
    public void Interpret_WhenTheAuditEndpointFails_CouldNotAuditNeverPass(string fixture, string expected)
    {
        var report = NpmAuditReport.Parse(Fixture(fixture));

        var outcome = DependencyAuditStage.Interpret(report, 1, AuditLevel.High);

        Assert.NotNull(report.Error);
        Assert.Equal(CheckStatus.CouldNotRun, outcome.Status);
        Assert.StartsWith("could not audit: ", outcome.Summary, StringComparison.Ordinal);
        Assert.Contains(expected, outcome.Summary, StringComparison.Ordinal);
        Assert.Contains("NOT checked", outcome.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AuditLevel.High, CheckStatus.Failed)]
    [InlineData(AuditLevel.Moderate, CheckStatus.Failed)]
    [InlineData(AuditLevel.Critical, CheckStatus.Passed)]
    public void Interpret_ExitCodeOneWithAReport_IsJudgedByTheConfiguredLevelNotByTheExitCode(AuditLevel failAt, CheckStatus expected)
    {
        // npm audit exits 1 whenever it finds anything (and also when it cannot audit): only the JSON decides.
        var outcome = DependencyAuditStage.Interpret(NpmAuditReport.Parse(Fixture("npm11-audit-report-high.json")), 1, failAt);

        Assert.Equal(expected, outcome.Status);
        Assert.Contains("0 critical, 11 high, 2 moderate, 0 low, 0 info", outcome.Summary, StringComparison.Ordinal);
        Assert.Equal(11, outcome.Counts!["high"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("npm error code ENOLOCK")]
    [InlineData("[]")]
    [InlineData("{\"error\":{\"code\":\"ENOLOCK\",\"summary\":\"This command requires an existing lockfile.\",\"detail\":\"Try creating one first with: npm i --package-lock-only\"}}")]
    public void Parse_NoReport_IsAnErrorNeverAPass(string stdout)
    {
        var report = NpmAuditReport.Parse(stdout);

        Assert.NotNull(report.Error);
        Assert.Equal(CheckStatus.CouldNotRun, DependencyAuditStage.Interpret(report, 1, AuditLevel.High).Status);
    }

    [Fact]
    public async Task DependencyAudit_RealNpmWithAdvisories_FailsAtHighWithCountsBySeverity()
    {
        using var backend = new BackendCopy();
        using var endpoint = new AdvisoryEndpoint(withAdvisories: true);

        var check = await CheckRun.SingleAsync(CheckRun.Checks().DependencyAudit(a => a
            .WorkingDirectory(backend.Directory).FailAt(AuditLevel.High).Environment("npm_config_registry", endpoint.Url)));

        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.Equal("11 at high or above: 0 critical, 11 high, 2 moderate, 0 low, 0 info (fails at high or above)", check.Summary);
        Assert.Contains(check.Findings, f => f.StartsWith("high: typescript: Test advisory (high)", StringComparison.Ordinal));
        Assert.True(endpoint.BulkRequests > 0);
    }

    [Fact]
    public async Task DependencyAudit_RealNpmWithoutAdvisories_Passes()
    {
        using var backend = new BackendCopy();
        using var endpoint = new AdvisoryEndpoint(withAdvisories: false);

        var check = await CheckRun.SingleAsync(CheckRun.Checks().DependencyAudit(a => a
            .WorkingDirectory(backend.Directory).Environment("npm_config_registry", endpoint.Url)));

        Assert.Equal(CheckStatus.Passed, check.Status);
        Assert.Equal("0 vulnerabilities (fails at high or above)", check.Summary);
    }

    [Fact]
    public async Task DependencyAudit_RealNpmWhenTheEndpointIsUnreachable_CouldNotAudit()
    {
        using var backend = new BackendCopy();

        var (result, _) = await CheckRun.RunAsync(CheckRun.Checks().DependencyAudit(a => a
            .WorkingDirectory(backend.Directory).Environment("npm_config_registry", $"http://127.0.0.1:{CheckRun.FreePort()}/")));

        var check = Assert.Single(result.Checks);
        Assert.Equal(CheckStatus.CouldNotRun, check.Status);
        Assert.StartsWith("could not audit: ", check.Summary, StringComparison.Ordinal);
        Assert.Contains("ECONNREFUSED", check.Summary, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, result.ExitCode);
    }

    /// <summary>npm's bulk advisory endpoint on 127.0.0.1: advisories for typescript (high) and eslint (moderate), or none.</summary>
    private sealed class AdvisoryEndpoint : IDisposable
    {
        private const string Advisories = """
            {"typescript":[{"id":1001,"url":"https://github.com/advisories/GHSA-test-0001","title":"Test advisory (high)","severity":"high","vulnerable_versions":"<6.0.0","cwe":["CWE-400"],"cvss":{"score":7.5,"vectorString":null}}],
             "eslint":[{"id":1002,"url":"https://github.com/advisories/GHSA-test-0002","title":"Test advisory (moderate)","severity":"moderate","vulnerable_versions":"<10.0.0","cwe":[],"cvss":{"score":5.0,"vectorString":null}}]}
            """;

        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private int _bulk;

        public AdvisoryEndpoint(bool withAdvisories)
        {
            var port = CheckRun.FreePort();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                    // The bulk advisory request; any other (packument) request answers 404, as for an unknown package.
                    var bulk = context.Request.HttpMethod == "POST" && context.Request.Url!.AbsolutePath.EndsWith("/advisories/bulk", StringComparison.Ordinal);
                    if (bulk)
                    {
                        Interlocked.Increment(ref _bulk);
                    }
                    var body = Encoding.UTF8.GetBytes(bulk ? (withAdvisories ? Advisories : "{}") : "");
                    context.Response.StatusCode = bulk ? 200 : 404;
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public int BulkRequests => Volatile.Read(ref _bulk);

        public void Dispose()
        {
            // Close alone: on Unix, Stop() then Close() unregisters the port twice, and the second time binds it again,
            // which fails with "Address already in use" when a parallel test has taken the port meanwhile.
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
