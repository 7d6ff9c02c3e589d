using System.Text.Json;

namespace EcsDeploy.Aws.Wire;

/// <summary>Application Auto Scaling over the JSON 1.1 protocol (target prefix <c>AnyScaleFrontendService</c>, PascalCase members).</summary>
/// <param name="transport">The shared HTTP core.</param>
internal sealed class ApplicationAutoScalingWireClient(AwsWireTransport transport) : IApplicationAutoScalingApi
{
    private static readonly AwsWireService Service = AwsWireService.ApplicationAutoScaling;
    private static readonly JsonSerializerOptions Json = AwsWireJson.PascalCase;

    /// <inheritdoc />
    public async Task<DescribeScalableTargetsResponse> DescribeScalableTargetsAsync(DescribeScalableTargetsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DescribeScalableTargetsResponse>(Service, "DescribeScalableTargets", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { ScalableTargets = response.ScalableTargets ?? [] };
    }

    /// <inheritdoc />
    public Task<RegisterScalableTargetResponse> RegisterScalableTargetAsync(RegisterScalableTargetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return transport.JsonAsync<RegisterScalableTargetResponse>(Service, "RegisterScalableTarget", request, Json, cancellationToken);
    }
}
