using System.Net.Http.Headers;

namespace EcsDeploy.Images.Registry;

/// <summary>The WWW-Authenticate challenge of a registry: scheme and parameters (realm, service, scope).</summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses <c>Bearer realm="...",service="...",scope="repository:a:pull,push"</c> (quoted values may hold commas).</summary>
    public static AuthChallenge? Parse(HttpResponseMessage response)
    {
        var header = response.Headers.WwwAuthenticate;
        AuthChallenge? basic = null;
        foreach (var value in header)
        {
            var challenge = new AuthChallenge(value.Scheme, ParseParameters(value.Parameter));
            if (string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return challenge;
            }
            if (string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
            {
                basic = challenge;
            }
        }
        return basic;
    }

    internal static Dictionary<string, string> ParseParameters(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(text))
        {
            return result;
        }
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }
            var nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',')
            {
                i++;
            }
            var name = text[nameStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                continue;
            }
            i++;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                i++;
                var sb = new System.Text.StringBuilder();
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }
                    sb.Append(text[i]);
                    i++;
                }
                i++;
                value = sb.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',')
                {
                    i++;
                }
                value = text[valueStart..i].Trim();
            }
            if (name.Length > 0)
            {
                result[name] = value;
            }
        }
        return result;
    }
}
