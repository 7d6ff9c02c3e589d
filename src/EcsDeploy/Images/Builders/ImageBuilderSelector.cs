using EcsDeploy.Processes;

namespace EcsDeploy.Images.Builders;

/// <summary>Picks the image builder: the one asked for (checked to be usable), or the first usable of docker, buildah, daemonless.</summary>
internal static class ImageBuilderSelector
{
    public static IReadOnlyList<IImageBuilder> DefaultBuilders(ProcessRunner runner) =>
        [new DockerImageBuilder(runner), new BuildahImageBuilder(runner), new DaemonlessImageBuilder()];

    public static async Task<BuilderChoice> ChooseAsync(ImageBuilderKind requested, bool localTarget, IReadOnlyList<IImageBuilder> builders, CancellationToken cancellationToken)
    {
        var detections = new List<(IImageBuilder Builder, BuilderAvailability Availability)>();
        foreach (var builder in builders)
        {
            detections.Add((builder, await builder.DetectAsync(cancellationToken).ConfigureAwait(false)));
        }
        if (requested != ImageBuilderKind.Auto)
        {
            var (builder, availability) = detections.FirstOrDefault(d => d.Builder.Kind == requested);
            if (builder is null || !availability.Available)
            {
                throw new PipelineStageException(
                    $"Build: b.Builder(ImageBuilderKind.{requested}) cannot run here: {availability?.Reason ?? requested + " is not known"}. " +
                    "Fix: make it available, or use b.Builder(ImageBuilderKind.Auto) to fall back to the next usable builder.", FailureKind.Invalid);
            }
            return new BuilderChoice(builder, $"asked for with b.Builder(ImageBuilderKind.{requested}); {availability.Reason}",
                [.. detections.Where(d => d.Builder != builder).Select(d => d.Availability.Reason + " (not asked for)")]);
        }
        if (localTarget)
        {
            var daemonless = detections.First(d => d.Builder.Kind == ImageBuilderKind.Daemonless);
            return new BuilderChoice(daemonless.Builder,
                "auto: the local target runs no container and reaches nothing beyond 127.0.0.1, so the in-process builder (docker and buildah would pull the base image from the network)",
                [.. detections.Where(d => d.Builder != daemonless.Builder).Select(d => d.Availability.Reason + (d.Availability.Available ? " (not used on the local target: b.Builder(...) to force it)" : ""))]);
        }
        var picked = detections.First(d => d.Availability.Available);
        return new BuilderChoice(picked.Builder, "auto: " + picked.Availability.Reason,
            [.. detections.Where(d => d.Builder != picked.Builder).Select(d => d.Availability.Reason + (d.Availability.Available ? " (a preferred builder was usable)" : ""))]);
    }
}
