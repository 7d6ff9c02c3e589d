using System.Text.Json;
using System.Text.Json.Nodes;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// Answers CloudWatch's JSON 1.0 calls (target prefix <c>GraniteServiceVersion20100801</c>, PascalCase members) from the
/// simulated CloudWatch, as the AWS CLI v1 and EcsDeploy's wire client send them: DescribeAlarms and SetAlarmState.
/// </summary>
internal static class CloudWatchDispatcher
{
    private static readonly JsonSerializerOptions Pascal = AwsWireJson.PascalCase;

    public static async Task<JsonNode> DispatchAsync(SimulatedCloudWatch cloudWatch, string operation, JsonObject request, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "DescribeAlarms":
            {
                foreach (var unsupported in new[] { "AlarmNamePrefix", "StateValue", "ActionPrefix", "ChildrenOfAlarmName", "ParentsOfAlarmName" })
                {
                    if (request.ContainsKey(unsupported))
                    {
                        throw new AwsServiceException(AwsWireService.CloudWatch.Name, operation, "InvalidParameterCombination",
                            $"The local AWS host reads alarms by AlarmNames (and AlarmTypes, MaxRecords, NextToken) only, not by {unsupported}.", 400);
                    }
                }
                var describe = request.Deserialize<DescribeAlarmsRequest>(Pascal) ?? new DescribeAlarmsRequest();
                var response = await cloudWatch.DescribeAlarmsAsync(describe, cancellationToken).ConfigureAwait(false);
                return JsonSerializer.SerializeToNode(response, Pascal)!;
            }
            case "SetAlarmState":
            {
                var name = Required(request, "AlarmName", operation);
                var state = Required(request, "StateValue", operation);
                var reason = Required(request, "StateReason", operation);
                await cloudWatch.SetAlarmStateAsync(name, state, reason, cancellationToken).ConfigureAwait(false);
                return new JsonObject();
            }
            default:
                throw new AwsServiceException(AwsWireService.CloudWatch.Name, operation, "UnknownOperationException", $"The operation {operation} is not supported by the local AWS host (CloudWatch: DescribeAlarms, SetAlarmState).", 400);
        }
    }

    private static string Required(JsonObject request, string member, string operation)
        => request[member] is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new AwsServiceException(AwsWireService.CloudWatch.Name, operation, "ValidationError",
                $"1 validation error detected: Value null at '{char.ToLowerInvariant(member[0])}{member[1..]}' failed to satisfy constraint: Member must not be null", 400);
}
