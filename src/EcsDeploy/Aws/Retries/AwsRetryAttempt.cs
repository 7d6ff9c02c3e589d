namespace EcsDeploy.Aws;

/// <summary>A retry that is about to happen, for reporting.</summary>
public sealed record AwsRetryAttempt(string Operation, int Attempt, TimeSpan Delay, string Reason);
