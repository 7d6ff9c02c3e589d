using System.Globalization;
using EcsDeploy.Aws;
using EcsDeploy.Images;
using EcsDeploy.Reporting;

namespace EcsDeploy
{
    public sealed partial class PushOptions
    {
        internal ScanGateOptions? Scan { get; private set; }
        internal int? KeepImages { get; private set; }

        /// <summary>
        /// Scans the image on push and fails the run, before anything is migrated or deployed, when a finding is at
        /// <paramref name="failAt"/> or above (default CRITICAL). Turns on the repository's scan on push when it is off.
        /// </summary>
        public PushOptions ScanGate(ScanSeverity failAt = ScanSeverity.Critical, Action<ScanGateOptions>? configure = null)
        {
            _freeze.EnsureMutable();
            var gate = new ScanGateOptions().FailAt(failAt);
            configure?.Invoke(gate);
            Scan = gate;
            return this;
        }

        /// <summary>Turns the scan gate off (the repository's scan on push setting is left as it is).</summary>
        public PushOptions NoScanGate()
        {
            _freeze.EnsureMutable();
            Scan = null;
            return this;
        }

        /// <summary>
        /// Sets the repository's lifecycle policy to keep the last <paramref name="count"/> images (any tag status) and
        /// expire older ones, as the ECR user guide's rule does. Applied only when the repository's policy differs. The plan
        /// refuses a count that would expire the image a rollback returns to.
        /// </summary>
        public PushOptions KeepLastImages(int count)
        {
            _freeze.EnsureMutable();
            KeepImages = count;
            return this;
        }
    }
}

namespace EcsDeploy.Images
{
    internal sealed partial class PushStage
    {
        /// <summary>ECR's severities, highest first, with the <see cref="ScanSeverity"/> each one is.</summary>
        internal static readonly IReadOnlyList<(string Name, ScanSeverity Severity)> Severities =
        [
            ("CRITICAL", ScanSeverity.Critical), ("HIGH", ScanSeverity.High), ("MEDIUM", ScanSeverity.Medium),
            ("LOW", ScanSeverity.Low), ("INFORMATIONAL", ScanSeverity.Informational), ("UNDEFINED", ScanSeverity.Undefined),
        ];

        private static readonly HashSet<string> ScanDone = new(StringComparer.Ordinal) { "COMPLETE", "ACTIVE" };
        private static readonly HashSet<string> ScanRunning = new(StringComparer.Ordinal) { "IN_PROGRESS", "PENDING" };

        internal ScanGateOptions? ScanGateSettings => options.Scan;

        internal int? KeepLastImagesCount => options.KeepImages;

        private IEnumerable<Iam.IamGrant> ScanAndLifecycleGrants(Iam.IamScope scope)
        {
            var repositoryArn = scope.Arn("ecr", "repository/" + Repository(scope.Definition));
            if (options.Scan is not null)
            {
                yield return new("ScanGate", ["ecr:PutImageScanningConfiguration", "ecr:DescribeImageScanFindings", "ecr:StartImageScan"], [repositoryArn]);
            }
            if (options.KeepImages is not null)
            {
                yield return new("ImageLifecycle", ["ecr:GetLifecyclePolicy", "ecr:PutLifecyclePolicy"], [repositoryArn]);
                if (scope.Definition.DeployedService?.Target.Service is { } service)
                {
                    // The plan reads the image a rollback would return to, to keep it from expiring.
                    yield return new("ReadRollbackImage", ["ecs:DescribeServices"], [scope.ServiceArn(service)]);
                    yield return new("ReadRollbackTaskDefinition", ["ecs:DescribeTaskDefinition"], ["*"]);
                }
            }
        }

