using System.Globalization;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>
/// GetLogEvents' paging as CloudWatch Logs answers it: a forward token points just past the last event of the page and a
/// backward token at its first, so a reader that passes the forward token back gets only what was logged since; at the
/// end of the stream the answer has no events and the same forward token.
/// </summary>
internal static class LogEventPages
{
    private const int DefaultLimit = 10000;

    /// <summary>The page of <paramref name="events"/> that <paramref name="request"/> asks for; null when its token is not one of ours.</summary>
    public static GetLogEventsResponse? Page(IReadOnlyList<OutputLogEvent> events, GetLogEventsRequest request)
    {
        var limit = Math.Clamp(request.Limit ?? DefaultLimit, 1, DefaultLimit);
        int start, end;
        if (request.NextToken is null)
        {
            (start, end) = request.StartFromHead ? (0, Math.Min(events.Count, limit)) : (Math.Max(0, events.Count - limit), events.Count);
        }
        else if (Parse(request.NextToken, events.Count) is { } token)
        {
            (start, end) = token.Forward
                ? (token.Index, Math.Min(events.Count, token.Index + limit))
                : (Math.Max(0, token.Index - limit), token.Index);
        }
        else
        {
            return null;
        }
        return new GetLogEventsResponse([.. events.Skip(start).Take(end - start)], Token('f', end), Token('b', start));
    }

    private static string Token(char direction, int index) => $"{direction}/{index.ToString("D56", CultureInfo.InvariantCulture)}";

    private static (bool Forward, int Index)? Parse(string token, int count)
        => token.Length > 2 && token[0] is 'f' or 'b' && token[1] == '/'
            && int.TryParse(token.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= count
            ? (token[0] == 'f', index)
            : null;
}
