namespace EcsDeploy.Images.Builders;

/// <summary>Paths inside an image: '/'-separated, relative to the root, without '.' or '..' parts.</summary>
internal static class UnixPath
{
    /// <summary>Joins <paramref name="path"/> onto <paramref name="folder"/> (an absolute <paramref name="path"/> replaces it) and normalises.</summary>
    public static string Combine(string folder, string path)
    {
        var parts = new List<string>();
        var all = path.StartsWith('/') ? path : folder + "/" + path;
        foreach (var part in all.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }
}
