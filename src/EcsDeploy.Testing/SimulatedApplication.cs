using System.Net;

namespace EcsDeploy.Testing;

/// <summary>
/// What the backend application behind the simulated load balancer answers, path by path: its target group's
/// health check path, and the paths the pipeline's Verify stage checks (seeded from the definition) answer 200;
/// any other path answers 404. A test makes it answer otherwise with <see cref="Answer"/>.
/// </summary>
public sealed class SimulatedApplication
{
    private readonly Dictionary<string, (HttpStatusCode Status, string Body)> _routes = new(StringComparer.Ordinal);

    /// <summary>Makes GET <paramref name="path"/> answer <paramref name="status"/> with <paramref name="body"/> (while a task is serving).</summary>
    public void Answer(string path, HttpStatusCode status, string body = "{\"status\":\"ok\"}")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_routes) { _routes[path] = (status, body); }
    }

    /// <summary>The answer to GET <paramref name="path"/>, or null when the application has no such route (404).</summary>
    internal (HttpStatusCode Status, string Body)? Route(string path)
    {
        lock (_routes) { return _routes.TryGetValue(path, out var route) ? route : null; }
    }

    private readonly Dictionary<(string Revision, string Path), (HttpStatusCode Status, string Body)> _revisionRoutes = [];

    /// <summary>
    /// Makes GET <paramref name="path"/> answer <paramref name="status"/> on one revision only (<c>family:revision</c>, for
    /// example <c>truecaller-backend:2</c>): a release whose new code fails, seen on the test listener of a native deployment.
    /// </summary>
    public void AnswerOnRevision(string revision, string path, HttpStatusCode status, string body = "{\"status\":\"error\"}")
    {
        ArgumentException.ThrowIfNullOrEmpty(revision);
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_routes) { _revisionRoutes[(revision, path)] = (status, body); }
    }

    /// <summary>The answer of the revision <paramref name="taskDefinitionArn"/> to GET <paramref name="path"/>.</summary>
    internal (HttpStatusCode Status, string Body)? Route(string path, string taskDefinitionArn)
    {
        var revision = taskDefinitionArn[(taskDefinitionArn.LastIndexOf('/') + 1)..];
        lock (_routes) { return _revisionRoutes.TryGetValue((revision, path), out var route) ? route : Route(path); }
    }
}
