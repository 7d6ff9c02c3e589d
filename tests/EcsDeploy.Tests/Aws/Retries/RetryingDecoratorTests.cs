using System.Reflection;
using System.Runtime.CompilerServices;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Retries;

namespace EcsDeploy.Tests.Aws.Retries;

/// <summary>
/// The retrying decorators, checked against the ports by reflection: every port has one, and each of its
/// methods reaches the same method of the inner port, under the operation's name, re-sent after a server
/// error only when the port does not mark it <see cref="NotIdempotentAttribute"/>.
/// </summary>
public sealed class RetryingDecoratorTests
{
    private static readonly Assembly Library = typeof(IEcsApi).Assembly;

    /// <summary>The ports the environment sends through the retry policy: every AWS API port and the image registry.</summary>
    private static IEnumerable<Type> PortTypes() =>
        Library.GetTypes().Where(t => t.IsInterface && t.Namespace == "EcsDeploy.Aws" && (t.Name.EndsWith("Api", StringComparison.Ordinal) || t == typeof(IImageRegistry)));

    public static TheoryData<Type> Ports() => new(PortTypes());

    public static TheoryData<Type, string> PortMethods()
    {
        var data = new TheoryData<Type, string>();
        foreach (var port in PortTypes())
        {
            foreach (var method in port.GetMethods().Where(m => !m.IsSpecialName))
            {
                data.Add(port, method.Name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Ports))]
    public void EveryPort_HasOneRetryingDecorator(Type port)
    {
        var decorators = Library.GetTypes().Where(t => t.IsClass && t.Name.StartsWith("Retrying", StringComparison.Ordinal) && port.IsAssignableFrom(t)).ToList();

        var decorator = Assert.Single(decorators);
        Assert.Equal("EcsDeploy.Aws.Retries", decorator.Namespace);
        Assert.True(decorator.IsSealed && !decorator.IsPublic, $"{decorator.Name} should be internal sealed");
    }

    [Theory]
    [MemberData(nameof(PortMethods))]
    public async Task EveryPortMethod_IsForwardedToTheSameMethod_AndRetriedUnlessNotIdempotent(Type port, string methodName)
    {
        var method = port.GetMethod(methodName)!;
        var (decorator, inner, policy) = Decorate(port);
        var args = method.GetParameters().Select(p => ArgumentFor(p.ParameterType)).ToArray();
        var idempotent = method.GetCustomAttribute<NotIdempotentAttribute>() is null;
        var retries = new List<AwsRetryAttempt>();
        policy.OnRetry = retries.Add;

        var call = (Task)method.Invoke(decorator, args)!;
        var error = await Record.ExceptionAsync(() => call);

        var operation = methodName[..^"Async".Length];
        if (idempotent)
        {
            Assert.Null(error);
            Assert.Equal([methodName, methodName], inner.Calls);
            Assert.Equal(operation, Assert.Single(retries).Operation);
        }
        else
        {
            Assert.Equal(operation, Assert.IsType<AwsServiceException>(error).Operation);
            Assert.Equal([methodName], inner.Calls);
            Assert.Empty(retries);
        }
    }

    [Fact]
    public void ImageRegistryHost_IsTheInnerRegistrysHost()
    {
        var (decorator, _, _) = Decorate(typeof(IImageRegistry));

        Assert.Equal("registry.test", ((IImageRegistry)decorator).Host);
    }

    [Theory]
    [InlineData("token-1", 2)]
    [InlineData(null, 1)]
    public async Task RunTask_IsReSentAfterAServerError_OnlyWithAClientToken(string? clientToken, int expectedCalls)
    {
        var (decorator, inner, _) = Decorate(typeof(IEcsApi));
        var request = new RunTaskRequest { Cluster = "c", TaskDefinition = "app:1", ClientToken = clientToken };

        var error = await Record.ExceptionAsync(() => ((IEcsApi)decorator).RunTaskAsync(request, CancellationToken.None));

        Assert.Equal(expectedCalls, inner.Calls.Count);
        Assert.Equal(clientToken is null, error is AwsServiceException);
    }

    [Fact]
    public async Task PushBlob_IsReSentFromWhereTheStreamStarted()
    {
        var (decorator, inner, _) = Decorate(typeof(IImageRegistry));
        using var content = new MemoryStream([1, 2, 3, 4, 5]) { Position = 2 };
        var positions = new List<long>();
        inner.OnCall = args => positions.Add(((Stream)args[2]!).Position);
        inner.AfterCall = args => ((Stream)args[2]!).Position = 5; // the failed attempt read the stream to its end

        await ((IImageRegistry)decorator).PushBlobAsync("repo", "sha256:1", content, 3, CancellationToken.None);

        Assert.Equal([2L, 2L], positions);
    }

    [Fact]
    public async Task PushBlob_OfAStreamThatCannotSeek_IsSentOnce()
    {
        var (decorator, inner, policy) = Decorate(typeof(IImageRegistry));
        using var content = new ForwardOnlyStream();

        await Assert.ThrowsAsync<AwsServiceException>(() => ((IImageRegistry)decorator).PushBlobAsync("repo", "sha256:1", content, 1, CancellationToken.None));

        Assert.Equal(["PushBlobAsync"], inner.Calls);
        Assert.Equal(0, policy.RetriesMade);
    }

    private static (object Decorator, FailingOnceProxy Inner, AwsRetryPolicy Policy) Decorate(Type port)
    {
        var inner = DispatchProxy.Create(port, typeof(FailingOnceProxy));
        var policy = new AwsRetryPolicy(TimeProvider.System, baseDelay: TimeSpan.Zero, random: new Random(1));
        var decoratorType = Library.GetTypes().Single(t => t.IsClass && t.Name.StartsWith("Retrying", StringComparison.Ordinal) && port.IsAssignableFrom(t));
        return (Activator.CreateInstance(decoratorType, inner, policy)!, (FailingOnceProxy)inner, policy);
    }

    private static object? ArgumentFor(Type type)
    {
        if (type == typeof(CancellationToken))
        {
            return CancellationToken.None;
        }
        if (type == typeof(string))
        {
            return "x";
        }
        if (type == typeof(Stream))
        {
            return new MemoryStream([1, 2, 3]);
        }
        if (type.IsValueType)
        {
            return Activator.CreateInstance(type);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return Array.CreateInstance(type.GetGenericArguments()[0], 0);
        }
        var value = type.IsInterface || type.IsAbstract ? null : RuntimeHelpers.GetUninitializedObject(type);
        if (value is RunTaskRequest)
        {
            // RunTask is safe to re-send with a ClientToken (its own test covers the request without one).
            type.GetProperty(nameof(RunTaskRequest.ClientToken))!.SetValue(value, "token");
        }
        return value;
    }

    /// <summary>An inner port that records each call and answers HTTP 503 to the first call of each method.</summary>
    public class FailingOnceProxy : DispatchProxy
    {
        private static readonly MethodInfo FromResult = typeof(Task).GetMethod(nameof(Task.FromResult))!;
        private static readonly MethodInfo FromException = typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod);

        public List<string> Calls { get; } = [];
        public Action<object?[]>? OnCall { get; set; }
        public Action<object?[]>? AfterCall { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            args ??= [];
            if (targetMethod.Name == "get_Host")
            {
                return "registry.test";
            }
            Calls.Add(targetMethod.Name);
            OnCall?.Invoke(args);
            AfterCall?.Invoke(args);
            var first = Calls.Count(c => c == targetMethod.Name) == 1;
            var error = new AwsServiceException("Test", targetMethod.Name[..^"Async".Length], "ServiceUnavailable", "down", 503);
            var returnType = targetMethod.ReturnType;
            if (returnType == typeof(Task))
            {
                return first ? Task.FromException(error) : Task.CompletedTask;
            }
            var resultType = returnType.GetGenericArguments()[0];
            return first
                ? FromException.MakeGenericMethod(resultType).Invoke(null, [error])
                : FromResult.MakeGenericMethod(resultType).Invoke(null, [resultType.IsValueType ? Activator.CreateInstance(resultType) : null]);
        }
    }

    private sealed class ForwardOnlyStream : MemoryStream
    {
        public ForwardOnlyStream() : base([1]) { }
        public override bool CanSeek => false;
    }
}
