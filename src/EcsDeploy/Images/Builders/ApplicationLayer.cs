using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>
/// The one layer a daemonless build adds: deterministic (Ustar, sorted entries, fixed times, root owned, .dockerignore
/// honoured), so the same context always gives the same digest.
/// </summary>
internal static class ApplicationLayer
{
    private static readonly DateTimeOffset EpochTime = DateTimeOffset.FromUnixTimeSeconds(0);

    /// <summary>The application layer: WORKDIR folders and COPY/ADD results, later copies replacing earlier ones.</summary>
    public static async Task<(OciBlob Layer, string DiffId)> WriteAsync(string contextDirectory, ParsedDockerfile dockerfile, string outputDirectory, CancellationToken cancellationToken)
    {
        var context = Path.GetFullPath(contextDirectory);
        var ignore = IgnoreRules.Load(context);
        var entries = new SortedDictionary<string, string?>(StringComparer.Ordinal); // path in the image -> source file (null: folder)
        void AddFolder(string path)
        {
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 1; i <= parts.Length; i++)
            {
                entries.TryAdd(string.Join('/', parts[..i]), null);
            }
        }
        var workdir = "";
        var problems = new List<string>();
        foreach (var step in dockerfile.Steps)
        {
            if (step is WorkdirStep wd)
            {
                workdir = UnixPath.Combine(workdir, wd.Path);
                AddFolder(workdir);
            }
            else if (step is CopyStep copy)
            {
                var destination = UnixPath.Combine(workdir, copy.Destination);
                var intoFolder = copy.Destination.EndsWith('/') || copy.Destination is "." or "./" || copy.Sources.Count > 1;
                foreach (var source in copy.Sources)
                {
                    var matches = ResolveSources(context, source, ignore);
                    if (matches.Count == 0)
                    {
                        problems.Add($"line {copy.Line}: COPY source '{source}' is not in the build context {context} (or .dockerignore excludes it)");
                        continue;
                    }
                    foreach (var match in matches)
                    {
                        var full = Path.Combine(context, match);
                        if (Directory.Exists(full))
                        {
                            AddFolder(destination);
                            foreach (var file in Directory.EnumerateFileSystemEntries(full, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                            {
                                var relative = Path.GetRelativePath(context, file).Replace('\\', '/');
                                if (ignore.IsIgnored(relative))
                                {
                                    continue;
                                }
                                var target = UnixPath.Combine(destination, Path.GetRelativePath(full, file).Replace('\\', '/'));
                                if (Directory.Exists(file))
                                {
                                    AddFolder(target);
                                }
                                else
                                {
                                    AddFolder(UnixPath.Parent(target));
                                    entries[target] = file;
                                }
                            }
                        }
                        else
                        {
                            var target = intoFolder || matches.Count > 1 ? UnixPath.Combine(destination, Path.GetFileName(full)) : destination;
                            AddFolder(UnixPath.Parent(target));
                            entries[target] = full;
                        }
                    }
                }
            }
        }
        if (problems.Count > 0)
        {
            throw new PipelineStageException("Build: " + string.Join("; ", problems) + ": build it first (a b.Run(...) command) or fix the COPY.", FailureKind.Failed);
        }

        var layerPath = Path.Combine(outputDirectory, "layer.tar.gz");
        using var diffIdHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var layerFile = File.Create(layerPath);
        await using (layerFile.ConfigureAwait(false))
        {
            var gzip = new GZipStream(layerFile, CompressionLevel.Optimal, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                var hashing = new HashingWriteStream(gzip, diffIdHash);
                await using (hashing.ConfigureAwait(false))
                {
                    // Ustar, not Pax: Pax headers carry atime/ctime, which would make every build's digest different.
                    var tar = new TarWriter(hashing, TarEntryFormat.Ustar, leaveOpen: true);
                    await using (tar.ConfigureAwait(false))
                    {
                        foreach (var (path, source) in entries)
                        {
                            if (source is null)
                            {
                                await tar.WriteEntryAsync(Entry(TarEntryType.Directory, path + "/", 0b111_101_101), cancellationToken).ConfigureAwait(false);
                                continue;
                            }
                            var executable = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(source) & UnixFileMode.UserExecute) != 0;
                            var entry = Entry(TarEntryType.RegularFile, path, executable ? 0b111_101_101 : 0b110_100_100);
                            var content = File.OpenRead(source);
                            await using (content.ConfigureAwait(false))
                            {
                                entry.DataStream = content;
                                await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }
                }
            }
        }
        string digest;
        var read = File.OpenRead(layerPath);
        await using (read.ConfigureAwait(false))
        {
            digest = await OciDigest.ComputeAsync(read, cancellationToken).ConfigureAwait(false);
        }
        var layer = new OciBlob(OciMediaTypes.LayerGzip, digest, new FileInfo(layerPath).Length, layerPath);
        return (layer, "sha256:" + Convert.ToHexStringLower(diffIdHash.GetHashAndReset()));
    }

    private static List<string> ResolveSources(string context, string source, IgnoreRules ignore)
    {
        var relative = UnixPath.Combine("", source);
        var full = Path.GetFullPath(Path.Combine(context, relative));
        if (!full.StartsWith(context, StringComparison.Ordinal))
        {
            return [];
        }
        var name = Path.GetFileName(relative);
        if (name.Contains('*', StringComparison.Ordinal) || name.Contains('?', StringComparison.Ordinal))
        {
            var folder = Path.Combine(context, UnixPath.Parent(relative));
            if (!Directory.Exists(folder))
            {
                return [];
            }
            var pattern = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(name).Replace(@"\*", "[^/]*", StringComparison.Ordinal).Replace(@"\?", "[^/]", StringComparison.Ordinal) + "$");
            return [.. Directory.EnumerateFileSystemEntries(folder)
                .Select(p => Path.GetRelativePath(context, p).Replace('\\', '/'))
                .Where(p => pattern.IsMatch(Path.GetFileName(p)) && !ignore.IsIgnored(p))
                .Order(StringComparer.Ordinal)];
        }
        if (relative.Length == 0)
        {
            return ["."];
        }
        return (File.Exists(full) || Directory.Exists(full)) && !ignore.IsIgnored(relative) ? [relative] : [];
    }

    private static UstarTarEntry Entry(TarEntryType type, string name, int mode) => new(type, name)
    {
        ModificationTime = EpochTime,
        Mode = (UnixFileMode)mode,
        Uid = 0,
        Gid = 0,
    };
}
