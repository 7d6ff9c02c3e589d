using System.Text;
using System.Text.Json;

namespace EcsDeploy.Images.Builders;

/// <summary>One instruction of the supported subset, after variable substitution.</summary>
internal abstract record DockerStep(int Line, string Text);
internal sealed record WorkdirStep(int Line, string Text, string Path) : DockerStep(Line, Text);
internal sealed record CopyStep(int Line, string Text, IReadOnlyList<string> Sources, string Destination) : DockerStep(Line, Text);
internal sealed record EnvStep(int Line, string Text, IReadOnlyList<KeyValuePair<string, string>> Pairs) : DockerStep(Line, Text);
internal sealed record LabelStep(int Line, string Text, IReadOnlyList<KeyValuePair<string, string>> Pairs) : DockerStep(Line, Text);
internal sealed record ExposeStep(int Line, string Text, IReadOnlyList<string> Ports) : DockerStep(Line, Text);
internal sealed record CmdStep(int Line, string Text, IReadOnlyList<string> Command) : DockerStep(Line, Text);
internal sealed record EntrypointStep(int Line, string Text, IReadOnlyList<string> Command) : DockerStep(Line, Text);
internal sealed record UserStep(int Line, string Text, string User) : DockerStep(Line, Text);
internal sealed record StopSignalStep(int Line, string Text, string Signal) : DockerStep(Line, Text);

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

    /// <summary>Joins backslash continuations and drops comments; yields (first line number, text).</summary>
    private static IEnumerable<(int Line, string Text)> LogicalLines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var current = new StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('#'))
            {
                continue; // comments (and parser directives) may sit inside a continuation too
            }
            if (current.Length == 0)
            {
                if (trimmed.Length == 0)
                {
                    continue;
                }
                start = i + 1;
            }
            var end = line.TrimEnd();
            if (end.EndsWith('\\'))
            {
                current.Append(end[..^1]).Append(' ');
                continue;
            }
            current.Append(line);
            yield return (start, current.ToString());
            current.Clear();
        }
        if (current.Length > 0)
        {
            yield return (start, current.ToString());
        }
    }

    /// <summary>Splits on whitespace, honouring double and single quotes and backslash escapes.</summary>
    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else if (c == '\\' && quote == '"' && i + 1 < text.Length)
                {
                    word.Append(text[++i]);
                }
                else
                {
                    word.Append(c);
                }
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else
            {
                word.Append(c);
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    /// <summary>ENV/LABEL: <c>a=1 b="two words"</c>, or the legacy <c>NAME value with spaces</c>.</summary>
    private static List<KeyValuePair<string, string>>? Pairs(string rest, Dictionary<string, string> vars)
    {
        var words = Words(rest);
        if (words.Count == 0)
        {
            return null;
        }
        if (!words[0].Contains('=', StringComparison.Ordinal))
        {
            var space = rest.IndexOfAny([' ', '\t']);
            return space < 0 ? null : [new(words[0], Substitute(Unquote(rest[(space + 1)..].Trim()), vars))];
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var word in words)
        {
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return null;
            }
            pairs.Add(new(word[..eq], Substitute(word[(eq + 1)..], vars)));
        }
        return pairs;
    }

    private static string Unquote(string text) => text.Length >= 2 && text[0] == text[^1] && text[0] is '"' or '\'' ? text[1..^1] : text;

    private static List<string> CommandForm(string rest)
    {
        if (rest.StartsWith('['))
        {
            try
            {
                if (JsonSerializer.Deserialize<List<string>>(rest) is { } exec)
                {
                    return exec;
                }
            }
            catch (JsonException)
            {
                // not valid JSON: docker runs it in the shell form, and so do we
            }
        }
        return ["/bin/sh", "-c", rest];
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

    /// <summary>Replaces <c>$NAME</c>, <c>${NAME}</c> and <c>${NAME:-default}</c>; unknown names stay as written.</summary>
    internal static string Substitute(string text, IReadOnlyDictionary<string, string> vars)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 >= text.Length)
            {
                result.Append(text[i]);
                continue;
            }
            if (text[i + 1] == '{')
            {
                var close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    result.Append(text[i]);
                    continue;
                }
                var body = text[(i + 2)..close];
                var dash = body.IndexOf(":-", StringComparison.Ordinal);
                var name = dash < 0 ? body : body[..dash];
                result.Append(vars.TryGetValue(name, out var value) && (value.Length > 0 || dash < 0) ? value : dash >= 0 ? body[(dash + 2)..] : text[i..(close + 1)]);
                i = close;
                continue;
            }
            var j = i + 1;
            while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_'))
            {
                j++;
            }
            var plain = text[(i + 1)..j];
            result.Append(plain.Length > 0 && vars.TryGetValue(plain, out var v) ? v : text[i..j]);
            i = j - 1;
        }
        return result.ToString();
    }
}
