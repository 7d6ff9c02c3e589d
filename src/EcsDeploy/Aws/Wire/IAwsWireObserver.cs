using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amazon.Runtime;

namespace EcsDeploy.Aws.Wire;

/// <summary>Sees what the wire clients read, for the model conformance tests.</summary>
internal interface IAwsWireObserver
{
    /// <summary>A JSON answer of <paramref name="operation"/> was read into <paramref name="type"/>.</summary>
    void JsonResponseRead(AwsWireService service, string operation, Type type);

    /// <summary>An XML answer's element at <paramref name="path"/> (from the result element, '/'-separated) was read.</summary>
    void XmlElementRead(AwsWireService service, string operation, string path);
}
