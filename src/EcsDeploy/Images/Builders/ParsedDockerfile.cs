using System.Text.Json;
using static EcsDeploy.Images.Builders.DockerfileSyntax;

namespace EcsDeploy.Images.Builders;

/// <summary>A Dockerfile read for the daemonless builder: the base image and the steps it applies.</summary>
/// <param name="BaseImage">The FROM reference after ARG substitution; null for <c>scratch</c>.</param>
/// <param name="Platform">The FROM <c>--platform</c> value, if any.</param>
/// <param name="Steps">The supported instructions after FROM, in order.</param>
internal sealed record ParsedDockerfile(string? BaseImage, string? Platform, IReadOnlyList<DockerStep> Steps)
{
    public const string Remedy = "use buildah or docker (b.Builder(ImageBuilderKind.Buildah) or ImageBuilderKind.Docker)";

    /// <summary>
    /// Parses the subset the daemonless builder applies: FROM (one stage, optional AS, optional --platform), ARG,
    /// WORKDIR, COPY/ADD of local paths, ENV, EXPOSE, CMD, ENTRYPOINT, USER, LABEL, STOPSIGNAL. Every other instruction
    /// (RUN, multi-stage COPY --from, ...) is a problem naming its line. Problems are collected, not thrown.
    /// </summary>
    public static ParsedDockerfile Parse(string text, string fileName, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? baseImage = null, platform = null;
        var fromLine = 0;
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var steps = new List<DockerStep>();
        void Problem(int line, string message) => problems.Add($"{fileName} line {line}: {message}");

        foreach (var (line, raw) in LogicalLines(text))
        {
            var trimmed = raw.Trim();
            var space = trimmed.IndexOfAny([' ', '\t']);
            var instruction = (space < 0 ? trimmed : trimmed[..space]).ToUpperInvariant();
            var rest = space < 0 ? "" : trimmed[(space + 1)..].Trim();
            if (rest.Contains("<<", StringComparison.Ordinal) && instruction is "COPY" or "ADD" or "RUN")
            {
                Problem(line, $"heredocs are not supported by the daemonless builder: {Remedy}.");
                continue;
            }
            var vars = fromLine == 0 ? args : Merge(args, env);
            if (fromLine == 0 && instruction is not ("ARG" or "FROM"))
            {
                Problem(line, $"{instruction} before FROM: the Dockerfile must start with FROM (ARG may come first).");
                continue;
            }
            switch (instruction)
            {
                case "ARG":
                    foreach (var word in Words(rest))
                    {
                        var eq = word.IndexOf('=', StringComparison.Ordinal);
                        var name = eq < 0 ? word : word[..eq];
                        if (eq >= 0)
                        {
                            args[name] = Substitute(word[(eq + 1)..], vars);
                        }
                        else
                        {
                            args.TryAdd(name, "");
                        }
                    }
                    break;
                case "FROM":
                    if (fromLine != 0)
                    {
                        Problem(line, $"a second FROM (the first is at line {fromLine}): multi-stage builds are not supported by the daemonless builder: {Remedy}.");
                        break;
                    }
                    fromLine = line;
                    var words = Words(rest);
                    var position = 0;
                    for (; position < words.Count && words[position].StartsWith("--", StringComparison.Ordinal); position++)
                    {
                        if (words[position].StartsWith("--platform=", StringComparison.Ordinal))
                        {
                            platform = Substitute(words[position]["--platform=".Length..], args);
                        }
                        else
                        {
                            Problem(line, $"FROM option '{words[position]}' is not supported by the daemonless builder: {Remedy}.");
                        }
                    }
                    if (position >= words.Count)
                    {
                        Problem(line, "FROM names no image.");
                        break;
                    }
                    var image = Substitute(words[position], args);
                    if (image.Length == 0 || image.Contains('$', StringComparison.Ordinal))
                    {
                        Problem(line, $"FROM '{words[position]}' uses an ARG without a value: give the ARG a default.");
                    }
                    baseImage = image == "scratch" ? null : image;
                    var tail = words.Skip(position + 1).ToList();
                    if (tail.Count != 0 && !(tail.Count == 2 && tail[0].Equals("AS", StringComparison.OrdinalIgnoreCase)))
                    {
                        Problem(line, $"FROM has unexpected words '{string.Join(' ', tail)}' (expected: FROM image [AS name]).");
                    }
                    break;
                case "WORKDIR":
                    steps.Add(new WorkdirStep(line, trimmed, Substitute(Unquote(rest), vars)));
                    break;
                case "COPY":
                case "ADD":
                    ParseCopy(line, trimmed, instruction, rest, vars, steps, Problem);
                    break;
                case "ENV":
                    var pairs = Pairs(rest, vars);
                    if (pairs is null)
                    {
                        Problem(line, "ENV needs NAME=value (or NAME value).");
                        break;
                    }
                    foreach (var (k, v) in pairs)
                    {
                        env[k] = v;
                    }
                    steps.Add(new EnvStep(line, trimmed, pairs));
                    break;
                case "LABEL":
                    var labels = Pairs(rest, vars);
                    if (labels is null)
                    {
                        Problem(line, "LABEL needs key=value.");
                        break;
                    }
                    steps.Add(new LabelStep(line, trimmed, labels));
                    break;
                case "EXPOSE":
                    steps.Add(new ExposeStep(line, trimmed, [.. Words(rest).Select(p => Substitute(p, vars)).Select(p => p.Contains('/', StringComparison.Ordinal) ? p.ToLowerInvariant() : p + "/tcp")]));
                    break;
                case "CMD":
                    steps.Add(new CmdStep(line, trimmed, CommandForm(rest)));
                    break;
                case "ENTRYPOINT":
                    steps.Add(new EntrypointStep(line, trimmed, CommandForm(rest)));
                    break;
                case "USER":
                    steps.Add(new UserStep(line, trimmed, Substitute(rest, vars)));
                    break;
                case "STOPSIGNAL":
                    steps.Add(new StopSignalStep(line, trimmed, Substitute(rest, vars)));
                    break;
                case "RUN":
                    Problem(line, $"RUN is not supported by the daemonless builder (it runs no program): {Remedy}.");
                    break;
                default:
                    Problem(line, $"{instruction} is not supported by the daemonless builder: {Remedy}.");
                    break;
            }
        }
        if (fromLine == 0)
        {
            problems.Add($"{fileName}: no FROM instruction.");
        }
        return new ParsedDockerfile(baseImage, platform, steps);
    }

