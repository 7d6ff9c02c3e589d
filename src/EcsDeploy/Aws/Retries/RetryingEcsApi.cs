namespace EcsDeploy.Aws.Retries;

/// <summary>
/// <see cref="IEcsApi"/> with every operation sent through the environment's <see cref="AwsRetryPolicy"/>.
/// To add an operation: one line that names it as the API does and says whether a blind re-send is safe
/// (<c>idempotent: false</c> for the operations marked <see cref="NotIdempotentAttribute"/> on the port).
/// </summary>
internal sealed class RetryingEcsApi(IEcsApi inner, AwsRetryPolicy policy) : IEcsApi
{
    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeServices", idempotent: true, ct => inner.DescribeServicesAsync(request, ct), cancellationToken);

    public Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeTaskDefinition", idempotent: true, ct => inner.DescribeTaskDefinitionAsync(request, ct), cancellationToken);

    public Task<ListTaskDefinitionsResponse> ListTaskDefinitionsAsync(ListTaskDefinitionsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("ListTaskDefinitions", idempotent: true, ct => inner.ListTaskDefinitionsAsync(request, ct), cancellationToken);

    public Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("RegisterTaskDefinition", idempotent: false, ct => inner.RegisterTaskDefinitionAsync(request, ct), cancellationToken);

    public Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("UpdateService", idempotent: true, ct => inner.UpdateServiceAsync(request, ct), cancellationToken);

    // ECS starts a task once per ClientToken: with one, a re-send returns the same task; without, it would start another.
    public Task<RunTaskResponse> RunTaskAsync(RunTaskRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("RunTask", idempotent: request.ClientToken is not null, ct => inner.RunTaskAsync(request, ct), cancellationToken);

    public Task<DescribeTasksResponse> DescribeTasksAsync(DescribeTasksRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeTasks", idempotent: true, ct => inner.DescribeTasksAsync(request, ct), cancellationToken);

    public Task<ListTasksResponse> ListTasksAsync(ListTasksRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("ListTasks", idempotent: true, ct => inner.ListTasksAsync(request, ct), cancellationToken);

    public Task TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("TagResource", idempotent: true, ct => inner.TagResourceAsync(request, ct), cancellationToken);

    public Task UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("UntagResource", idempotent: true, ct => inner.UntagResourceAsync(request, ct), cancellationToken);

    public Task<StopTaskResponse> StopTaskAsync(StopTaskRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("StopTask", idempotent: true, ct => inner.StopTaskAsync(request, ct), cancellationToken);

    public Task<DeregisterTaskDefinitionResponse> DeregisterTaskDefinitionAsync(DeregisterTaskDefinitionRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DeregisterTaskDefinition", idempotent: true, ct => inner.DeregisterTaskDefinitionAsync(request, ct), cancellationToken);

    public Task<DeleteTaskDefinitionsResponse> DeleteTaskDefinitionsAsync(DeleteTaskDefinitionsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DeleteTaskDefinitions", idempotent: true, ct => inner.DeleteTaskDefinitionsAsync(request, ct), cancellationToken);

    public Task<DescribeServiceDeploymentsResponse> DescribeServiceDeploymentsAsync(DescribeServiceDeploymentsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeServiceDeployments", idempotent: true, ct => inner.DescribeServiceDeploymentsAsync(request, ct), cancellationToken);

    public Task<ListServiceDeploymentsResponse> ListServiceDeploymentsAsync(ListServiceDeploymentsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("ListServiceDeployments", idempotent: true, ct => inner.ListServiceDeploymentsAsync(request, ct), cancellationToken);

    public Task<ContinueServiceDeploymentResponse> ContinueServiceDeploymentAsync(ContinueServiceDeploymentRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("ContinueServiceDeployment", idempotent: false, ct => inner.ContinueServiceDeploymentAsync(request, ct), cancellationToken);

    public Task<StopServiceDeploymentResponse> StopServiceDeploymentAsync(StopServiceDeploymentRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("StopServiceDeployment", idempotent: false, ct => inner.StopServiceDeploymentAsync(request, ct), cancellationToken);

    public Task<DescribeServiceRevisionsResponse> DescribeServiceRevisionsAsync(DescribeServiceRevisionsRequest request, CancellationToken cancellationToken)
        => policy.ExecuteAsync("DescribeServiceRevisions", idempotent: true, ct => inner.DescribeServiceRevisionsAsync(request, ct), cancellationToken);
}
