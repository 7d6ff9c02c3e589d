using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

// The operations that act on a running service deployment of a native strategy (BLUE_GREEN, LINEAR, CANARY).
public sealed partial class SimulatedEcs
{
    /// <summary>ContinueServiceDeployment: resumes a deployment paused at a PAUSE hook, or rolls it back.</summary>
    public Task<ContinueServiceDeploymentResponse> ContinueServiceDeploymentAsync(ContinueServiceDeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "ContinueServiceDeployment");
        lock (_aws.Gate)
        {
            _world.Advance();
            throw NotFound("ContinueServiceDeployment", request.ServiceDeploymentArn);
        }
    }

    /// <summary>StopServiceDeployment: rolls a deployment in progress back to the revision it replaces.</summary>
    public Task<StopServiceDeploymentResponse> StopServiceDeploymentAsync(StopServiceDeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter("ECS", "StopServiceDeployment");
        lock (_aws.Gate)
        {
            _world.Advance();
            throw NotFound("StopServiceDeployment", request.ServiceDeploymentArn);
        }
    }

    private AwsServiceException NotFound(string operation, string arn)
        => new("ECS", operation, "ServiceDeploymentNotFoundException", $"The service deployment {arn} does not exist.", 400, _aws.NewRequestId());
}
