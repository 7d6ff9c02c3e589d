using static EcsDeploy.Analyzers.Tests.Infrastructure.Verify;

namespace EcsDeploy.Analyzers.Tests.Rules;

public class ED0010SafetyNetDisabledTests
{
    [Fact]
    public Task CircuitBreakerAndRollbackOff_Report()
        => Analyzer<SafetyNetDisabledAnalyzer>("""
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").CircuitBreaker({|#0:false|}).RollbackOnFailure(enabled: {|#1:false|}))
                .RunAsync(args);
            """,
            Diagnostic("ED0010", "The deployment circuit breaker is turned off: a failing deployment keeps replacing tasks until the wait times out; remove .CircuitBreaker(false).", 0),
            Diagnostic("ED0010", "Rollback on failure is turned off: a failed deployment stays on the broken revision; remove .RollbackOnFailure(false).", 1));

    [Fact]
    public Task DefaultsOrTrue_ReportNothing()
        => Analyzer<SafetyNetDisabledAnalyzer>("""
            bool fromConfig = args.Length > 0;
            await Pipeline.For("api")
                .Deploy(d => d.Service("api-service").CircuitBreaker().RollbackOnFailure(true).CircuitBreaker(fromConfig))
                .RunAsync(args);
            """);
}
