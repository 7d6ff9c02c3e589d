using System.Net;

namespace EcsDeploy.Aws.Wire;

/// <summary>The wire protocol an AWS service speaks.</summary>
internal enum AwsWireProtocol
{
    /// <summary>JSON 1.1: <c>POST /</c> with <c>X-Amz-Target</c> and a JSON body.</summary>
    Json11,
    /// <summary>The Query protocol: a form-encoded <c>Action</c> and <c>Version</c>, XML answers.</summary>
    Query,
}
