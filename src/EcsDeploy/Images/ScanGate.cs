using System.Globalization;
using EcsDeploy.Aws;
using EcsDeploy.Images;
using EcsDeploy.Reporting;

namespace EcsDeploy
{
    /// <summary>Severities of ECR scan findings, lowest first (the gate fails at its threshold or above).</summary>
    public enum ScanSeverity
    {
        /// <summary>UNDEFINED: a finding without a severity (the lowest: a gate at this level fails on any finding).</summary>
        Undefined,
        /// <summary>INFORMATIONAL.</summary>
        Informational,
        /// <summary>LOW.</summary>
        Low,
        /// <summary>MEDIUM.</summary>
        Medium,
        /// <summary>HIGH.</summary>
        High,
        /// <summary>CRITICAL (the default threshold).</summary>
        Critical,
    }

    /// <summary>What the scan gate does when ECR cannot scan the image (FAILED, UNSUPPORTED_IMAGE, never scanned).</summary>
    public enum ScanFailureAction
    {
        /// <summary>Fail the run before anything is deployed (the default: an unscanned image is not vouched for).</summary>
        Fail,
        /// <summary>Warn and go on.</summary>
        Warn,
    }

    /// <summary>Options of the ECR scan gate (<see cref="PushOptions.ScanGate"/>).</summary>
    public sealed class ScanGateOptions : IFreezable
    {
        private readonly FreezeGuard _freeze = new("Push scan gate");

        void IFreezable.Freeze() => _freeze.Freeze();

        internal ScanSeverity Threshold { get; private set; } = ScanSeverity.Critical;
        internal TimeSpan WaitTimeout { get; private set; } = TimeSpan.FromMinutes(10);
        internal TimeSpan PollInterval { get; private set; } = TimeSpan.FromSeconds(5);
        internal TimeSpan StartScanAfter { get; private set; } = TimeSpan.FromSeconds(30);
        internal ScanFailureAction OnScanFailure { get; private set; } = ScanFailureAction.Fail;

        /// <summary>Fails the run when any finding is at <paramref name="severity"/> or above (default CRITICAL).</summary>
        public ScanGateOptions FailAt(ScanSeverity severity)
        {
            _freeze.EnsureMutable();
            Threshold = severity;
            return this;
        }

        /// <summary>How long to wait for the scan to complete (default 10 minutes).</summary>
        public ScanGateOptions Timeout(TimeSpan timeout)
        {
            _freeze.EnsureMutable();
            WaitTimeout = timeout;
            return this;
        }

        /// <summary>How often to ask for the findings while the scan runs (default 5 seconds).</summary>
        public ScanGateOptions PollEvery(TimeSpan interval)
        {
            _freeze.EnsureMutable();
            PollInterval = interval;
            return this;
        }

        /// <summary>
        /// When no scan of the pushed image has appeared after this long (an image ECR already held before scan on
        /// push was on is not scanned again), start one with StartImageScan (default 30 seconds).
        /// </summary>
        public ScanGateOptions StartScanIfNoneAfter(TimeSpan delay)
        {
            _freeze.EnsureMutable();
            StartScanAfter = delay;
            return this;
        }

        /// <summary>What to do when the scan ends FAILED or UNSUPPORTED_IMAGE, or the image was never scanned (default: fail).</summary>
        public ScanGateOptions WhenScanFails(ScanFailureAction action)
        {
            _freeze.EnsureMutable();
            OnScanFailure = action;
            return this;
        }
    }

    /// <summary>The outcome of the scan gate: the scan status and the findings by severity.</summary>
    public sealed record ImageScanReport
    {
        /// <summary>The repository.</summary>
        public required string Repository { get; init; }
        /// <summary>The image digest.</summary>
        public required string Digest { get; init; }
        /// <summary>COMPLETE, FAILED, UNSUPPORTED_IMAGE, NOT_SCANNED, ...</summary>
        public required string Status { get; init; }
        /// <summary>Why the scan did not complete, when it did not.</summary>
        public string? StatusDescription { get; init; }
        /// <summary>Counts by severity, every severity listed: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNDEFINED.</summary>
        public required IReadOnlyDictionary<string, int> SeverityCounts { get; init; }
        /// <summary>The threshold (CRITICAL, HIGH, ...).</summary>
        public required string FailAt { get; init; }
        /// <summary>Whether the gate stopped the run.</summary>
        public bool Blocked { get; init; }
    }
}
