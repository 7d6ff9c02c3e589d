using System.Diagnostics;
using System.IO.Compression;
using EcsDeploy.Analyzers.Tests.Infrastructure;

namespace EcsDeploy.Analyzers.Tests;

/// <summary>
/// The package as a user gets it: `dotnet pack` puts the analyzer and code fixes under analyzers/dotnet/cs, and a
/// consumer project that restores the nupkg from a local folder feed sees the ED warnings in its build output.
/// Slow (about a minute): it packs and builds real projects, offline (packages come from the local folder and
/// the machine's package cache).
/// </summary>
public class PackageTests
{
    [Fact]
    public void PackedNupkg_CarriesTheAnalyzers_AndAConsumerBuildShowsTheWarnings()
    {
        string root = TestReferences.RepositoryRoot();
        // Packed into a folder of its own: the test writes nothing into the repository.
        string packages = Directory.CreateTempSubdirectory("ecsdeploy-packages-").FullName;
        // A version of its own, so that the machine's package cache never serves a stale EcsDeploy to the consumer.
        string version = "0.1.0-consumer-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        string nupkg = Path.Combine(packages, $"EcsDeploy.{version}.nupkg");
        string consumer = Directory.CreateTempSubdirectory("ecsdeploy-consumer-").FullName;
        try
        {
            var pack = Run(root, "pack", "src/EcsDeploy", "-c", "Release", "-o", packages, $"-p:Version={version}", "-nodeReuse:false");
            Assert.True(pack.ExitCode == 0, "dotnet pack failed:\n" + pack.Output);

            using (var archive = ZipFile.OpenRead(nupkg))
            {
                var entries = archive.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("analyzers/dotnet/cs/EcsDeploy.Analyzers.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/EcsDeploy.Analyzers.CodeFixes.dll", entries);
                Assert.Contains("lib/net10.0/EcsDeploy.dll", entries);
                Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Analyzers", StringComparison.Ordinal));
            }

            File.WriteAllText(Path.Combine(consumer, "NuGet.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="ecsdeploy-local" value="{packages}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="EcsDeploy" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
                using EcsDeploy;

                Pipeline.For("consumer")
                    .InRegion("eu-central-1")
                    .OnCluster("consumer-cluster")
                    .Push(p => p.Tags("latest"))
                    .Deploy(d => d.Service("consumer-service").CircuitBreaker(false));
                """);

            var build = Run(consumer, "build", "-nodeReuse:false", "-p:TreatWarningsAsErrors=false");
            Assert.True(build.ExitCode == 0, "consumer build failed:\n" + build.Output);
            Assert.Contains("warning ED0001", build.Output, StringComparison.Ordinal);
            Assert.Contains("warning ED0009", build.Output, StringComparison.Ordinal);
            Assert.Contains("warning ED0010", build.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(consumer, recursive: true);
            Directory.Delete(packages, recursive: true);
            string cached = Path.Combine(
                Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
                "ecsdeploy", version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }

    [Fact]
    public void FileBasedScriptInSamples_SeesTheAnalyzerThroughSamplesDirectoryBuildProps()
    {
        // A script beside the samples, as a user would write one: only `latest` is pushed (ED0009). The samples'
        // Directory.Build.props wires the analyzer, and warnings are errors there, so the build fails and names the
        // rule. The script lives in a temporary folder whose Directory.Build.props imports the samples' one, so the
        // test writes nothing into the repository.
        string root = TestReferences.RepositoryRoot();
        string folder = Directory.CreateTempSubdirectory("ecsdeploy-analyzer-script-").FullName;
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), $"""
            <Project>
              <Import Project="{Path.Combine(root, "samples", "Directory.Build.props")}" />
            </Project>
            """);
        string script = Path.Combine(folder, "analyzer-check.cs");
        File.WriteAllText(script, $$"""
            #:project {{Path.Combine(root, "src", "EcsDeploy", "EcsDeploy.csproj")}}
            #:property PublishAot=false
            using EcsDeploy;

            return await Pipeline.For("app").InRegion("eu-central-1").OnCluster("cluster")
                .Build(b => b.Image("Dockerfile"))
                .Push(p => p.Tags("latest"))
                .Deploy(d => d.Service("app-service"))
                .RunAsync(args);
            """);
        try
        {
            // No MSBuild switches here: with one, the CLI loads the .cs file as a project file (MSB4025).
            var build = Run(folder, "build", script);

            Assert.True(build.ExitCode != 0, "the build should fail on ED0009 (warnings are errors):\n" + build.Output);
            Assert.True(build.Output.Contains("ED0009", StringComparison.Ordinal), build.Output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, output + "\n(timed out)");
        }
        return (process.ExitCode, output + error.Result);
    }
}
