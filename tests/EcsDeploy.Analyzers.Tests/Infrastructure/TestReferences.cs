extern alias runtime;

using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace EcsDeploy.Analyzers.Tests.Infrastructure;

/// <summary>
/// References for test compilations, with nothing downloaded: the running runtime's own assemblies
/// (TRUSTED_PLATFORM_ASSEMBLIES) and the real EcsDeploy.dll (with its dependencies from the test output).
/// </summary>
internal static class TestReferences
{
    /// <summary>No reference-assembly package: the test framework resolves nothing from a feed.</summary>
    public static readonly ReferenceAssemblies None = new("net10.0-runtime");

    private static readonly Lazy<ImmutableArray<MetadataReference>> Runtime = new(() =>
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [.. paths
            .Where(p => string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    private static readonly Lazy<ImmutableArray<MetadataReference>> Library = new(() =>
    {
        Assembly library = typeof(runtime::EcsDeploy.Pipeline).Assembly;
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        references.Add(MetadataReference.CreateFromFile(library.Location));
        foreach (AssemblyName dependency in library.GetReferencedAssemblies())
        {
            string path = Path.Combine(AppContext.BaseDirectory, dependency.Name + ".dll");
            if (File.Exists(path))
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
        }
        return references.ToImmutable();
    });

    /// <summary>The path of the EcsDeploy assembly the test sources compile against.</summary>
    public static string EcsDeployPath => typeof(runtime::EcsDeploy.Pipeline).Assembly.Location;

    public static ImmutableArray<MetadataReference> All => Runtime.Value.AddRange(Library.Value);

    /// <summary>
    /// The repository root, found above the test assembly's folder. Not from [CallerFilePath]: a CI build
    /// (ContinuousIntegrationBuild) maps source paths to /_/, which exist nowhere on disk.
    /// </summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
