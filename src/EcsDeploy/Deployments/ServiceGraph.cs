using EcsDeploy.Rules;

namespace EcsDeploy.Deployments;

/// <summary>
/// The services a deployment depends on, as a graph: the deployed service depends on the services named with
/// <c>d.DependsOn(...)</c> (and on the Ollama service when the pipeline has <c>.WithOllama(...)</c>), and each of
/// those may depend on others (<c>d.Dependency(service, dependsOn...)</c>). With <c>--deploy-dependencies</c> the
/// dependencies are deployed first, each one after everything it depends on, and the run stops before the main
/// service is touched if one of them fails.
/// </summary>
internal sealed class ServiceGraph
{
    private readonly Dictionary<string, List<string>> _edges = new(StringComparer.Ordinal);

    public ServiceGraph(string root) => Root = root;

    /// <summary>The service the Deploy stage deploys.</summary>
    public string Root { get; }

    public void AddEdge(string from, string to)
    {
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = [];
        }
        if (!targets.Contains(to, StringComparer.Ordinal))
        {
            targets.Add(to);
        }
    }

    /// <summary>Every service the root depends on, directly or not.</summary>
    public IReadOnlyList<string> Dependencies => DeploymentOrder();

    /// <summary>Problems: invalid names and cycles (named with their path).</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var name in _edges.Keys.Concat(_edges.Values.SelectMany(v => v)).Distinct(StringComparer.Ordinal))
        {
            if (AwsNamingRules.Check(AwsNameKind.Service, name) is { } problem)
            {
                yield return "Deploy dependency: " + problem;
            }
        }
        if (FindCycle() is { } cycle)
        {
            yield return $"Deploy: the service dependencies form a cycle ({string.Join(" -> ", cycle)}): a service cannot be deployed after itself; remove one of these DependsOn/Dependency edges.";
        }
    }

    /// <summary>The dependencies in the order to deploy them: each after everything it depends on; the root excluded.</summary>
    public IReadOnlyList<string> DeploymentOrder()
    {
        var order = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string node)
        {
            if (!visited.Add(node))
            {
                return;
            }
            foreach (var next in _edges.GetValueOrDefault(node) ?? [])
            {
                Visit(next);
            }
            order.Add(node);
        }
        Visit(Root);
        order.Remove(Root);
        return order;
    }

    /// <summary>Renders the graph for the plan, for example <c>backend -> worker -> vector-db</c>.</summary>
    public string Describe() => string.Join("; ", _edges.Select(e => $"{e.Key} depends on {string.Join(", ", e.Value)}"));

    private List<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();
        List<string>? Walk(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in _edges.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }
                if (state.GetValueOrDefault(next) == 0 && Walk(next) is { } found)
                {
                    return found;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in _edges.Keys.ToList())
        {
            if (state.GetValueOrDefault(node) == 0 && Walk(node) is { } cycle)
            {
                return cycle;
            }
        }
        return null;
    }
}
