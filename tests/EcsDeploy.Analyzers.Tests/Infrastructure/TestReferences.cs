using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace EcsDeploy.Analyzers.Tests.Infrastructure;

/// <summary>
/// References for test compilations, with nothing downloaded: the running runtime's own assemblies
/// (TRUSTED_PLATFORM_ASSEMBLIES) and EcsDeploy (the real assembly when built, else the compiled stub).
/// </summary>
internal static class TestReferences
{
    /// <summary>No reference-assembly package: the test framework resolves nothing from a feed.</summary>
    public static readonly ReferenceAssemblies None = new ReferenceAssemblies("net10.0-runtime");

    private static readonly Lazy<ImmutableArray<MetadataReference>> Runtime = new(() =>
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [.. paths
            .Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    private static readonly Lazy<(MetadataReference Reference, string Description)> EcsDeploy = new(CreateEcsDeploy);

    public static ImmutableArray<MetadataReference> RuntimeReferences => Runtime.Value;

    public static MetadataReference EcsDeployReference => EcsDeploy.Value.Reference;

    /// <summary>"real: path" or "stub".</summary>
    public static string EcsDeployDescription => EcsDeploy.Value.Description;

    public static ImmutableArray<MetadataReference> All => RuntimeReferences.Add(EcsDeployReference);

    public static string RepositoryRoot([CallerFilePath] string path = "")
    {
        var directory = new DirectoryInfo(Path.GetDirectoryName(path)!);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found above " + path);
    }

    private static (MetadataReference, string) CreateEcsDeploy()
    {
        // The real assembly, once src/EcsDeploy builds and has the stage extensions.
        string? real = Environment.GetEnvironmentVariable("ECSDEPLOY_ASSEMBLY");
        if (real == null)
        {
            var bin = Path.Combine(RepositoryRoot(), "src", "EcsDeploy", "bin");
            real = Directory.Exists(bin)
                ? Directory.EnumerateFiles(bin, "EcsDeploy.dll", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
                : null;
        }
        if (real != null && HasStageExtensions(real))
        {
            return (MetadataReference.CreateFromFile(real), "real: " + real);
        }
        var compilation = CSharpCompilation.Create(
            "EcsDeploy",
            [CSharpSyntaxTree.ParseText(EcsDeployApi.Source, new CSharpParseOptions(LanguageVersion.Latest))],
            Runtime.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException("The EcsDeploy stub does not compile: " + string.Join(Environment.NewLine, result.Diagnostics));
        }
        return (MetadataReference.CreateFromImage(stream.ToArray()), "stub");
    }

    private static bool HasStageExtensions(string path)
    {
        var compilation = CSharpCompilation.Create("probe", references: [.. Runtime.Value, MetadataReference.CreateFromFile(path)]);
        string[] required = ["EcsDeploy.BuildExtensions", "EcsDeploy.PushExtensions", "EcsDeploy.MigrationExtensions", "EcsDeploy.OllamaExtensions",
            "EcsDeploy.DeployExtensions", "EcsDeploy.VerifyExtensions", "EcsDeploy.DeployOptions", "EcsDeploy.VerifyOptions"];
        return required.All(name => compilation.GetTypeByMetadataName(name) != null);
    }
}
