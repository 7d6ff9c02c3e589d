using EcsDeploy.Rules;

namespace EcsDeploy.Deployments;

/// <summary>Runs d.TestTraffic(...)'s checks against the test listener, each retried until the deadline.</summary>
internal static class TestTrafficChecks
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    /// <summary>Null when every check passed, else the failing check and what it saw.</summary>
    public static async Task<string?> RunAsync(PipelineContext context, TestTrafficOptions options, string serviceName, CancellationToken cancellationToken)
    {
        var baseUrl = await BaseUrlAsync(context, options, serviceName, cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient(context.Aws.HttpHandler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = context.Time.GetUtcNow() + options.Within;
        var checks = options.Paths.Select(path => (Name: $"GET {baseUrl}{path}", Check: (Func<CancellationToken, Task<string?>>)(ct => GetAsync(http, baseUrl + path, ct))))
            .Concat(options.Checks.Select(c => (c.Name, Check: (Func<CancellationToken, Task<string?>>)(ct => c.Check(http, new Uri(baseUrl), ct)))));
        foreach (var (name, check) in checks)
        {
            var attempts = 0;
            while (true)
            {
                attempts++;
                var problem = await check(cancellationToken).ConfigureAwait(false);
                if (problem is null)
                {
                    context.Info($"test traffic: {name}: passed");
                    break;
                }
                if (context.Time.GetUtcNow() >= deadline)
                {
                    return $"{name} gave {problem} after {attempts} attempt(s) in {DeployRules.Describe(options.Within)}";
                }
                context.Verbose($"test traffic: {name}: {problem}; retrying");
                await Clock.DelayAsync(context.Time, Retry, cancellationToken).ConfigureAwait(false);
            }
        }
        return null;
    }

    private static async Task<string?> GetAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timed out after 10 s";
        }
    }

    /// <summary>t.BaseUrl(...), else the service's load balancer on the test listener's port.</summary>
    private static async Task<string> BaseUrlAsync(PipelineContext context, TestTrafficOptions options, string serviceName, CancellationToken cancellationToken)
    {
        if (options.Url is { } url)
        {
            return url.TrimEnd('/');
        }
        var service = (await context.TaskDefinitions.DescribeServiceAsync(serviceName, cancellationToken).ConfigureAwait(false)).Service;
        var targetGroupArn = service.LoadBalancers.FirstOrDefault(lb => lb.TargetGroupArn is not null)?.TargetGroupArn
            ?? throw new PipelineStageException($"Test traffic: service '{serviceName}' has no load balancer: give t.BaseUrl(...).", FailureKind.NeedsAttention);
        var groups = await context.Aws.Elbv2.DescribeTargetGroupsAsync([targetGroupArn], null, cancellationToken).ConfigureAwait(false);
        var loadBalancerArn = groups.TargetGroups.FirstOrDefault()?.LoadBalancerArns.FirstOrDefault()
            ?? throw new PipelineStageException($"Test traffic: target group {targetGroupArn} is attached to no load balancer: give t.BaseUrl(...).", FailureKind.NeedsAttention);
        var balancers = await context.Aws.Elbv2.DescribeLoadBalancersAsync(null, [loadBalancerArn], null, cancellationToken).ConfigureAwait(false);
        return $"http://{balancers.LoadBalancers.Single().DNSName}:{options.ListenerPort}";
    }
}