    private static void ParseCopy(int line, string text, string instruction, string rest, Dictionary<string, string> vars, List<DockerStep> steps, Action<int, string> problem)
    {
        var words = Words(rest);
        if (rest.StartsWith('['))
        {
            try
            {
                words = JsonSerializer.Deserialize<List<string>>(rest) ?? [];
            }
            catch (JsonException)
            {
                problem(line, $"{instruction} [..] is not a valid JSON array.");
                return;
            }
        }
        var flags = words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToList();
        foreach (var flag in flags)
        {
            problem(line, flag.StartsWith("--from", StringComparison.Ordinal)
                ? $"{instruction} {flag} copies from another stage or image: multi-stage builds are not supported by the daemonless builder: {ParsedDockerfile.Remedy}."
                : $"{instruction} option '{flag}' is not supported by the daemonless builder: {ParsedDockerfile.Remedy}.");
        }
        var paths = words.Skip(flags.Count).Select(w => Substitute(w, vars)).ToList();
        if (paths.Count < 2)
        {
            problem(line, $"{instruction} needs at least one source and a destination.");
            return;
        }
        var sources = paths[..^1];
        foreach (var source in sources)
        {
            if (source.Contains("://", StringComparison.Ordinal))
            {
                problem(line, $"{instruction} of a URL ('{source}') is not supported by the daemonless builder: download it in a build command, or {ParsedDockerfile.Remedy}.");
                return;
            }
            if (instruction == "ADD" && (source.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
                || source.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".tar.xz", StringComparison.OrdinalIgnoreCase) || source.EndsWith(".tar.bz2", StringComparison.OrdinalIgnoreCase)))
            {
                problem(line, $"ADD of the archive '{source}' would be unpacked by docker, which the daemonless builder does not do: use COPY of the unpacked files, or {ParsedDockerfile.Remedy}.");
                return;
            }
        }
        if (sources.Count > 1 && !paths[^1].EndsWith('/'))
        {
            problem(line, $"{instruction} with several sources needs a destination folder ending with '/' (got '{paths[^1]}').");
            return;
        }
        steps.Add(new CopyStep(line, text, sources, paths[^1]));
    }

    private static Dictionary<string, string> Merge(Dictionary<string, string> args, Dictionary<string, string> env)
    {
        var all = new Dictionary<string, string>(args, StringComparer.Ordinal);
        foreach (var (k, v) in env)
        {
            all[k] = v;
        }
        return all;
    }
}
