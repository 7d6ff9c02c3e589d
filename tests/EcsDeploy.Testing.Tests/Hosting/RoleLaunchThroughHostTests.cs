using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>A role ECS cannot assume, seen through the wire clients and the local AWS host: RunTask's ClientException and the service's launch event.</summary>
public sealed class RoleLaunchThroughHostTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";
    private const string Refusal = "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/truecaller-backend-execution' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.";

    [Fact]
    public async Task UntrustedExecutionRole_RunTaskIsAClientException_AndTheServicePostsFailedToLaunch()
    {
        var aws = Seed.Truecaller();
        aws.Faults.Arm("untrusted-execution-role");
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var environment = await AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = host.Region,
            TimeProvider = TimeProvider.System,
            Credentials = new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey),
            Environment = name => host.EnvironmentVariables.GetValueOrDefault(name),
        }, CancellationToken.None);
        var running = aws.Ecs.Service(Cluster, Service).TaskDefinition!;

        var refused = await Assert.ThrowsAsync<AwsServiceException>(() => environment.Ecs.RunTaskAsync(new RunTaskRequest { Cluster = Cluster, TaskDefinition = running }, CancellationToken.None));
        Assert.Equal("ClientException", refused.ErrorCode);
        Assert.Equal(Refusal, refused.ErrorMessage);
        Assert.Single(aws.CallsTo("RunTask"));

        await environment.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, ForceNewDeployment = true }, CancellationToken.None);
        var described = await environment.Ecs.DescribeServicesAsync(new DescribeServicesRequest(Cluster, [Service]), CancellationToken.None);
        Assert.Contains(described.Services[0].Events, e => e.Message == $"(service {Service}) failed to launch a task with (error {Refusal}).");
        Assert.True(described.Services[0].Deployments[0].FailedTasks > 0);
    }
}
