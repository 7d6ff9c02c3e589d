using System.Net;

namespace EcsDeploy.Aws.Wire;

/// <summary>The wire protocol an AWS service speaks.</summary>
internal enum AwsWireProtocol
{
    /// <summary>JSON 1.1: <c>POST /</c> with <c>X-Amz-Target</c> and a JSON body.</summary>
    Json11,
    /// <summary>
    /// JSON 1.0: as JSON 1.1 with <c>application/x-amz-json-1.0</c>. CloudWatch speaks it as an AWS Query compatible
    /// service: the client says <c>x-amzn-query-mode: true</c>, and an error's Query code comes in <c>x-amzn-query-error</c>.
    /// </summary>
    Json10,
    /// <summary>The Query protocol: a form-encoded <c>Action</c> and <c>Version</c>, XML answers.</summary>
    Query,
}
