using System.Globalization;
using System.Text;

namespace EcsDeploy.Testing.Reads;

/// <summary>
/// The opaque page tokens of the simulated list operations: base64 of the operation and the offset of the next item, so
/// a token from one operation is refused by another, as AWS refuses a token it did not give.
/// </summary>
internal static class PageTokens
{
    /// <summary>One page of <paramref name="all"/> from the offset <paramref name="token"/> holds, and the next page's token (null on the last).</summary>
    /// <exception cref="FormatException">The token is not one this operation gave.</exception>
    public static (List<T> Page, string? Next) Page<T>(IReadOnlyList<T> all, string operation, string? token, int size)
    {
        var start = token is null ? 0 : Start(operation, token);
        var next = start + size < all.Count ? Encode(operation, start + size) : null;
        return ([.. all.Skip(start).Take(size)], next);
    }

    private static string Encode(string operation, int offset)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{operation}:{offset.ToString(CultureInfo.InvariantCulture)}"));

    private static int Start(string operation, string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var prefix = operation + ":";
            if (text.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            {
                return start;
            }
        }
        catch (FormatException)
        {
            // Not base64: refused below.
        }
        throw new FormatException($"Invalid nextToken for {operation}: pass the token of the previous answer unchanged.");
    }
}