        private void ValidateScanAndLifecycle(ICollection<string> problems)
        {
            if (options.Scan is { } scan)
            {
                if (!Enum.IsDefined(scan.Threshold))
                {
                    problems.Add($"Push: scan gate threshold {(int)scan.Threshold} is not a severity: use ScanSeverity.Critical, High, Medium, Low, Informational or Undefined.");
                }
                if (scan.WaitTimeout <= TimeSpan.Zero)
                {
                    problems.Add($"Push: scan gate timeout {scan.WaitTimeout} is not positive: give s.Timeout(TimeSpan.FromMinutes(10)).");
                }
                if (scan.PollInterval <= TimeSpan.Zero)
                {
                    problems.Add($"Push: scan gate poll interval {scan.PollInterval} is not positive: give s.PollEvery(TimeSpan.FromSeconds(5)).");
                }
                if (scan.StartScanAfter < TimeSpan.Zero)
                {
                    problems.Add($"Push: scan gate StartScanIfNoneAfter({scan.StartScanAfter}) is negative: give TimeSpan.FromSeconds(30).");
                }
            }
            if (options.KeepImages is { } keep && keep < 1)
            {
                problems.Add($"Push: KeepLastImages({keep}) keeps no image: keep at least the image being deployed and the one a rollback returns to, for example p.KeepLastImages(10).");
            }
        }

        /// <summary>The plan's details for the scan gate and the lifecycle policy, and a suffix for the stage's summary.</summary>
        private async Task<(List<KeyValuePair<string, string>> Details, string Summary)> PlanScanAndLifecycleAsync(PipelineContext context, EcrRepository repository, IReadOnlyList<string> tags, CancellationToken cancellationToken)
        {
            var details = new List<KeyValuePair<string, string>>();
            var summary = "";
            if (options.Scan is { } scan)
            {
                var scanOnPush = repository.ImageScanningConfiguration?.ScanOnPush == true;
                summary += $"; scan gate at {Name(scan.Threshold)}{(scanOnPush ? "" : " (scan on push will be turned on)")}";
                details.Add(new("scan on push", scanOnPush ? "on" : "off: will be turned on (PutImageScanningConfiguration) before the push"));
                details.Add(new("scan gate", $"wait up to {Minutes(scan.WaitTimeout)} for the findings; fail at {Name(scan.Threshold)} or above; a failed or unsupported scan {(scan.OnScanFailure == ScanFailureAction.Fail ? "fails the run" : "is a warning")}"));
            }
            if (options.KeepImages is { } keep)
            {
                var existing = await GetLifecyclePolicyAsync(context, repository.RepositoryName, cancellationToken).ConfigureAwait(false);
                var wanted = EcrLifecyclePolicy.KeepLastImages(keep);
                details.Add(new("lifecycle policy", existing is null
                    ? $"keep the last {keep} images: will be set (the repository has none)"
                    : EcrLifecyclePolicy.AreEquivalent(existing, wanted)
                        ? $"keep the last {keep} images: already in place"
                        : $"keep the last {keep} images: will replace the repository's current policy {existing}"));

                var images = (await context.Aws.Ecr.DescribeImagesAsync(repository.RepositoryName, [], cancellationToken).ConfigureAwait(false))
                    .Select(i => new LifecycleImage(i.ImageDigest, i.ImageTags, i.ImagePushedAt ?? DateTimeOffset.MinValue)).ToList();
                var now = context.Time.GetUtcNow();
                // The image being pushed counts as the newest, unless the repository already holds this commit's image (a re-run).
                if (!images.Any(i => i.Tags.Contains(tags[0])))
                {
                    images.Add(new LifecycleImage(PendingDigest, tags, now));
                }
                var expired = EcrLifecyclePolicy.Expired(EcrLifecyclePolicy.Parse(wanted, new List<string>())!, images, now);
                summary += $"; keep the last {keep} images ({(existing is not null && EcrLifecyclePolicy.AreEquivalent(existing, wanted) ? "policy in place" : "policy will be set")}, {(expired.Count == 0 ? "nothing to expire" : $"{expired.Count} image(s) to expire")})";
                details.Add(new("lifecycle would expire", expired.Count == 0
                    ? "no image"
                    : $"{expired.Count} image(s): {string.Join("; ", expired.Select(Describe))}"));
                await CheckRollbackImageKeptAsync(context, repository, keep, images, expired, cancellationToken).ConfigureAwait(false);
            }
            return (details, summary);
        }

        private const string PendingDigest = "(the image this run pushes)";

        private static string Describe(LifecycleImage image) => image.Tags.Count == 0
            ? $"{image.Digest} (untagged, pushed {image.PushedAt:yyyy-MM-dd HH:mm}Z)"
            : $"{image.Digest} ({string.Join(", ", image.Tags)}, pushed {image.PushedAt:yyyy-MM-dd HH:mm}Z)";

