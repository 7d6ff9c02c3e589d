using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>IAM's GetRole through the wire client and the local AWS host: signed for us-east-1, policies URL-encoded on the wire.</summary>
public sealed class IamThroughHostTests
{
    private static AwsWireTransport Transport(LocalAwsHost host, string? region = null)
        => new(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey), region ?? host.Region,
            name => host.EnvironmentVariables.GetValueOrDefault(name));

    [Fact]
    public async Task GetRole_ReadsTheSeededRolesTrust_ABrokenTrust_AndAMissingRole()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var iam = new IamWireClient(Transport(host));

        var role = await iam.GetRoleAsync("truecaller-backend-execution", CancellationToken.None);
        Assert.Equal($"arn:aws:iam::{aws.AccountId}:role/truecaller-backend-execution", role.Arn);
        Assert.Equal(SimulatedIam.EcsTasksTrustPolicy, role.AssumeRolePolicyDocument);

        aws.Faults.Arm("untrusted-execution-role");
        var broken = await iam.GetRoleAsync("truecaller-backend-execution", CancellationToken.None);
        Assert.False(IamTrustPolicy.Trusts(broken.AssumeRolePolicyDocument, IamTrustPolicy.EcsTasksPrincipal));
        Assert.True(IamTrustPolicy.Trusts((await iam.GetRoleAsync("truecaller-backend-task", CancellationToken.None)).AssumeRolePolicyDocument, IamTrustPolicy.EcsTasksPrincipal));

        aws.Iam.DeleteRole("truecaller-backend-task");
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => iam.GetRoleAsync("truecaller-backend-task", CancellationToken.None));
        Assert.Equal("NoSuchEntity", missing.ErrorCode);
        Assert.Equal(404, missing.StatusCode);
        Assert.Contains("truecaller-backend-task", missing.Message);
    }

    [Fact]
    public async Task WireEnvironment_OnTheHost_HasIam_ThroughTheRetryPolicy()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var environment = await AwsWireEnvironment.CreateAsync(new AwsWireOptions
        {
            Region = host.Region,
            TimeProvider = TimeProvider.System,
            Credentials = new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey),
            Environment = name => host.EnvironmentVariables.GetValueOrDefault(name),
        }, CancellationToken.None);

        Assert.NotNull(environment.Iam);
        var role = await environment.Iam.GetRoleAsync("truecaller-backend-ollama-execution", CancellationToken.None);
        Assert.Equal("truecaller-backend-ollama-execution", role.RoleName);
        Assert.Single(aws.CallsTo("GetRole"));
    }
}
