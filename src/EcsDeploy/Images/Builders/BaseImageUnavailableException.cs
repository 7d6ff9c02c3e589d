using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>
/// The base image (FROM) could not be fetched: its registry is unreachable, refused the credentials, or timed out. A
/// fact about the machine and its network rather than about the Dockerfile, so a PR check reports it as could-not-run.
/// </summary>
internal sealed class BaseImageUnavailableException(string message, Exception? innerException = null)
    : PipelineStageException(message, FailureKind.Failed, innerException);