        /// <summary>
        /// The images of the task definitions the service runs now (the revision a rollback returns to, and any deployment
        /// still in flight) must survive the policy; otherwise the plan fails with the count that would keep them.
        /// </summary>
        private async Task CheckRollbackImageKeptAsync(PipelineContext context, EcrRepository repository, int keep, List<LifecycleImage> images, IReadOnlyList<LifecycleImage> expired, CancellationToken cancellationToken)
        {
            if (expired.Count == 0 || context.Definition.DeployedService?.Target.Service is not { } serviceName)
            {
                return;
            }
            var described = await context.Aws.Ecs.DescribeServicesAsync(new DescribeServicesRequest(context.Definition.Cluster, [serviceName]), cancellationToken).ConfigureAwait(false);
            if (described.Services.FirstOrDefault() is not { } service)
            {
                return;
            }
            var taskDefinitions = new[] { service.TaskDefinition }.Concat(service.Deployments.Select(d => d.TaskDefinition)).OfType<string>().Distinct(StringComparer.Ordinal);
            var problems = new List<string>();
            var newestFirst = images.OrderByDescending(i => i.PushedAt).ThenBy(i => i.Digest, StringComparer.Ordinal).ToList();
            var needed = keep;
            foreach (var arn in taskDefinitions)
            {
                var definition = (await context.Aws.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(arn, IncludeTags: false), cancellationToken).ConfigureAwait(false)).TaskDefinition;
                foreach (var container in definition.ContainerDefinitions ?? [])
                {
                    if (ImageIn(repository, container.Image, images) is not { } image || !expired.Contains(image))
                    {
                        continue;
                    }
                    needed = Math.Max(needed, newestFirst.IndexOf(image) + 1);
                    problems.Add($"{Describe(image)}, the image of container '{container.Name}' in {ShortArn(arn)} that {serviceName} runs now and a rollback returns to");
                }
            }
            if (problems.Count > 0)
            {
                throw new PipelineStageException(
                    $"KeepLastImages({keep}) would expire {string.Join("; and ", problems)}. Keep more images (p.KeepLastImages({needed})), or deploy a newer image first; nothing was changed.",
                    FailureKind.Invalid);
            }
        }

        private static LifecycleImage? ImageIn(EcrRepository repository, string? reference, IReadOnlyList<LifecycleImage> images)
        {
            if (reference is null)
            {
                return null;
            }
            var prefix = repository.RepositoryUri;
            if (reference.StartsWith(prefix + "@", StringComparison.Ordinal))
            {
                var digest = reference[(prefix.Length + 1)..];
                return images.FirstOrDefault(i => i.Digest == digest);
            }
            if (reference.StartsWith(prefix + ":", StringComparison.Ordinal))
            {
                var tag = reference[(prefix.Length + 1)..];
                return images.FirstOrDefault(i => i.Tags.Contains(tag));
            }
            return reference == prefix ? images.FirstOrDefault(i => i.Tags.Contains("latest")) : null;
        }

        private static string ShortArn(string arn) => arn.Contains("task-definition/", StringComparison.Ordinal) ? arn[(arn.IndexOf("task-definition/", StringComparison.Ordinal) + 16)..] : arn;

        private static async Task<string?> GetLifecyclePolicyAsync(PipelineContext context, string repositoryName, CancellationToken cancellationToken)
        {
            try
            {
                return (await context.Aws.Ecr.GetLifecyclePolicyAsync(repositoryName, cancellationToken).ConfigureAwait(false)).LifecyclePolicyText;
            }
            catch (AwsServiceException ex) when (ex.ErrorCode == "LifecyclePolicyNotFoundException")
            {
                return null;
            }
        }

        /// <summary>Before the push: scan on push must be on for ECR to scan the image it receives.</summary>
        private async Task EnsureScanOnPushAsync(PipelineContext context, EcrRepository repository, CancellationToken cancellationToken)
        {
            if (options.Scan is null || repository.ImageScanningConfiguration?.ScanOnPush == true)
            {
                return;
            }
            await context.Aws.Ecr.PutImageScanningConfigurationAsync(repository.RepositoryName, new ImageScanningConfiguration(ScanOnPush: true), cancellationToken).ConfigureAwait(false);
            context.Info($"turned on scan on push for {repository.RepositoryName}");
        }

