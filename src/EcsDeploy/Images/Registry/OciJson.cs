using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images.Registry;

/// <summary>The JSON settings of the OCI documents: omit nulls, keep the declared property names.</summary>
internal static class OciJson
{
    /// <summary>Shared serializer options for the OCI records.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
