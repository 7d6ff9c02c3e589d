using System.Reflection;
using EcsDeploy.Aws;

namespace EcsDeploy.Checks;

/// <summary>
/// The environment a pipeline of AWS-free stages (PR checks) runs in: every AWS port, the registry and the HTTP
/// handler refuse with a clear message, so a stage that wrongly calls AWS fails loudly instead of reaching an account.
/// </summary>
public static class NoAwsEnvironment
{
    /// <summary>The description in results.</summary>
    public const string Description = "no AWS (checks only)";

    /// <summary>Creates the environment.</summary>
    public static AwsEnvironment Create(TimeProvider? timeProvider = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        return new AwsEnvironment
        {
            Region = "",
            Ecs = Refusing<IEcsApi>(),
            Ecr = Refusing<IEcrApi>(),
            Elbv2 = Refusing<IElbv2Api>(),
            SecretsManager = Refusing<ISecretsManagerApi>(),
            Logs = Refusing<ICloudWatchLogsApi>(),
            OpenRegistryAsync = _ => Task.FromException<IImageRegistry>(Refusal("the image registry")),
            Terraform = null,
            HttpHandler = new RefusingHandler(),
            TimeProvider = time,
            RetryPolicy = new AwsRetryPolicy(time),
            Description = Description,
        };
    }

    private static T Refusing<T>() where T : class
    {
        var proxy = DispatchProxy.Create<T, RefusingProxy>();
        ((RefusingProxy)(object)proxy).Service = typeof(T).Name;
        return proxy;
    }

    internal static PipelineStageException Refusal(string what) => new(
        $"This pipeline has only AWS-free stages and runs without AWS, but a stage called {what}: that stage must not be marked IAwsFreeStage.",
        FailureKind.Invalid);

    /// <summary>Refuses every call (public for DispatchProxy).</summary>
    public class RefusingProxy : DispatchProxy
    {
        internal string Service { get; set; } = "AWS";

        /// <inheritdoc />
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw Refusal($"{Service}.{targetMethod?.Name}");
    }

    private sealed class RefusingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromException<HttpResponseMessage>(Refusal("HTTP " + request.RequestUri));
    }
}
