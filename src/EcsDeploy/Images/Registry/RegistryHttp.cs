using System.Net;

namespace EcsDeploy.Images.Registry;

/// <summary>Small HTTP helpers of the registry client.</summary>
internal static class RegistryHttp
{
    public static bool IsSuccess(HttpStatusCode status, params HttpStatusCode[] expected) => Array.IndexOf(expected, status) >= 0;

    /// <summary>The next-page URL of an RFC 5988 <c>Link: &lt;url&gt;; rel="next"</c> header.</summary>
    public static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }
        foreach (var header in values)
        {
            foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var open = part.IndexOf('<', StringComparison.Ordinal);
                var close = part.IndexOf('>', StringComparison.Ordinal);
                if (open < 0 || close < open)
                {
                    continue;
                }
                var rest = part[(close + 1)..];
                if (rest.Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase) || rest.Contains("rel=next", StringComparison.OrdinalIgnoreCase))
                {
                    return part[(open + 1)..close];
                }
            }
        }
        return null;
    }

    /// <summary>The first value of a response header, trimmed; null when absent.</summary>
    public static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    /// <summary><c>/v2/REPOSITORY/REST</c> on the registry.</summary>
    public static Uri RepositoryUri(Uri baseUri, string repository, string rest) => new(baseUri, "/v2/" + repository + "/" + rest);

    /// <summary>Reads an answer's body, refusing one over <paramref name="limit"/> bytes; counts the bytes received.</summary>
    public static async Task<byte[]> ReadLimitedAsync(string operation, string? repository, HttpResponseMessage response, int limit, RegistryTransferCounters counters, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > limit)
        {
            throw new RegistryException(operation, "SIZE_INVALID", $"the registry answered with {declared} bytes, more than the {limit} accepted", (int)response.StatusCode, repository);
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var memory = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (memory.Length + read > limit)
                {
                    throw new RegistryException(operation, "SIZE_INVALID", $"the registry answered with more than the {limit} bytes accepted", (int)response.StatusCode, repository);
                }
                memory.Write(buffer, 0, read);
                counters.AddBytesReceived(read);
            }
            return memory.ToArray();
        }
    }
}
