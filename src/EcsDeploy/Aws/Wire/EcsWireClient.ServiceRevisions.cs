namespace EcsDeploy.Aws.Wire;

// DescribeServiceRevisions: what a revision named by a service deployment ran.
internal sealed partial class EcsWireClient
{
    /// <inheritdoc />
    public async Task<DescribeServiceRevisionsResponse> DescribeServiceRevisionsAsync(DescribeServiceRevisionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DescribeServiceRevisionsResponse>(Service, "DescribeServiceRevisions", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { ServiceRevisions = response.ServiceRevisions ?? [], Failures = response.Failures ?? [] };
    }
}
