using System.Reflection;
using System.Text.Json;
using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Testing.Tests.Hosting;

/// <summary>
/// The local AWS host answers every operation of every AWS port (src/EcsDeploy/Aws/Ports.cs): an operation added to a
/// port and forgotten by the host fails here, before `--target aws` meets it against the host.
/// </summary>
public sealed class HostServesEveryPortOperationTests
{
    /// <summary>The AWS API ports and the wire service each speaks. The registry (OCI HTTP API) and Terraform are not AWS APIs.</summary>
    private static readonly IReadOnlyDictionary<Type, AwsWireService> Ports = new Dictionary<Type, AwsWireService>
    {
        [typeof(IEcsApi)] = AwsWireService.Ecs,
        [typeof(IEcrApi)] = AwsWireService.Ecr,
        [typeof(IElbv2Api)] = AwsWireService.Elbv2,
        [typeof(ISecretsManagerApi)] = AwsWireService.SecretsManager,
        [typeof(ICloudWatchLogsApi)] = AwsWireService.Logs,
        [typeof(IIamApi)] = AwsWireService.Iam,
        [typeof(IApplicationAutoScalingApi)] = AwsWireService.ApplicationAutoScaling,
        [typeof(ICloudWatchApi)] = AwsWireService.CloudWatch,
    };

    private static AwsWireTransport Transport(LocalAwsHost host)
        => new(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, new BasicAWSCredentials(host.AccessKeyId, host.SecretAccessKey), host.Region,
            name => host.EnvironmentVariables.GetValueOrDefault(name));

    [Fact]
    public void EveryAwsApiPortOfTheLibrary_IsListedHere()
    {
        var apiPorts = typeof(IEcsApi).Assembly.GetExportedTypes()
            .Where(t => t.IsInterface && t.Namespace == "EcsDeploy.Aws" && t.Name.StartsWith('I') && t.Name.EndsWith("Api", StringComparison.Ordinal))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        Assert.Equal(Ports.Keys.OrderBy(t => t.Name, StringComparer.Ordinal), apiPorts);
    }

    [Fact]
    public async Task EveryOperationOfEveryPort_IsAnsweredByTheHost_NotRefusedAsUnknown()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var transport = Transport(host);
        var operations = Ports
            .SelectMany(port => port.Key.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Select(method => (Service: port.Value, Operation: method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name)))
            .ToList();
        var unanswered = new List<string>();

        foreach (var (service, operation) in operations)
        {
            // An empty request: the host may refuse it as invalid (a missing member), never as an operation it does not know.
            try
            {
                if (service.Protocol == AwsWireProtocol.Query)
                {
                    await transport.QueryAsync(service, operation, [], CancellationToken.None);
                }
                else
                {
                    await transport.JsonAsync<JsonElement>(service, operation, new Dictionary<string, object>(), AwsWireJson.CamelCase, CancellationToken.None);
                }
            }
            catch (AwsServiceException e) when (e.ErrorCode is "UnknownOperationException" or "InvalidAction")
            {
                unanswered.Add($"{service.Name} {operation}: {e.ErrorCode} {e.Message}");
            }
            catch (AwsServiceException)
            {
                // Answered: refused for its (empty) content.
            }
        }

        Assert.Empty(unanswered);
        // 8 ECS, 10 ECR, 2 ELBv2, 2 Secrets Manager, 3 CloudWatch Logs operations today; the list cannot be empty.
        Assert.True(operations.Count >= 25, $"only {operations.Count} operations were found on the ports");
        Assert.Contains((AwsWireService.Logs, "DescribeLogGroups"), operations);
    }

    [Fact]
    public async Task LogRetention_ThroughTheWireClient_IsReadAndSetInTheSimulatedAws()
    {
        var aws = Seed.Truecaller();
        await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var logs = new CloudWatchLogsWireClient(Transport(host));

        var before = await logs.DescribeLogGroupsAsync(new DescribeLogGroupsRequest("/ecs/truecaller-backend"), CancellationToken.None);
        await logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest("/ecs/truecaller-backend", 30), CancellationToken.None);
        var after = await logs.DescribeLogGroupsAsync(new DescribeLogGroupsRequest("/ecs/truecaller-backend"), CancellationToken.None);
        var invalid = await Assert.ThrowsAsync<AwsServiceException>(() => logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest("/ecs/truecaller-backend", 31), CancellationToken.None));
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest("/ecs/nope", 30), CancellationToken.None));

        var group = Assert.Single(before.LogGroups, g => g.LogGroupName == "/ecs/truecaller-backend");
        Assert.Null(group.RetentionInDays);
        Assert.Equal("arn:aws:logs:eu-central-1:123456789012:log-group:/ecs/truecaller-backend:*", group.Arn);
        Assert.Equal(30, Assert.Single(after.LogGroups, g => g.LogGroupName == "/ecs/truecaller-backend").RetentionInDays);
        Assert.Equal(30, aws.Logs.RetentionInDays("/ecs/truecaller-backend"));
        Assert.Equal("InvalidParameterException", invalid.ErrorCode);
        Assert.Equal("ResourceNotFoundException", missing.ErrorCode);
    }
}
