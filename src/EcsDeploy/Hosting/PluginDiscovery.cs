using System.Reflection;

namespace EcsDeploy.Hosting;

/// <summary>
/// The one place that finds plugins by attribute, the fallback for what a host was not given explicitly:
/// <c>--target local</c> in EcsDeploy.Testing (<see cref="DeploymentTargetAttribute"/>) and the live terminal view in
/// EcsDeploy.Terminal (<see cref="ConsoleReporterAttribute"/>). EcsDeploy cannot reference either, so an assembly
/// that is not loaded yet is loaded by name from beside the application when it is deployed there.
/// </summary>
internal static class PluginDiscovery
{
    private const string TestingAssembly = "EcsDeploy.Testing";
    private const string TerminalAssembly = "EcsDeploy.Terminal";

    /// <summary>A new instance of the target an assembly announces under <paramref name="name"/>, or null.</summary>
    public static IDeploymentTarget? FindTarget(string name)
    {
        var attribute = Assemblies(name == "local" ? TestingAssembly : null)
            .SelectMany(a => a.GetCustomAttributes<DeploymentTargetAttribute>())
            .FirstOrDefault(a => a.Name == name);
        return attribute is null ? null : (IDeploymentTarget)Activator.CreateInstance(attribute.TargetType)!;
    }

    /// <summary>A new instance of the console reporter factory an assembly announces, or null.</summary>
    public static IConsoleReporterFactory? FindConsoleReporter()
    {
        var attribute = Assemblies(TerminalAssembly)
            .Select(a => a.GetCustomAttribute<ConsoleReporterAttribute>())
            .FirstOrDefault(a => a is not null);
        return attribute is null ? null : (IConsoleReporterFactory)Activator.CreateInstance(attribute.FactoryType)!;
    }

    private static List<Assembly> Assemblies(string? loadByName)
    {
        var assemblies = AppDomain.CurrentDomain.GetAssemblies().ToList();
        if (loadByName is not null && assemblies.All(a => a.GetName().Name != loadByName))
        {
            try
            {
                assemblies.Add(Assembly.Load(loadByName));
            }
            catch (FileNotFoundException)
            {
                // Not deployed beside the application: nothing to find.
            }
        }
        return assemblies;
    }
}
