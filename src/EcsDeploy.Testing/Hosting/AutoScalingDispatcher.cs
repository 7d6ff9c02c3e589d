using System.Text.Json;
using System.Text.Json.Nodes;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// Answers Application Auto Scaling's JSON 1.1 calls (target prefix <c>AnyScaleFrontendService</c>, PascalCase members)
/// from the simulated service, as the AWS CLI and EcsDeploy's wire client send them.
/// </summary>
internal static class AutoScalingDispatcher
{
    private static readonly JsonSerializerOptions Pascal = AwsWireJson.PascalCase;

    public static async Task<JsonNode> DispatchAsync(SimulatedApplicationAutoScaling autoScaling, string operation, JsonObject request, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "DescribeScalableTargets":
            {
                Require(request, "ServiceNamespace", operation);
                var describe = request.Deserialize<DescribeScalableTargetsRequest>(Pascal) ?? throw new JsonException("The body is not a DescribeScalableTargetsRequest.");
                var response = await autoScaling.DescribeScalableTargetsAsync(describe, cancellationToken).ConfigureAwait(false);
                return JsonSerializer.SerializeToNode(response, Pascal)!;
            }
            case "RegisterScalableTarget":
            {
                foreach (var member in new[] { "ServiceNamespace", "ResourceId", "ScalableDimension" })
                {
                    Require(request, member, operation);
                }
                var register = request.Deserialize<RegisterScalableTargetRequest>(Pascal) ?? throw new JsonException("The body is not a RegisterScalableTargetRequest.");
                var response = await autoScaling.RegisterScalableTargetAsync(register, cancellationToken).ConfigureAwait(false);
                return JsonSerializer.SerializeToNode(response, Pascal)!;
            }
            default:
                throw new AwsServiceException(AwsWireService.ApplicationAutoScaling.Name, operation, "UnknownOperationException", $"The operation {operation} is not supported by the local AWS host.", 400);
        }
    }

    private static void Require(JsonObject request, string member, string operation)
    {
        if (request[member] is not JsonValue value || !value.TryGetValue<string>(out _))
        {
            throw new AwsServiceException(AwsWireService.ApplicationAutoScaling.Name, operation, "ValidationException",
                $"1 validation error detected: Value null at '{char.ToLowerInvariant(member[0])}{member[1..]}' failed to satisfy constraint: Member must not be null", 400);
        }
    }
}
