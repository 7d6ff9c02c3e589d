using System.CommandLine;

namespace EcsDeploy.Hosting;

/// <summary>
/// The rule for a subcommand that takes a command to run (<c>run [OPTIONS] -- COMMAND...</c>), as <c>docker run</c> and
/// ecspresso have it: the script's options come first; the command begins at <c>--</c>, or at the first word that is
/// not one of the script's options or an option's value, and everything from there on is the command, words that look
/// like the script's options included (<c>run -- psql --target x</c> sends <c>--target x</c> to psql). So a line means
/// the same whether or not <c>dotnet run</c> kept the <c>--</c> (it drops the first one:
/// <c>dotnet run deploy.cs run -- echo hi</c> hands the script <c>run echo hi</c>).
/// </summary>
internal static class TrailingCommand
{
    private const string Separator = "--";

    /// <summary>
    /// <paramref name="args"/> with <c>--</c> put where the command of such a subcommand begins, so the parser takes
    /// nothing after it as an option; the arguments unchanged when no such subcommand is selected.
    /// </summary>
    public static IReadOnlyList<string> Separate(RootCommand root, IReadOnlyList<string> args)
    {
        var rootOptions = Names(root.Options);
        var index = 0;
        Command? selected = null;
        while (index < args.Count && selected is null)
        {
            var token = args[index];
            if (token == Separator)
            {
                return args;
            }
            selected = root.Subcommands.FirstOrDefault(c => c.Name == token || c.Aliases.Contains(token));
            index += selected is null ? Width(rootOptions, args, index) : 1;
        }
        if (selected is null || selected.Arguments.Count != 1 || selected.Arguments[0].Arity.MaximumNumberOfValues <= 1)
        {
            return args;
        }
        var options = Names(root.Options.Where(o => o.Recursive).Concat(selected.Options));
        while (index < args.Count)
        {
            var token = args[index];
            if (token == Separator)
            {
                return args;
            }
            if (token.StartsWith('-') && token.Length > 1)
            {
                // One of ours (with its value), or an unknown option the parser reports.
                index += Width(options, args, index);
                continue;
            }
            return [.. args.Take(index), Separator, .. args.Skip(index)];
        }
        return args;
    }

    /// <summary>The names of the script's options that the command <paramref name="words"/> of such a subcommand contains.</summary>
    public static IReadOnlyList<string> OptionsWithin(IEnumerable<Option> options, IEnumerable<string> words)
    {
        var names = Names(options);
        return [.. words.Select(w => w.Split('=', 2)[0]).Where(names.ContainsKey).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>How many tokens the option at <paramref name="index"/> takes: itself and its value, if it has one there.</summary>
    private static int Width(Dictionary<string, Option> options, IReadOnlyList<string> args, int index)
    {
        var token = args[index];
        if (token.Contains('=', StringComparison.Ordinal) || !options.TryGetValue(token, out var option) || option.Arity.MaximumNumberOfValues == 0)
        {
            return 1;
        }
        var hasNext = index + 1 < args.Count && args[index + 1] != Separator;
        if (option.ValueType == typeof(bool))
        {
            // A flag takes a value only when one is written: --dry-run true.
            return hasNext && bool.TryParse(args[index + 1], out _) ? 2 : 1;
        }
        return hasNext ? 2 : 1;
    }

    private static Dictionary<string, Option> Names(IEnumerable<Option> options)
    {
        var names = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            names.TryAdd(option.Name, option);
            foreach (var alias in option.Aliases)
            {
                names.TryAdd(alias, option);
            }
        }
        return names;
    }
}
