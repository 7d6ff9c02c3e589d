using EcsDeploy.Aws;
using EcsDeploy.Reporting;
using EcsDeploy.Testing;

namespace EcsDeploy.Tests.Reporting;

/// <summary>How the values of a task's secrets are read from their references and registered in the masker.</summary>
public sealed class TaskSecretMaskingTests
{
    private static (SimulatedAws Aws, string JsonArn, string PemArn, string UrlArn) Secrets()
    {
        var aws = new SimulatedAws();
        var json = aws.SecretsManager.CreateSecret("app/google", "{\"private_key\":\"PrivKeyValue-1234\",\"client_email\":\"ci@truecaller.iam\",\"port\":54321}");
        var pem = aws.SecretsManager.CreateSecret("app/tls", "-----BEGIN KEY-----\r\nLineOneOfTheKey\r\nLineTwoOfTheKey\r\n-----END KEY-----");
        var url = aws.SecretsManager.CreateSecret("app/db", "postgresql://app:Pa%24%24word-99@db:5432/app");
        return (aws, json, pem, url);
    }

    private static ContainerDefinition Container(params EcsSecret[] secrets) => new() { Name = "app", Secrets = secrets };

    [Fact]
    public async Task JsonKeyReference_MasksTheKeysValue()
    {
        var (aws, jsonArn, _, _) = Secrets();
        var masker = new SecretMasker();

        var withheld = await TaskSecretMasking.RegisterAsync(masker, aws.SecretsManager, [Container(new EcsSecret("KEY", jsonArn + ":private_key::"))], CancellationToken.None);

        Assert.Null(withheld);
        Assert.Equal("key=*** email=*** port=***", masker.Apply("key=PrivKeyValue-1234 email=ci@truecaller.iam port=54321"));
    }

    [Fact]
    public async Task MultiLineValue_EveryLineIsMaskedOnItsOwn()
    {
        var (aws, _, pemArn, _) = Secrets();
        var masker = new SecretMasker();

        await TaskSecretMasking.RegisterAsync(masker, aws.SecretsManager, [Container(new EcsSecret("TLS_KEY", pemArn))], CancellationToken.None);

        Assert.Equal("***", masker.Apply("LineOneOfTheKey"));
        Assert.Equal("  ***", masker.Apply("  LineTwoOfTheKey"));
        Assert.Equal("***", masker.Apply("-----BEGIN KEY-----"));
    }

    [Fact]
    public async Task ConnectionUrl_ItsPasswordIsMaskedAloneAndDecoded()
    {
        var (aws, _, _, urlArn) = Secrets();
        var masker = new SecretMasker();

        await TaskSecretMasking.RegisterAsync(masker, aws.SecretsManager, [Container(new EcsSecret("DATABASE_URL", urlArn))], CancellationToken.None);

        Assert.Equal("url=*** password=*** raw=***", masker.Apply("url=postgresql://app:Pa%24%24word-99@db:5432/app password=Pa$$word-99 raw=Pa%24%24word-99"));
    }

    [Fact]
    public async Task SsmParameterOrPinnedVersion_IsNotReadAndTheTailIsWithheld()
    {
        var (aws, jsonArn, _, urlArn) = Secrets();
        var masker = new SecretMasker();

        var withheld = await TaskSecretMasking.RegisterAsync(masker, aws.SecretsManager,
            [Container(new EcsSecret("DATABASE_URL", urlArn), new EcsSecret("PARAM", "arn:aws:ssm:eu-central-1:123456789012:parameter/app/param"), new EcsSecret("OLD", jsonArn + ":private_key:AWSPREVIOUS:"))],
            CancellationToken.None);

        Assert.Equal(
            "(log tail withheld: the values of the task's secrets PARAM (an SSM parameter: its value is not read), OLD (a pinned version: only the current value is read) "
            + "could not be read to mask them, and a task may print what it was given. Allow secretsmanager:GetSecretValue on those secrets to the deploying role "
            + "(--print-iam-policy lists it) and reference Secrets Manager secrets by ARN to see the log tail.)",
            withheld);
        Assert.Equal("password=***", masker.Apply("password=Pa$$word-99"));
    }
}
