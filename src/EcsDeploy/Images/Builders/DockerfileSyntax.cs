using System.Text;
using System.Text.Json;

namespace EcsDeploy.Images.Builders;

/// <summary>
/// The lexical rules of a Dockerfile as the daemonless builder reads it: logical lines (continuations, comments),
/// words with quotes and escapes, KEY=VALUE pairs, the exec and shell forms of CMD/ENTRYPOINT, and variable substitution.
/// </summary>
internal static class DockerfileSyntax
{
    /// <summary>Joins backslash continuations and drops comments; yields (first line number, text).</summary>
    public static IEnumerable<(int Line, string Text)> LogicalLines(string text)
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
    public static List<string> Words(string text)
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
    public static List<KeyValuePair<string, string>>? Pairs(string rest, Dictionary<string, string> vars)
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

    public static string Unquote(string text) => text.Length >= 2 && text[0] == text[^1] && text[0] is '"' or '\'' ? text[1..^1] : text;

    public static List<string> CommandForm(string rest)
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

    /// <summary>Replaces <c>$NAME</c>, <c>${NAME}</c> and <c>${NAME:-default}</c>; unknown names stay as written.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> vars)
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
