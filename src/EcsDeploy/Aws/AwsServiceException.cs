namespace EcsDeploy.Aws;

/// <summary>
/// An error answer from an AWS service (or the simulated AWS): the service, operation, error code and message,
/// and the request id for AWS support. Never carries credentials or secret values.
/// </summary>
public class AwsServiceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsServiceException(string service, string operation, string errorCode, string message, int statusCode = 400, string? requestId = null, Exception? innerException = null)
        : base($"{service} {operation} failed: {errorCode}: {message}" + (requestId is null ? "" : $" (request id {requestId})"), innerException)
    {
        Service = service;
        Operation = operation;
        ErrorCode = errorCode;
        ErrorMessage = message;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>The service, for example <c>ECS</c>.</summary>
    public string Service { get; }
    /// <summary>The operation, for example <c>UpdateService</c>.</summary>
    public string Operation { get; }
    /// <summary>The AWS error code, for example <c>ServiceNotFoundException</c>.</summary>
    public string ErrorCode { get; }
    /// <summary>The service's message.</summary>
    public string ErrorMessage { get; }
    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }
    /// <summary>The request id, when the service gave one.</summary>
    public string? RequestId { get; }

    /// <summary>Whether the error is one of the throttling codes of the SDKs' standard retry mode.</summary>
    public bool IsThrottling => AwsErrorCodes.Throttling.Contains(ErrorCode) || StatusCode == 429;

    /// <summary>Whether the error is transient (timeouts and 5xx) in the sense of the standard retry mode.</summary>
    public bool IsTransient => AwsErrorCodes.Transient.Contains(ErrorCode) || StatusCode is 500 or 502 or 503 or 504;
}

/// <summary>Error codes with a retry meaning, from the AWS SDKs' standard retry mode.</summary>
public static class AwsErrorCodes
{
    /// <summary>Codes the standard retry mode treats as throttling.</summary>
    public static readonly IReadOnlySet<string> Throttling = new HashSet<string>(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "RequestThrottled",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    };

    /// <summary>Codes the standard retry mode treats as transient.</summary>
    public static readonly IReadOnlySet<string> Transient = new HashSet<string>(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
    };
}
