using System.Globalization;
using Spectre.Console;

namespace EcsDeploy.Terminal;

/// <summary>
/// How the terminal view writes things: glyphs (Unicode, or ASCII when the console has no Unicode), Spectre markup
/// escaping, colours of diff lines and rollout states, truncation and durations.
/// </summary>
/// <param name="unicode">Whether the console can show Unicode glyphs.</param>
internal sealed class TerminalStyle(bool unicode)
{
    private static readonly string[] UnicodeSpinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private static readonly string[] AsciiSpinner = ["|", "/", "-", "\\"];

    /// <summary>The spinner frame to show after <paramref name="elapsed"/>.</summary>
    public string Spinner(TimeSpan elapsed)
    {
        var frames = unicode ? UnicodeSpinner : AsciiSpinner;
        return frames[(int)((long)elapsed.TotalMilliseconds / 80 % frames.Length)];
    }

    /// <summary>The Unicode glyph, or its ASCII stand-in.</summary>
    public string Glyph(string unicodeGlyph, string ascii) => unicode ? unicodeGlyph : ascii;

    /// <summary>Escapes Spectre markup.</summary>
    public static string Esc(string text) => Markup.Escape(text);

    /// <summary>One line of at most <paramref name="length"/> characters.</summary>
    public static string Truncate(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : string.Concat(line.AsSpan(0, length - 1), "…");
    }

    /// <summary>A duration as the plain reporter writes it: <c>350 ms</c>, <c>4.2 s</c>, <c>3 min 12 s</c>.</summary>
    public static string Format(TimeSpan duration) => duration.TotalSeconds < 1
        ? $"{duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms"
        : duration.TotalMinutes < 1
            ? $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
            : $"{((int)duration.TotalMinutes).ToString(CultureInfo.InvariantCulture)} min {duration.Seconds.ToString(CultureInfo.InvariantCulture)} s";

    /// <summary>A diff line in its colour: <c>+</c> added (green), <c>-</c> removed (red), <c>~</c> changed (yellow).</summary>
    public static string DiffLine(string line) => line switch
    {
        _ when line.StartsWith('+') => $"[green]{Esc(line)}[/]",
        _ when line.StartsWith('-') => $"[red]{Esc(line)}[/]",
        _ when line.StartsWith('~') => $"[yellow]{Esc(line)}[/]",
        _ => Esc(line),
    };

    /// <summary>A rollout state in its colour.</summary>
    public static string RolloutState(string? state) => state switch
    {
        "COMPLETED" => "[green]COMPLETED[/]",
        "FAILED" => "[red]FAILED[/]",
        null => "[grey]-[/]",
        _ => $"[yellow]{Esc(state)}[/]",
    };
}
