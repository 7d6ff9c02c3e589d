namespace EcsDeploy.Aws.Wire;

// The service-deployment operations (ECS API, 2025): a rollout by ARN, and the service's deployment history.
internal sealed partial class EcsWireClient
{
    /// <inheritdoc />
    public async Task<DescribeServiceDeploymentsResponse> DescribeServiceDeploymentsAsync(DescribeServiceDeploymentsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DescribeServiceDeploymentsResponse>(Service, "DescribeServiceDeployments", request, Json, cancellationToken).ConfigureAwait(false);
        return response with
        {
            ServiceDeployments = [.. (response.ServiceDeployments ?? []).Select(d => d with { SourceServiceRevisions = d.SourceServiceRevisions ?? [] })],
            Failures = response.Failures ?? [],
        };
    }

    /// <inheritdoc />
    public async Task<ListServiceDeploymentsResponse> ListServiceDeploymentsAsync(ListServiceDeploymentsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<ListServiceDeploymentsResponse>(Service, "ListServiceDeployments", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { ServiceDeployments = response.ServiceDeployments ?? [] };
    }
}
