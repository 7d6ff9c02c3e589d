using System.Net;
using System.Text;
using System.Text.Json;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>
/// Answers HTTP requests to the simulated load balancers' DNS names while the service behind has a healthy running
/// task (else 503): the backend's routes (<see cref="SimulatedAws.Application"/>) and its target group's health check
/// path, and Ollama's <c>/</c> and <c>/api/tags</c>. Any other host does not resolve.
/// </summary>
public sealed class SimulatedHttpHandler(SimulatedAws aws) : HttpMessageHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var host = request.RequestUri!.Host;
        var loadBalancer = aws.Elbv2.All.FirstOrDefault(lb => lb.DNSName == host)
            ?? throw new HttpRequestException(HttpRequestError.NameResolutionError, $"Name or service not known ({host})");
        if (aws.Ecs.TestListenerService(host, request.RequestUri.Port) is { } testService)
        {
            return Task.FromResult(TestListener(request, testService));
        }
        var groups = aws.Elbv2.AllTargetGroups.Where(g => g.LoadBalancerArns.Contains(loadBalancer.LoadBalancerArn)).Select(g => g.TargetGroupArn).ToHashSet();
        var serving = aws.Ecs.AllTasks().Where(t => t.Group is { } g && g.StartsWith("service:", StringComparison.Ordinal)).Select(t => t.Group![8..]).Distinct(StringComparer.Ordinal)
            .FirstOrDefault(s => aws.Ecs.IsServing(s) && ServiceBehind(s, groups) is not null);
        var healthy = serving is not null;
        // The production listener: during a blue/green, linear or canary deployment its rule's weights decide which
        // revision answers; otherwise the service's primary revision does.
        var revision = serving is null ? null : aws.Ecs.ProductionRevision(serving) ?? ServiceBehind(serving, groups);
        var path = request.RequestUri.AbsolutePath;
        var isOllama = loadBalancer.LoadBalancerName.Contains("ollama", StringComparison.OrdinalIgnoreCase);
        HttpResponseMessage response;
        if (!healthy)
        {
            response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>") };
        }
        else if (isOllama && path == "/")
        {
            response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("Ollama is running") };
        }
        else if (isOllama && path == "/api/tags")
        {
            var models = aws.Ollama.Models.Select(m => new { name = m, model = m, size = 1321098329L }).ToList();
            response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(new { models }), Encoding.UTF8, "application/json") };
        }
        else if (!isOllama && (revision is null ? aws.Application.Route(path) : aws.Application.Route(path, revision)) is { } route)
        {
            response = new HttpResponseMessage(route.Status) { Content = new StringContent(route.Body, Encoding.UTF8, "application/json") };
        }
        else if (!isOllama && aws.Elbv2.AllTargetGroups.Any(g => groups.Contains(g.TargetGroupArn) && g.HealthCheckPath == path))
        {
            response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"status\":\"ok\"}", Encoding.UTF8, "application/json") };
        }
        else
        {
            response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("Not Found") };
        }
        if (revision is not null)
        {
            response.Headers.Add(RevisionHeader, revision[(revision.LastIndexOf('/') + 1)..]);
        }
        response.RequestMessage = request;
        return Task.FromResult(response);
    }

    /// <summary>The response header that names the revision (<c>family:revision</c>) whose task answered (for assertions).</summary>
    public const string RevisionHeader = "X-Simulated-Revision";

    /// <summary>A test listener: only the new revision of a native deployment answers, once test traffic moved to it.</summary>
    private HttpResponseMessage TestListener(HttpRequestMessage request, string serviceName)
    {
        var revision = aws.Ecs.TestTrafficRevision(serviceName);
        var path = request.RequestUri!.AbsolutePath;
        HttpResponseMessage response;
        if (revision is null || !aws.Ecs.IsServing(serviceName, revision))
        {
            response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>") };
        }
        else if (aws.Application.Route(path, revision) is { } route)
        {
            response = new HttpResponseMessage(route.Status) { Content = new StringContent(route.Body, Encoding.UTF8, "application/json") };
        }
        else if (aws.Elbv2.All.FirstOrDefault(lb => lb.DNSName == request.RequestUri.Host) is { } loadBalancer
            && aws.Elbv2.AllTargetGroups.Any(g => g.LoadBalancerArns.Contains(loadBalancer.LoadBalancerArn) && g.HealthCheckPath == path))
        {
            response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"status\":\"ok\"}", Encoding.UTF8, "application/json") };
        }
        else
        {
            response = new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("Not Found") };
        }
        if (revision is not null)
        {
            response.Headers.Add(RevisionHeader, revision[(revision.LastIndexOf('/') + 1)..]);
        }
        response.RequestMessage = request;
        return response;
    }

    /// <summary>The task definition the service runs when it is behind one of <paramref name="targetGroups"/>, else null.</summary>
    private string? ServiceBehind(string serviceName, HashSet<string> targetGroups)
    {
        foreach (var cluster in aws.Ecs.Clusters)
        {
            try
            {
                var service = aws.Ecs.Service(cluster, serviceName);
                if (service.LoadBalancers.Any(lb => lb.TargetGroupArn is not null && targetGroups.Contains(lb.TargetGroupArn)))
                {
                    return service.TaskDefinition;
                }
            }
            catch (AwsServiceException)
            {
                // Not in this cluster.
            }
        }
        return null;
    }
}