        /// <summary>After the push: the lifecycle policy (only when it differs), then the scan gate.</summary>
        private async Task AfterPushAsync(PipelineContext context, EcrRepository repository, PushedImage pushed, CancellationToken cancellationToken)
        {
            if (options.KeepImages is { } keep)
            {
                var wanted = EcrLifecyclePolicy.KeepLastImages(keep);
                var existing = await GetLifecyclePolicyAsync(context, repository.RepositoryName, cancellationToken).ConfigureAwait(false);
                if (existing is not null && EcrLifecyclePolicy.AreEquivalent(existing, wanted))
                {
                    context.Verbose($"lifecycle policy of {repository.RepositoryName} already keeps the last {keep} images");
                }
                else
                {
                    await context.Aws.Ecr.PutLifecyclePolicyAsync(repository.RepositoryName, wanted, cancellationToken).ConfigureAwait(false);
                    context.Info(existing is null
                        ? $"lifecycle policy of {repository.RepositoryName} set: keep the last {keep} images (ECR expires older ones within 24 hours)"
                        : $"lifecycle policy of {repository.RepositoryName} replaced: keep the last {keep} images (was {existing})");
                }
            }
            if (options.Scan is { } scan)
            {
                var report = await WaitForScanAsync(context, pushed, scan, mayStartScan: true, cancellationToken).ConfigureAwait(false);
                Enforce(context, pushed, scan, report);
            }
        }

        /// <summary>--image-tag: the gate checks the existing image's findings at plan time (read-only: no scan is started).</summary>
        private async Task CheckExistingImageScanAsync(PipelineContext context, PushedImage image, CancellationToken cancellationToken)
        {
            if (options.Scan is not { } scan)
            {
                return;
            }
            var report = await WaitForScanAsync(context, image, scan, mayStartScan: false, cancellationToken).ConfigureAwait(false);
            Enforce(context, image, scan, report);
        }

        private static async Task<ImageScanReport> WaitForScanAsync(PipelineContext context, PushedImage image, ScanGateOptions scan, bool mayStartScan, CancellationToken cancellationToken)
        {
            var started = context.Time.GetUtcNow();
            var deadline = started + scan.WaitTimeout;
            var imageId = new ImageIdentifier(ImageDigest: image.Digest);
            var startedScan = false;
            string lastStatus = "NOT_STARTED";
            while (true)
            {
                try
                {
                    var result = await context.Aws.Ecr.DescribeImageScanFindingsAsync(image.RepositoryName, imageId, cancellationToken).ConfigureAwait(false);
                    var status = result.ImageScanStatus?.Status ?? "IN_PROGRESS";
                    lastStatus = status;
                    if (ScanDone.Contains(status))
                    {
                        return Report(image, scan, status, null, result.ImageScanFindings?.FindingSeverityCounts);
                    }
                    if (!ScanRunning.Contains(status))
                    {
                        return Report(image, scan, status, result.ImageScanStatus?.Description, null);
                    }
                }
                catch (AwsServiceException ex) when (ex.ErrorCode == "ScanNotFoundException")
                {
                    // Right after a push the scan has not started yet. An image ECR held before scan on push was on is
                    // never scanned by the push: start a scan (a push only, never at plan time).
                    if (!mayStartScan)
                    {
                        return Report(image, scan, "NOT_SCANNED", $"ECR has no scan of this image: push it with scan on push on, or run aws ecr start-image-scan --repository-name {image.RepositoryName} --image-id imageDigest={image.Digest}", null);
                    }
                    if (!startedScan && context.Time.GetUtcNow() - started >= scan.StartScanAfter)
                    {
                        startedScan = true;
                        try
                        {
                            await context.Aws.Ecr.StartImageScanAsync(image.RepositoryName, imageId, cancellationToken).ConfigureAwait(false);
                            context.Info($"no scan of {image.Digest} after {Seconds(scan.StartScanAfter)}: started one (StartImageScan)");
                        }
                        catch (AwsServiceException start) when (start.ErrorCode == "LimitExceededException")
                        {
                            context.Verbose("StartImageScan: the image was scanned in the last 24 hours; waiting for that scan");
                        }
                        catch (AwsServiceException start) when (start.ErrorCode == "UnsupportedImageTypeException")
                        {
                            return Report(image, scan, "UNSUPPORTED_IMAGE", start.Message, null);
                        }
                    }
                }
                var now = context.Time.GetUtcNow();
                if (now >= deadline)
                {
                    throw new PipelineStageException(
                        $"The ECR scan of {image.RepositoryName}@{image.Digest} did not complete within {Minutes(scan.WaitTimeout)} (last status {lastStatus}): nothing was deployed. Run again, or wait longer with p.ScanGate(..., s => s.Timeout(TimeSpan.FromMinutes(20))).",
                        FailureKind.Failed);
                }
                var wait = scan.PollInterval < deadline - now ? scan.PollInterval : deadline - now;
                await Clock.DelayAsync(context.Time, wait, cancellationToken).ConfigureAwait(false);
            }
        }

