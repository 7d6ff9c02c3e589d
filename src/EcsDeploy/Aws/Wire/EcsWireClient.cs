using System.Text.Json;
using System.Text.Json.Nodes;

namespace EcsDeploy.Aws.Wire;

/// <summary>Amazon ECS over the JSON 1.1 protocol (target prefix <c>AmazonEC2ContainerServiceV20141113</c>).</summary>
/// <param name="transport">The shared HTTP core.</param>
internal sealed partial class EcsWireClient(AwsWireTransport transport) : IEcsApi
{
    private static readonly AwsWireService Service = AwsWireService.Ecs;
    private static readonly JsonSerializerOptions Json = AwsWireJson.CamelCase;

    /// <summary>Members of a described task definition that RegisterTaskDefinition does not take.</summary>
    internal static readonly IReadOnlyList<string> ReadOnlyTaskDefinitionMembers =
    [
        "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy",
        "deregisteredAt", "deleteRequestedAt",
    ];

    /// <inheritdoc />
    public async Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DescribeServicesResponse>(Service, "DescribeServices", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { Services = response.Services ?? [], Failures = response.Failures ?? [] };
    }

    /// <inheritdoc />
    public async Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new DescribeTaskDefinitionWire(request.TaskDefinition, request.IncludeTags ? ["TAGS"] : null);
        var response = await transport.JsonAsync<TaskDefinitionAnswer>(Service, "DescribeTaskDefinition", body, Json, cancellationToken).ConfigureAwait(false);
        return new DescribeTaskDefinitionResponse(Require(response.TaskDefinition, "DescribeTaskDefinition"), response.Tags ?? []);
    }

    /// <inheritdoc />
    public async Task<ListTaskDefinitionsResponse> ListTaskDefinitionsAsync(ListTaskDefinitionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<ListTaskDefinitionsResponse>(Service, "ListTaskDefinitions", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { TaskDefinitionArns = response.TaskDefinitionArns ?? [] };
    }

    /// <inheritdoc />
    public async Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = RegisterTaskDefinitionBody(request);
        var response = await transport.JsonAsync<TaskDefinitionAnswer>(Service, "RegisterTaskDefinition", body, Json, cancellationToken).ConfigureAwait(false);
        return new RegisterTaskDefinitionResponse(Require(response.TaskDefinition, "RegisterTaskDefinition"), response.Tags ?? []);
    }

    /// <inheritdoc />
    public async Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<ServiceAnswer>(Service, "UpdateService", request, Json, cancellationToken).ConfigureAwait(false);
        return new UpdateServiceResponse(Require(response.Service, "UpdateService"));
    }

    /// <inheritdoc />
    public async Task<RunTaskResponse> RunTaskAsync(RunTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<RunTaskResponse>(Service, "RunTask", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { Tasks = response.Tasks ?? [], Failures = response.Failures ?? [] };
    }

    /// <inheritdoc />
    public async Task<DescribeTasksResponse> DescribeTasksAsync(DescribeTasksRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DescribeTasksResponse>(Service, "DescribeTasks", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { Tasks = response.Tasks ?? [], Failures = response.Failures ?? [] };
    }

    /// <inheritdoc />
    public async Task<ListTasksResponse> ListTasksAsync(ListTasksRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<ListTasksResponse>(Service, "ListTasks", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { TaskArns = response.TaskArns ?? [] };
    }

    /// <inheritdoc />
    public async Task<StopTaskResponse> StopTaskAsync(StopTaskRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<TaskAnswer>(Service, "StopTask", request, Json, cancellationToken).ConfigureAwait(false);
        return new StopTaskResponse(Require(response.Task, "StopTask"));
    }

    /// <inheritdoc />
    public async Task<DeregisterTaskDefinitionResponse> DeregisterTaskDefinitionAsync(DeregisterTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DeregisterAnswer>(Service, "DeregisterTaskDefinition", request, Json, cancellationToken).ConfigureAwait(false);
        return new DeregisterTaskDefinitionResponse(Require(response.TaskDefinition, "DeregisterTaskDefinition"));
    }

    /// <inheritdoc />
    public async Task<DeleteTaskDefinitionsResponse> DeleteTaskDefinitionsAsync(DeleteTaskDefinitionsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await transport.JsonAsync<DeleteTaskDefinitionsResponse>(Service, "DeleteTaskDefinitions", request, Json, cancellationToken).ConfigureAwait(false);
        return response with { TaskDefinitions = response.TaskDefinitions ?? [], Failures = response.Failures ?? [] };
    }

    /// <inheritdoc />
    public Task<ContinueServiceDeploymentResponse> ContinueServiceDeploymentAsync(ContinueServiceDeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return transport.JsonAsync<ContinueServiceDeploymentResponse>(Service, "ContinueServiceDeployment", request, Json, cancellationToken);
    }

    /// <inheritdoc />
    public Task<StopServiceDeploymentResponse> StopServiceDeploymentAsync(StopServiceDeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return transport.JsonAsync<StopServiceDeploymentResponse>(Service, "StopServiceDeployment", request, Json, cancellationToken);
    }

    /// <summary>The RegisterTaskDefinition body: the definition's members without the read-only ones, plus tags.</summary>
    internal static JsonObject RegisterTaskDefinitionBody(RegisterTaskDefinitionRequest request)
    {
        var body = JsonSerializer.SerializeToNode(request.TaskDefinition, Json)!.AsObject();
        foreach (var name in ReadOnlyTaskDefinitionMembers)
        {
            body.Remove(name);
        }
        if (request.Tags is { Count: > 0 })
        {
            body["tags"] = JsonSerializer.SerializeToNode(request.Tags, Json);
        }
        return body;
    }

    private static T Require<T>(T? value, string operation) where T : class
        => value ?? throw new AwsServiceException(Service.Name, operation, "InvalidResponse", $"The answer has no {typeof(T).Name}.", 200);

    internal sealed record DescribeTaskDefinitionWire(string TaskDefinition, IReadOnlyList<string>? Include);

    internal sealed record TaskDefinitionAnswer(TaskDefinition? TaskDefinition, IReadOnlyList<EcsTag>? Tags);

    internal sealed record ServiceAnswer(EcsService? Service);

    internal sealed record TaskAnswer(EcsTask? Task);

    internal sealed record DeregisterAnswer(TaskDefinition? TaskDefinition);
}
