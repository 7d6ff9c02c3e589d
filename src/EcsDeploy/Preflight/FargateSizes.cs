namespace EcsDeploy.Preflight;

/// <summary>
/// The task sizes and runtime platforms Fargate accepts (AWS documentation, "Task CPU and memory" and
/// "runtimePlatform"): each CPU value with its memory range and step, in MiB.
/// </summary>
internal static class FargateSizes
{
    private static readonly (int Cpu, int[] Memory)[] Pairs =
    [
        (256, [512, 1024, 2048]),
        (512, Range(1024, 4096, 1024)),
        (1024, Range(2048, 8192, 1024)),
        (2048, Range(4096, 16384, 1024)),
        (4096, Range(8192, 30720, 1024)),
        (8192, Range(16384, 61440, 4096)),
        (16384, Range(32768, 122880, 8192)),
    ];

    /// <summary>The operating system families Fargate runs.</summary>
    public static readonly IReadOnlyList<string> OperatingSystems =
        ["LINUX", "WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2025_FULL", "WINDOWS_SERVER_2025_CORE"];

    /// <summary>The CPU architectures Fargate runs.</summary>
    public static readonly IReadOnlyList<string> Architectures = ["X86_64", "ARM64"];

    /// <summary>Null when Fargate accepts <paramref name="cpu"/> units with <paramref name="memory"/> MiB, else why not and the accepted values.</summary>
    public static string? Problem(int cpu, int memory)
    {
        var row = Pairs.FirstOrDefault(p => p.Cpu == cpu);
        if (row.Memory is null)
        {
            return $"Fargate has no task size with cpu {cpu}: use one of {string.Join(", ", Pairs.Select(p => p.Cpu))}";
        }
        return row.Memory.Contains(memory) ? null
            : $"Fargate does not accept cpu {cpu} with memory {memory}: with cpu {cpu} use memory {Describe(row.Memory)}";
    }

    /// <summary>Null when the platform is one Fargate runs, else why not.</summary>
    public static string? PlatformProblem(string operatingSystem, string architecture, int? cpu)
    {
        if (!OperatingSystems.Contains(operatingSystem, StringComparer.Ordinal))
        {
            return $"operatingSystemFamily {operatingSystem} is not one Fargate runs: use {string.Join(", ", OperatingSystems)}";
        }
        if (!Architectures.Contains(architecture, StringComparer.Ordinal))
        {
            return $"cpuArchitecture {architecture} is not one Fargate runs: use X86_64 or ARM64";
        }
        if (architecture == "ARM64" && operatingSystem != "LINUX")
        {
            return "ARM64 runs on Fargate with operatingSystemFamily LINUX only";
        }
        if (operatingSystem != "LINUX" && cpu is < 1024)
        {
            return $"Windows tasks on Fargate need at least 1024 cpu units, not {cpu}";
        }
        return null;
    }

    /// <summary>The OCI platform (os, architecture) of an ECS runtime platform.</summary>
    public static (string Os, string Architecture) OciPlatform(string operatingSystem, string architecture)
        => (operatingSystem == "LINUX" ? "linux" : "windows", architecture == "ARM64" ? "arm64" : "amd64");

    private static int[] Range(int from, int to, int step) => [.. Enumerable.Range(0, ((to - from) / step) + 1).Select(i => from + (i * step))];

    private static string Describe(int[] memory)
        => memory.Length <= 3 ? string.Join(", ", memory) : $"{memory[0]} to {memory[^1]} in steps of {memory[1] - memory[0]}";
}
