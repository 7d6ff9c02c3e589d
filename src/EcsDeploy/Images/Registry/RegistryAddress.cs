namespace EcsDeploy.Images.Registry;

/// <summary>Reads the registry argument of <see cref="OciRegistryClient"/>.</summary>
internal static class RegistryAddress
{
    /// <summary>
    /// The base address of <paramref name="registry"/>: a host or a scheme and host; plain http only for loopback hosts
    /// (a loopback host without scheme uses http, any other host https).
    /// </summary>
    public static Uri Parse(string registry)
    {
        var text = registry.Trim().TrimEnd('/');
        Uri? uri;
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out uri))
            {
                throw new ArgumentException($"'{registry}' is not a registry host or URL.", nameof(registry));
            }
        }
        else
        {
            if (!Uri.TryCreate("https://" + text, UriKind.Absolute, out uri))
            {
                throw new ArgumentException($"'{registry}' is not a registry host or URL.", nameof(registry));
            }
            if (uri.IsLoopback)
            {
                uri = new Uri("http://" + text);
            }
        }
        if (uri.AbsolutePath is not ("/" or "") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ArgumentException($"'{registry}' must be a host or a scheme and host, without path, query or user.", nameof(registry));
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            throw new ArgumentException($"Plain http is only allowed for loopback registries; use https://{uri.Authority}.", nameof(registry));
        }
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"'{registry}' must use https (or http on a loopback host).", nameof(registry));
        }
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }
}