        private static ImageScanReport Report(PushedImage image, ScanGateOptions scan, string status, string? description, IReadOnlyDictionary<string, int>? counts)
        {
            var all = Severities.ToDictionary(s => s.Name, s => counts?.GetValueOrDefault(s.Name) ?? 0, StringComparer.Ordinal);
            var blocked = ScanDone.Contains(status)
                ? Severities.Any(s => s.Severity >= scan.Threshold && all[s.Name] > 0)
                : scan.OnScanFailure == ScanFailureAction.Fail;
            return new ImageScanReport
            {
                Repository = image.RepositoryName,
                Digest = image.Digest,
                Status = status,
                StatusDescription = description,
                SeverityCounts = all,
                FailAt = Name(scan.Threshold),
                Blocked = blocked,
            };
        }

        private static void Enforce(PipelineContext context, PushedImage image, ScanGateOptions scan, ImageScanReport report)
        {
            context.Set(StageOutputs.ImageScan, report);
            context.Report(new ImageScanned(context.Time.GetUtcNow(), context.CurrentStage, report));
            var counts = string.Join(", ", report.SeverityCounts.Select(c => $"{c.Key} {c.Value}"));
            if (!ScanDone.Contains(report.Status))
            {
                var why = $"The ECR scan of {image.RepositoryName}@{image.Digest} ended {report.Status}{(report.StatusDescription is { } d ? $" ({d})" : "")}";
                if (!report.Blocked)
                {
                    context.Warn($"{why}: the image is not vouched for by a scan; going on (WhenScanFails(ScanFailureAction.Warn)).");
                    return;
                }
                throw new PipelineStageException(
                    $"{why}, so the scan gate cannot vouch for it: nothing was deployed. Use a base image ECR's basic scanning supports (a supported OS package manager), or let the run go on with p.ScanGate(..., s => s.WhenScanFails(ScanFailureAction.Warn)).",
                    FailureKind.Failed);
            }
            if (!report.Blocked)
            {
                return;
            }
            var blocking = Severities.Where(s => s.Severity >= scan.Threshold && report.SeverityCounts[s.Name] > 0).Select(s => $"{report.SeverityCounts[s.Name]} {s.Name}");
            throw new PipelineStageException(
                $"The ECR scan of {image.RepositoryName}@{image.Digest} found {string.Join(", ", blocking)} (threshold {report.FailAt}; all findings: {counts}): nothing was deployed. "
                + $"Fix the vulnerable packages (update the base image and dependencies, see aws ecr describe-image-scan-findings --repository-name {image.RepositoryName} --image-id imageDigest={image.Digest}) and push again, or raise the threshold with p.ScanGate(ScanSeverity.X) if the risk is accepted.",
                FailureKind.Failed);
        }

        internal static string Name(ScanSeverity severity) => Severities.FirstOrDefault(s => s.Severity == severity).Name ?? severity.ToString().ToUpperInvariant();

        private static string Minutes(TimeSpan t) => t.TotalMinutes >= 1 ? $"{t.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min" : Seconds(t);

        private static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";
    }
}
