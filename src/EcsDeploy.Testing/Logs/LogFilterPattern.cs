namespace EcsDeploy.Testing.Logs;

/// <summary>
/// The part of CloudWatch Logs' filter pattern syntax the simulated FilterLogEvents understands: terms (every one must
/// occur, case-sensitive), quoted phrases (<c>"connection refused"</c>), terms that must not occur (<c>-healthcheck</c>)
/// and alternatives (<c>?ERROR ?WARN</c>: at least one). JSON (<c>{ $.level = "error" }</c>), space-delimited
/// (<c>[ip, user, ...]</c>) and regular-expression (<c>%...%</c>) patterns are refused, naming what is supported.
/// </summary>
internal sealed class LogFilterPattern
{
    private readonly List<string> _required = [];
    private readonly List<string> _excluded = [];
    private readonly List<string> _anyOf = [];

    private LogFilterPattern()
    {
    }

    /// <summary>Parses a pattern; null or blank matches every event.</summary>
    /// <exception cref="FormatException">The pattern uses syntax the simulation does not support.</exception>
    public static LogFilterPattern Parse(string? pattern)
    {
        var parsed = new LogFilterPattern();
        var text = pattern?.Trim() ?? "";
        if (text.Length > 0 && text[0] is '{' or '[' or '%')
        {
            throw new FormatException($"The filter pattern '{text}' is not supported by the local AWS host: it understands terms (ERROR), quoted phrases (\"connection refused\"), -term and ?term; JSON ({{...}}), space-delimited ([...]) and regular-expression (%...%) patterns are not simulated.");
        }
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            var prefix = text[i] is '-' or '?' ? text[i] : '\0';
            if (prefix != '\0')
            {
                i++;
            }
            string term;
            if (i < text.Length && text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw new FormatException($"The filter pattern '{text}' has a quoted phrase without its closing quote.");
                }
                term = text[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = i;
                while (end < text.Length && !char.IsWhiteSpace(text[end]))
                {
                    end++;
                }
                term = text[i..end];
                i = end;
            }
            if (term.Length == 0)
            {
                continue;
            }
            (prefix switch { '-' => parsed._excluded, '?' => parsed._anyOf, _ => parsed._required }).Add(term);
        }
        return parsed;
    }

    /// <summary>Whether an event's message matches.</summary>
    public bool Matches(string message)
        => _required.All(t => message.Contains(t, StringComparison.Ordinal))
            && !_excluded.Any(t => message.Contains(t, StringComparison.Ordinal))
            && (_anyOf.Count == 0 || _anyOf.Any(t => message.Contains(t, StringComparison.Ordinal)));
}
