namespace EcsDeploy.Analyzers
{
    /// <summary>The public rule IDs. Docs and users rely on them: never renumber.</summary>
    internal static class RuleIdentifiers
    {
        public const string PipelineNeverRun = "ED0001";
        public const string StagesOutOfOrder = "ED0002";
        public const string DuplicateConfiguration = "ED0003";
        public const string HardCodedCredentials = "ED0004";
        public const string LiteralSecret = "ED0005";
        public const string InvalidName = "ED0006";
        public const string OllamaMisconfigured = "ED0007";
        public const string DevelopmentMigration = "ED0008";
        public const string MutableImageTag = "ED0009";
        public const string SafetyNetDisabled = "ED0010";
        public const string VerifyWithoutWait = "ED0011";
        public const string StrategyWithoutLoadBalancer = "ED0012";
        public const string StrategyOutOfRange = "ED0013";
        public const string CircuitBreakerIgnored = "ED0014";
        public const string TestTrafficWithoutTestListener = "ED0015";
        public const string BakeLongerThanWait = "ED0016";
        public const string PauseHookWhileTrafficMoves = "ED0017";

        /// <summary>Where a rule's page lives: docs/rules/EDxxxx.md in the repository.</summary>
        public static string HelpLink(string id)
        {
            return "https://github.com/ecsdeploy/ecsdeploy/blob/main/docs/rules/" + id + ".md";
        }
    }
}
