using System.Text.Json;

namespace EcsDeploy.Aws.Wire;

/// <summary>AWS Secrets Manager over the JSON 1.1 protocol (target prefix <c>secretsmanager</c>, PascalCase members).</summary>
/// <param name="transport">The shared HTTP core.</param>
internal sealed class SecretsManagerWireClient(AwsWireTransport transport) : ISecretsManagerApi
{
    private static readonly AwsWireService Service = AwsWireService.SecretsManager;
    private static readonly JsonSerializerOptions Json = AwsWireJson.PascalCase;

    /// <inheritdoc />
    public Task<SecretDescription> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretId);
        return transport.JsonAsync<SecretDescription>(Service, "DescribeSecret", new SecretIdRequest(secretId), Json, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SecretValue> GetSecretValueAsync(string secretId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretId);
        return transport.JsonAsync<SecretValue>(Service, "GetSecretValue", new SecretIdRequest(secretId), Json, cancellationToken);
    }

    internal sealed record SecretIdRequest(string SecretId);
}
